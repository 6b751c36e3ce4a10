/**
 * Per-kernel profile of one forward or training step on wasm (a development aid, not a test).
 * Run: npx vite-node -c vitest.config.ts bench/profile.ts [forward|train|decode] [small|pythia14m]
 */
import { installWasmFixes } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, tinyModelConfig } from '../src/index';

await tf.setBackend('wasm');
tf.enableProdMode();
installWasmFixes();
const mode = process.argv[2] ?? 'forward';
const vocabSize = process.argv[3] === 'pythia14m' ? 50304 : 512;
const numLayers = process.argv[3] === 'pythia14m' ? 6 : 2;
const config = tinyModelConfig('gpt_neox', {
  vocabSize,
  hiddenSize: 128,
  numLayers,
  numHeads: 4,
  intermediateSize: 512,
});
const model = createModel(config, { seed: 0 });
const ids = tf.tensor2d(
  Array.from({ length: 16 }, (_, b) => Array.from({ length: 64 }, (_, t) => (b * 7 + t) % vocabSize)),
  undefined,
  'int32',
);
const vars = Object.values(model.variables());
const decode = () => {
  let cache = model.createKvCache(16);
  const first = model.forward({ inputIds: ids, cache, logits: { start: 63, end: 64 } });
  cache.dispose();
  cache = first.cache!;
  tf.dispose([first.hidden, first.logits!]);
  const next = tf.zeros([16, 1], 'int32') as tf.Tensor2D;
  for (let s = 0; s < 8; s++) {
    const out = model.forward({ inputIds: next, cache, logits: true });
    cache.dispose();
    cache = out.cache!;
    tf.dispose([out.hidden, out.logits!]);
  }
  tf.dispose([next]);
  cache.dispose();
};
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
const t0 = performance.now();
run();
console.log(`${mode} ms`, (performance.now() - t0).toFixed(1));
const info = await tf.profile(() => {
  run();
});
const byKernel = new Map<string, { ms: number; n: number }>();
let total = 0;
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  e.ms += k.kernelTimeMs as number;
  total += k.kernelTimeMs as number;
  e.n++;
  byKernel.set(k.name, e);
}
console.log(`kernel total ${total.toFixed(1)} ms`);
const top = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16);
console.log(top.map(([k, v]) => `${k}: ${v.ms.toFixed(1)} ms (${v.n})`).join('\n'));
