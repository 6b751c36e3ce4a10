/**
 * Per-kernel profile of one forward pass, training step or decode on wasm (a development aid, not a test).
 * Run: npx vite-node -c vitest.config.ts bench/profile.ts [forward|train|decode|prefill|steps|step] [small|pythia14m|digest]
 * [shapes] (`prefill`: the prompt's forward with a cache; `steps`: decoding steps after an unprofiled prefill, per
 * step; `step`: the kernel names of one decoding step, in order; `shapes` also splits each kernel by its input shapes).
 * Times are medians over 9 profiled runs per kernel (robust to preemption on a loaded machine).
 */
import { installWasmFixes } from '@ocrm/backend-wasm';
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
const T = ['decode', 'prefill', 'steps', 'step'].includes(mode) && which === 'digest' ? 26 : s.seq;
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
if (mode === 'steps') {
  // Decoding steps after an unprofiled prefill, each on the prefilled cache (the same shapes every step).
  const cache = model.createKvCache(B);
  const first = model.forward({ inputIds: ids, cache, logits: { start: T - 1, end: T } });
  cache.dispose();
  tf.dispose([first.hidden, first.logits!]);
  const next = tf.zeros([B, 1], 'int32') as tf.Tensor2D;
  const step = () => {
    const out = model.forward({ inputIds: next, cache: first.cache, logits: true });
    out.logits!.dataSync();
    tf.dispose([out.hidden, out.logits!]);
    out.cache!.dispose();
  };
  for (let i = 0; i < 20; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < s.steps; i++) step();
  console.log(`steps ${which}: ${((performance.now() - t0) / s.steps).toFixed(3)} ms per step (unprofiled)`);
  await medianProfile(() => {
    for (let i = 0; i < s.steps; i++) step();
  }, s.steps);
  process.exit(0);
}
const run =
  mode === 'decode'
    ? decode
    : mode === 'prefill'
      ? () => {
          const cache = model.createKvCache(B);
          const out = model.forward({ inputIds: ids, cache, logits: { start: T - 1, end: T } });
          out.logits!.dataSync();
          tf.dispose([out.hidden, out.logits!]);
          out.cache!.dispose();
          cache.dispose();
        }
      : mode === 'train'
        ? () => {
            const { value, grads } = tf.variableGrads(
              () =>
                tf.tidy(
                  () =>
                    model.forward({ inputIds: ids, logits: true }).logits!.logSoftmax().mean() as tf.Scalar,
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
for (let i = 0; i < 9; i++) {
  const t0 = performance.now();
  run();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`${mode} ${which}: median ${times[4]!.toFixed(1)} ms (min ${times[0]!.toFixed(1)})`);
await medianProfile(run, 1);

/**
 * Per kernel (and shape with `shapes`): the median over 9 profiled runs of `fn` of its summed time per call (`per`
 * calls per run), robust to preemption on a loaded machine.
 */
async function medianProfile(fn: () => void, per: number): Promise<void> {
  const passes: Map<string, number>[] = [];
  const counts = new Map<string, number>();
  let kernels = 0;
  for (let pass = 0; pass < 9; pass++) {
    const info = await tf.profile(fn);
    kernels = info.kernels.length / per;
    const m = new Map<string, number>();
    for (const k of info.kernels) {
      const key = byShape ? `${k.name} ${k.inputShapes.map((sh) => `[${sh}]`).join('')}` : k.name;
      m.set(key, (m.get(key) ?? 0) + (k.kernelTimeMs as number) / per);
      if (pass === 0) counts.set(key, (counts.get(key) ?? 0) + 1 / per);
    }
    passes.push(m);
  }
  const keys = new Set(passes.flatMap((m) => [...m.keys()]));
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
  const rows = [...keys].map((k) => [k, med(passes.map((m) => m.get(k) ?? 0))] as const);
  rows.sort((x, y) => y[1] - x[1]);
  const total = rows.reduce((acc, [, v]) => acc + v, 0);
  const unit = per > 1 ? ' per step' : '';
  console.log(`${kernels} kernels${unit}, sum of per-kernel medians ${total.toFixed(3)} ms${unit}`);
  console.log(
    rows
      .slice(0, byShape ? 40 : 25)
      .map(([k, v]) => `${k}: ${v.toFixed(3)} ms (${+(counts.get(k) ?? 0).toFixed(3)})`)
      .join('\n'),
  );
}
