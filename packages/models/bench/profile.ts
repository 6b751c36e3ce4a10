/**
 * Per-kernel profile of one forward pass, training step or decode on wasm (a development aid, not a test).
 * Run: npx vite-node -c vitest.config.ts bench/profile.ts [forward|train|decode|step] [small|pythia14m|digest] [shapes]
 * (`shapes` also splits each kernel by its input shapes).
 */
import { installWasmFixes } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, tinyModelConfig } from '../src/index';

await tf.setBackend('wasm');
tf.enableProdMode();
installWasmFixes();
const mode = process.argv[2] ?? 'forward';
const which = process.argv[3] ?? 'small';
const byShape = process.argv[4] === 'shapes';
const SHAPES = {
  small: {
    vocabSize: 512,
    hiddenSize: 128,
    numLayers: 2,
    intermediateSize: 512,
    batch: 16,
    seq: 64,
    steps: 8,
  },
  pythia14m: {
    vocabSize: 50304,
    hiddenSize: 128,
    numLayers: 6,
    intermediateSize: 512,
    batch: 16,
    seq: 64,
    steps: 8,
  },
  digest: {
    vocabSize: 101,
    hiddenSize: 64,
    numLayers: 2,
    intermediateSize: 256,
    batch: 32,
    seq: 39,
    steps: 13,
  },
} as const;
const s = SHAPES[which as keyof typeof SHAPES];
const config = tinyModelConfig('gpt_neox', {
  vocabSize: s.vocabSize,
  hiddenSize: s.hiddenSize,
  numLayers: s.numLayers,
  numHeads: 4,
  intermediateSize: s.intermediateSize,
});
const model = createModel(config, { seed: 0 });
const B = s.batch;
const T = mode === 'decode' && which === 'digest' ? 26 : s.seq;
const ids = tf.tensor2d(
  Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (b * 7 + t) % s.vocabSize)),
  undefined,
  'int32',
);
const vars = Object.values(model.variables());
const decode = () => {
  let cache = model.createKvCache(B);
  const first = model.forward({ inputIds: ids, cache, logits: { start: T - 1, end: T } });
  cache.dispose();
  cache = first.cache!;
  tf.dispose([first.hidden, first.logits!]);
  const next = tf.zeros([B, 1], 'int32') as tf.Tensor2D;
  for (let i = 0; i < s.steps; i++) {
    const out = model.forward({ inputIds: next, cache, logits: true });
    cache.dispose();
    cache = out.cache!;
    tf.dispose([out.hidden, out.logits!]);
  }
  tf.dispose([next]);
  cache.dispose();
};
if (mode === 'step') {
  // The kernels of one decoding step, in order.
  const cache = model.createKvCache(B);
  const first = model.forward({ inputIds: ids, cache, logits: { start: T - 1, end: T } });
  const next = tf.zeros([B, 1], 'int32') as tf.Tensor2D;
  const info = await tf.profile(() => {
    const out = model.forward({ inputIds: next, cache: first.cache, logits: true });
    tf.dispose([out.hidden, out.logits!]);
    out.cache!.dispose();
  });
  console.log(`${info.kernels.length} kernels: ${info.kernels.map((k) => k.name).join(' ')}`);
  process.exit(0);
}
const run =
  mode === 'decode'
    ? decode
    : mode === 'train'
      ? () => {
          const { value, grads } = tf.variableGrads(
            () =>
              tf.tidy(
                () => model.forward({ inputIds: ids, logits: true }).logits!.logSoftmax().mean() as tf.Scalar,
              ),
            vars,
          );
          tf.dispose([value, ...Object.values(grads)]);
        }
      : () =>
          tf.tidy(() => {
            model.forward({ inputIds: ids, logits: true });
          });
run();
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  run();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${mode} ${which}: median ${times[2].toFixed(1)} ms (min ${times[0].toFixed(1)})`);
const info = await tf.profile(() => {
  run();
});
const byKernel = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of info.kernels) {
  const key = byShape ? `${k.name} ${k.inputShapes.map((sh) => `[${sh}]`).join('')}` : k.name;
  const e = byKernel.get(key) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  total += k.kernelTimeMs as number;
  e.n++;
  byKernel.set(key, e);
}
console.log(`kernel total ${total.toFixed(1)} ms, ${info.kernels.length} kernels`);
const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, byShape ? 40 : 20);
console.log(top.map(([k, v]) => `${k}: ${v.ms.toFixed(1)} ms (${v.n})`).join('\n'));
