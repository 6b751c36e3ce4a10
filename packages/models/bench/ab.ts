/**
 * Same-process A/B timing of this package's code against a reference copy of `src/` (alternating, paired; tfjs-wasm
 * only), steadier than the torch ratios on a loaded machine. A development aid, not a test. Run:
 *   git archive <rev> packages/models/src | tar -x -C /tmp/ref   (from the repository root), then, in this package,
 *   mkdir -p bench/.ref && cp -r /tmp/ref/packages/models/src bench/.ref/src   (inside the package: it resolves
 *   `@ocrm/core` from here) and
 *   BENCH_REF=bench/.ref/src/index.ts npx vite-node -c vitest.config.ts bench/ab.ts [digest|small] [rounds]
 * (delete bench/.ref afterwards). To compare `@ocrm/backend-wasm`'s wasm fixes too, also extract
 * `packages/backend-wasm/src`, copy it to `bench/.ref/backend-wasm` and set
 * `BENCH_REF_CORE=bench/.ref/backend-wasm/wasm-fixes.ts`: the old fixes are then installed around every "old" call
 * and the current ones around every "new" call (tfjs kernel registries are process-global).
 * Prints old/new medians and the median of the paired new/old ratios per op (`prefill`: the prompt's forward with
 * a cache; `sample`: prefill + `steps` greedy tokens), and the per-step time derived from them.
 */
import { resolve } from 'node:path';
import { installWasmFixes, uninstallWasmFixes } from '@ocrm/backend-wasm';
import { AdamW } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as current from '../src/index';

type Models = typeof current;
const refPath = process.env.BENCH_REF;
if (!refPath) throw new Error('set BENCH_REF to the index.ts of a reference copy of src/');
const reference = (await import(/* @vite-ignore */ resolve(refPath))) as Models;
type Fixes = { installWasmFixes(): void; uninstallWasmFixes(): void };
const currentFixes: Fixes = { installWasmFixes, uninstallWasmFixes };
const refFixes: Fixes | undefined = process.env.BENCH_REF_CORE
  ? ((await import(/* @vite-ignore */ resolve(process.env.BENCH_REF_CORE))) as Fixes)
  : undefined;
/** Runs `fn` under the reference (`old`) or current wasm fixes when `BENCH_REF_CORE` is set. */
function under(old: boolean, fn: () => void): () => void {
  if (!refFixes) return fn;
  const [off, on] = old ? [currentFixes, refFixes] : [refFixes, currentFixes];
  return () => {
    off.uninstallWasmFixes();
    on.installWasmFixes();
    fn();
  };
}

await tf.setBackend('wasm');
tf.enableProdMode();
installWasmFixes();
const which = process.argv[2] ?? 'digest';
const rounds = Number(process.argv[3] ?? 9);
const SHAPES = {
  small: { vocabSize: 512, hiddenSize: 128, intermediateSize: 512, batch: 16, seq: 64, steps: 32 },
  digest: { vocabSize: 101, hiddenSize: 64, intermediateSize: 256, batch: 32, seq: 39, steps: 13 },
};
const S = SHAPES[which as keyof typeof SHAPES];
const cfg = {
  vocabSize: S.vocabSize,
  hiddenSize: S.hiddenSize,
  numLayers: 2,
  numHeads: 4,
  intermediateSize: S.intermediateSize,
};
const ids = tf.tensor2d(
  Array.from({ length: S.batch }, (_, b) =>
    Array.from({ length: S.seq }, (_, t) => (b * 131 + t * 31) % S.vocabSize),
  ),
  undefined,
  'int32',
);
const prompt = ids.slice([0, 0], [S.batch, S.seq - S.steps]) as tf.Tensor2D;
const targets = ids.slice([0, 1], [S.batch, S.seq - 1]).reshape([-1]) as tf.Tensor1D;

function ops(M: Models, old: boolean) {
  const model = M.createModel(M.tinyModelConfig('gpt_neox', cfg), { seed: 0 });
  const optimizer = new AdamW({ learningRate: 1e-6 });
  const vars = model.trainableVariables();
  const fns = {
    forward: () =>
      tf.tidy(() => {
        model.forward({ inputIds: ids, logits: true }).logits!.dataSync();
      }),
    train: () => {
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const logits = model.forward({ inputIds: ids, logits: { start: 0, end: S.seq - 1 } }).logits!;
          const flat = logits.reshape([-1, S.vocabSize]);
          return tf.losses.softmaxCrossEntropy(tf.oneHot(targets, S.vocabSize), flat) as tf.Scalar;
        }),
      );
      const named: Record<string, tf.Tensor> = {};
      for (const [name, v] of Object.entries(vars)) named[name] = grads[v.name]!;
      optimizer.step(vars, named);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    prefill: () => {
      const cache = model.createKvCache(S.batch);
      const T = prompt.shape[1];
      const out = model.forward({ inputIds: prompt, cache, logits: { start: T - 1, end: T } });
      out.logits!.dataSync();
      tf.dispose([out.hidden, out.logits!]);
      out.cache!.dispose();
      cache.dispose();
    },
    sample: () => {
      let cache = model.createKvCache(S.batch);
      let input: tf.Tensor2D = prompt;
      for (let s = 0; s <= S.steps; s++) {
        const T = input.shape[1];
        const out = model.forward({ inputIds: input, cache, logits: { start: T - 1, end: T } });
        cache.dispose();
        cache = out.cache!;
        if (input !== prompt) input.dispose();
        input = tf.tidy(
          () => out.logits!.reshape([S.batch, -1]).argMax(-1).reshape([S.batch, 1]).toInt() as tf.Tensor2D,
        );
        input.dataSync();
        tf.dispose([out.hidden, out.logits!]);
      }
      input.dispose();
      cache.dispose();
    },
  };
  return {
    forward: under(old, fns.forward),
    train: under(old, fns.train),
    prefill: under(old, fns.prefill),
    sample: under(old, fns.sample),
  };
}

const a = ops(reference, true);
const b = ops(current, false);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const medians: Record<string, [number, number]> = {};
for (const op of ['forward', 'train', 'prefill', 'sample'] as const) {
  a[op]();
  b[op]();
  const ta: number[] = [];
  const tb: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    a[op]();
    const x = performance.now() - t0;
    t0 = performance.now();
    b[op]();
    const y = performance.now() - t0;
    ta.push(x);
    tb.push(y);
    ratios.push(y / x);
  }
  medians[op] = [median(ta), median(tb)];
  console.log(
    `${which} ${op}: old ${median(ta).toFixed(1)} ms, new ${median(tb).toFixed(1)} ms, ` +
      `paired new/old ${median(ratios).toFixed(2)}`,
  );
}
const perStep = (i: 0 | 1) => (medians.sample![i] - medians.prefill![i]) / S.steps;
console.log(
  `${which} per decoding step (sample - prefill medians) / ${S.steps}: old ${perStep(0).toFixed(2)} ms, ` +
    `new ${perStep(1).toFixed(2)} ms`,
);
