/**
 * Speed benchmark of @ocrm/models on tfjs-wasm, paired with a PyTorch peer (same GPT-NeoX math, shapes, float32).
 * Not a test. Run: `npm run bench -w @ocrm/models` (env: BENCH_ROUNDS=3, BENCH_REPS=3,
 * BENCH_MODELS=small,pythia14m,digest, BENCH_TORCH=0 to skip the peer, BENCH_THREADS=2 for tfjs-wasm's threaded build, BENCH_STAT=min for the fastest instead of the
 * median run: less sensitive to a loaded machine). Prints a Markdown table (ratio = tfjs / torch).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AdamW } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createModel, type ModelConfig, type TransformerModel, tinyModelConfig } from '../src/index';
import { machineLine } from './machine';
import { PYTHON, peerEnv, torchVersion } from './peer';
import { BENCH_THREADS, setUpBench } from './setup';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REPS = Number(process.env.BENCH_REPS ?? 3);

const PEER = fileURLToPath(new URL('./torch_peer.py', import.meta.url));

/** A benchmarked model: config and shapes (batch x seq tokens; sampling = prefill + `sampleTokens` per prompt). */
interface BenchModel {
  config: ModelConfig;
  batch: number;
  seq: number;
  sampleTokens: number;
}

const MODELS: Record<string, BenchModel> = {
  small: {
    config: tinyModelConfig('gpt_neox', {
      vocabSize: 512,
      hiddenSize: 128,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 512,
    }),
    batch: 16,
    seq: 64,
    sampleTokens: 32,
  },
  pythia14m: {
    config: tinyModelConfig('gpt_neox', {
      vocabSize: 50304,
      hiddenSize: 128,
      numLayers: 6,
      numHeads: 4,
      intermediateSize: 512,
      maxPositions: 2048,
    }),
    batch: 16,
    seq: 64,
    sampleTokens: 32,
  },
  // The shape PPO and SFT run on the digest task: 26 prompt + 13 response tokens, batches of 32.
  digest: {
    config: tinyModelConfig('gpt_neox', {
      vocabSize: 101,
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      intermediateSize: 256,
    }),
    batch: 32,
    seq: 39,
    sampleTokens: 13,
  },
};

type Op = 'forward' | 'train' | 'sample';
type Times = Record<Op, number[]>;

/**
 * Mean next-token cross-entropy with a fused gradient (softmax − one-hot), like PyTorch's `F.cross_entropy`: only the
 * logits are kept for the backward pass. (tfjs-wasm's JS-side kernels break once the heap passes 2 GiB, which the
 * unfused chain of a 50k vocabulary reaches.) logits [N, V], targets [N] int32.
 */
function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const [N, V] = logits.shape;
  const fn = tf.customGrad((l, save) => {
    const x = l as tf.Tensor2D;
    const lse = tf.logSumExp(x, 1);
    const flatIndex = tf.range(0, N, 1, 'int32').mul(tf.scalar(V, 'int32')).add(targets);
    const picked = x.reshape([-1]).gather(flatIndex as tf.Tensor1D);
    (save as tf.GradSaveFunc)([x, lse]);
    return {
      value: lse.sub(picked).mean() as tf.Scalar,
      gradFunc: (dy, saved) => {
        const [xs, lses] = saved as [tf.Tensor2D, tf.Tensor1D];
        return tf.tidy(() =>
          tf
            .exp(xs.sub(lses.reshape([N, 1])))
            .sub(tf.oneHot(targets, V).toFloat())
            .mul(dy.div(N)),
        );
      },
    };
  });
  return fn(logits) as tf.Scalar;
}

function timed(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function tfjsRound(model: TransformerModel, ids: tf.Tensor2D, shape: BenchModel, reps: number): Times {
  const { batch: BATCH, seq: SEQ, sampleTokens: SAMPLE_TOKENS } = shape;
  const optimizer = new AdamW({ learningRate: 1e-4 });
  const vars = model.trainableVariables();
  const targets = tf.tidy(() => ids.slice([0, 1], [BATCH, SEQ - 1]).reshape([-1]) as tf.Tensor1D);
  const forward = () =>
    tf.tidy(() => {
      model.forward({ inputIds: ids, logits: true }); // wasm kernels run synchronously
    });
  const train = () => {
    const { value, grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const logits = model.forward({ inputIds: ids, logits: { start: 0, end: SEQ - 1 } }).logits!;
        return crossEntropy(logits.reshape([-1, model.config.vocabSize]) as tf.Tensor2D, targets);
      }),
    );
    const named: Record<string, tf.Tensor> = {};
    for (const [name, v] of Object.entries(vars)) named[name] = grads[v.name];
    optimizer.step(vars, named);
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  const sample = () => {
    let cache = model.createKvCache(BATCH);
    let input: tf.Tensor2D = ids;
    for (let s = 0; s <= SAMPLE_TOKENS; s++) {
      const T = input.shape[1];
      const out = model.forward({ inputIds: input, cache, logits: { start: T - 1, end: T } });
      cache.dispose();
      cache = out.cache!;
      if (input !== ids) input.dispose();
      input = tf.tidy(
        () => tf.multinomial(out.logits!.reshape([BATCH, -1]) as tf.Tensor2D, 1).toInt() as tf.Tensor2D,
      );
      input.dataSync();
      tf.dispose([out.hidden, out.logits!]);
    }
    input.dispose();
    cache.dispose();
  };
  const times: Times = { forward: [], train: [], sample: [] };
  for (const [name, fn] of [
    ['forward', forward],
    ['train', train],
    ['sample', sample],
  ] as const) {
    fn();
    for (let r = 0; r < reps; r++) times[name].push(timed(fn));
    if (process.env.BENCH_VERBOSE)
      console.error(`  tfjs ${name}: ${times[name].map((t) => t.toFixed(0))} ms`);
  }
  optimizer.dispose();
  targets.dispose();
  return times;
}

/** The BLAS kernel the peer reported (printed once in the table's header). */
let peerBlas: string | undefined;

function torchRound(shape: BenchModel, threads: number, reps: number): Times {
  const { config, batch, seq, sampleTokens } = shape;
  const spec = { config, batch, seq, sample_tokens: sampleTokens, reps, threads };
  const out = execFileSync(PYTHON, [PEER, JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: peerEnv(),
  });
  const { blas, ...times } = JSON.parse(out.trim().split('\n').pop()!) as Times & { blas?: string };
  peerBlas ??= blas;
  return times;
}

const STAT = process.env.BENCH_STAT === 'min' ? 'min' : 'median';
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[STAT === 'min' ? 0 : Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const noTorch = await setUpBench();
  const names = (process.env.BENCH_MODELS ?? 'small,pythia14m,digest').split(',');
  const lines = [
    `tfjs-wasm (${BENCH_THREADS} thread${BENCH_THREADS > 1 ? 's' : ''}) vs PyTorch ${noTorch ? '(skipped)' : ''} CPU float32; sampling = prefill + N tokens x B prompts; ${STAT === 'min' ? 'fastest' : 'medians'} of ${ROUNDS} rounds x ${REPS} reps, alternating.`,
    '',
    '| model | shape | op | tfjs ms | tokens/s | torch 1T ms | ratio 1T | torch 2T ms | ratio 2T |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const name of names) {
    const shape = MODELS[name];
    if (!shape) throw new Error(`unknown model ${name}; use ${Object.keys(MODELS).join(', ')}`);
    const { config, batch: BATCH, seq: SEQ, sampleTokens: SAMPLE_TOKENS } = shape;
    const model = createModel(config, { seed: 0 });
    const ids = tf.tensor2d(
      Array.from({ length: BATCH }, (_, b) =>
        Array.from({ length: SEQ }, (_, t) => (b * 131 + t * 31) % config.vocabSize),
      ),
      undefined,
      'int32',
    );
    const all: Record<string, Times> = {};
    const add = (key: string, t: Times) => {
      all[key] ??= { forward: [], train: [], sample: [] };
      for (const op of ['forward', 'train', 'sample'] as Op[]) all[key][op].push(...t[op]);
    };
    for (let round = 0; round < ROUNDS; round++) {
      add('tfjs', tfjsRound(model, ids, shape, REPS));
      if (!noTorch) {
        add('torch1', torchRound(shape, 1, REPS));
        add('torch2', torchRound(shape, 2, REPS));
      }
      console.error(`${name}: round ${round + 1}/${ROUNDS} done`);
    }
    for (const op of ['forward', 'train', 'sample'] as Op[]) {
      const t = median(all.tfjs[op]);
      const tokens = op === 'sample' ? BATCH * SAMPLE_TOKENS : BATCH * SEQ;
      const cell = (key: string) => (all[key] ? `${median(all[key][op]).toFixed(0)}` : '–');
      const ratio = (key: string) => (all[key] ? `${(t / median(all[key][op])).toFixed(1)}x` : '–');
      lines.push(
        `| ${name} | ${op === 'sample' ? `${BATCH}x${SAMPLE_TOKENS}` : `${BATCH}x${SEQ}`} | ${op} | ${t.toFixed(0)} | ${((tokens / t) * 1000).toFixed(0)} | ${cell('torch1')} | ${ratio('torch1')} | ${cell('torch2')} | ${ratio('torch2')} |`,
      );
    }
    ids.dispose();
    model.dispose();
  }
  const removed = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].filter((k) => process.env[k] !== undefined);
  if (peerBlas) {
    lines.splice(
      1,
      0,
      '',
      `PyTorch ${torchVersion()} peer BLAS: ${peerBlas}${/OpenBLAS|MKL/.test(peerBlas) ? '' : ' — WARNING: not OpenBLAS or MKL, the peer is far from its best (apt-get install libopenblas0-openmp)'}${removed.length ? ` (removed from its environment: ${removed.map((k) => `${k}=${process.env[k]}`).join(', ')})` : ''}.`,
    );
  }
  lines.unshift(machineLine(), '');
  console.log(lines.join('\n'));
}

await main();
