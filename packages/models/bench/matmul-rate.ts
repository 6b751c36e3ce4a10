/**
 * The matrix-product rate of tfjs-wasm (XNNPACK, 128-bit wasm SIMD, 1 thread) against PyTorch's BLAS on the products
 * of one training step of the bench's `small` and `digest` shapes: how far a training step that is bound by its
 * products can get on wasm (issue #24's "what the limit is"). Not a test.
 * Run: `npx vite-node -c vitest.config.ts bench/matmul-rate.ts` (env: BENCH_MODELS=small,digest, BENCH_REPS=15,
 * BENCH_TORCH=0 to skip the peer). Prints a Markdown table per model.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { machineLine } from './machine';
import { PYTHON, peerEnv, torchVersion } from './peer';
import { BENCH_THREADS, setUpBench } from './setup';

const REPS = Number(process.env.BENCH_REPS ?? 15);
const PEER = fileURLToPath(new URL('./torch_matmul.py', import.meta.url));

/** One product `[batch?, M, K] · [batch?, K, N]` and how many a training step runs. */
interface Product {
  name: string;
  /** [M, K, N] or [batch, M, K, N]. */
  shape: number[];
  perStep: number;
}

/** The GPT-NeoX shape of a bench model. */
interface Shape {
  batch: number;
  seq: number;
  hidden: number;
  intermediate: number;
  vocab: number;
  layers: number;
  heads: number;
}

const SHAPES: Record<string, Shape> = {
  small: { batch: 16, seq: 64, hidden: 128, intermediate: 512, vocab: 512, layers: 2, heads: 4 },
  digest: { batch: 32, seq: 39, hidden: 64, intermediate: 256, vocab: 101, layers: 2, heads: 4 },
};

/**
 * The products of one training step (forward, then the two gradient products of each): a linear `in → out` on `N`
 * token rows is `[N, in]·[in, out]` forward, `[N, out]·[out, in]` for the input's gradient and `[in, N]·[N, out]`
 * for the weight's; attention is `[B·h, T, d]·[B·h, d, T]` and `[B·h, T, T]·[B·h, T, d]`, each with two gradient
 * products of the same size.
 */
function stepProducts(s: Shape): Product[] {
  const n = s.batch * s.seq;
  const d = s.hidden / s.heads;
  const bh = s.batch * s.heads;
  const linear = (name: string, inn: number, out: number, count: number): Product[] => [
    { name: `${name} fwd`, shape: [n, inn, out], perStep: count },
    { name: `${name} dX`, shape: [n, out, inn], perStep: count },
    { name: `${name} dW`, shape: [inn, n, out], perStep: count },
  ];
  return [
    ...linear('qkv', s.hidden, 3 * s.hidden, s.layers),
    ...linear('dense', s.hidden, s.hidden, s.layers),
    ...linear('up', s.hidden, s.intermediate, s.layers),
    ...linear('down', s.intermediate, s.hidden, s.layers),
    ...linear('head', s.hidden, s.vocab, 1),
    { name: 'q·kᵀ (fwd + 2 grads)', shape: [bh, s.seq, d, s.seq], perStep: 3 * s.layers },
    { name: 'p·v (fwd + 2 grads)', shape: [bh, s.seq, s.seq, d], perStep: 3 * s.layers },
  ];
}

const flops = (shape: number[]) => 2 * shape.reduce((a, b) => a * b, 1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** ms per product on tfjs-wasm: `inner` products per timed rep, so sub-millisecond products are resolved. */
function wasmTimes(shape: number[], inner: number): number[] {
  const [m, k, n] = shape.slice(-3) as [number, number, number];
  const lead = shape.slice(0, -3);
  const a = tf.randomNormal([...lead, m, k], 0, 1, 'float32', 1);
  const b = tf.randomNormal([...lead, k, n], 0, 1, 'float32', 2);
  const run = () => {
    for (let i = 0; i < inner; i++) tf.matMul(a, b).dispose();
  };
  run();
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const start = performance.now();
    run();
    times.push((performance.now() - start) / inner);
  }
  tf.dispose([a, b]);
  return times;
}

function torchTimes(shapes: number[][], inner: number[]): { ms: number[][]; blas: string } {
  const spec = {
    shapes,
    reps: REPS,
    threads: 1,
    inner,
  };
  const out = execFileSync(PYTHON, [PEER, JSON.stringify(spec)], {
    encoding: 'utf8',
    maxBuffer: 1 << 22,
    env: { ...peerEnv(), PYTHONPATH: fileURLToPath(new URL('.', import.meta.url)) },
  });
  const parsed = JSON.parse(out.trim().split('\n').pop()!) as { ms: number[][]; blas: string };
  return parsed;
}

async function main(): Promise<void> {
  const noTorch = await setUpBench();
  const lines = [
    machineLine(),
    '',
    `Products of one training step, tfjs-wasm (XNNPACK, ${BENCH_THREADS} thread${BENCH_THREADS > 1 ? 's' : ''}) vs PyTorch ${noTorch ? '(skipped)' : `${torchVersion()} torch.mm, 1 thread`}; medians of ${REPS} reps.`,
  ];
  let blas: string | undefined;
  for (const name of (process.env.BENCH_MODELS ?? 'small,digest').split(',')) {
    const shape = SHAPES[name];
    if (!shape) throw new Error(`unknown model ${name}; use ${Object.keys(SHAPES).join(', ')}`);
    const products = stepProducts(shape);
    const inner = products.map((p) => Math.max(1, Math.round(2e7 / flops(p.shape))));
    const wasm = products.map((p, i) => median(wasmTimes(p.shape, inner[i]!)));
    const peer = noTorch
      ? undefined
      : torchTimes(
          products.map((p) => p.shape),
          inner,
        );
    blas ??= peer?.blas;
    const torch = peer?.ms.map(median);
    lines.push(
      '',
      `**${name}** (${shape.batch}x${shape.seq} tokens, d ${shape.hidden}, ${shape.layers} layers)`,
      '',
      '| product | shape | per step | wasm ms | wasm GFLOP/s | torch ms | torch GFLOP/s | ratio |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    let wasmTotal = 0;
    let torchTotal = 0;
    let totalFlops = 0;
    products.forEach((p, i) => {
      const w = wasm[i]!;
      const t = torch?.[i];
      wasmTotal += w * p.perStep;
      torchTotal += (t ?? 0) * p.perStep;
      totalFlops += flops(p.shape) * p.perStep;
      const rate = (ms: number) => (flops(p.shape) / ms / 1e6).toFixed(1);
      lines.push(
        `| ${p.name} | ${p.shape.join('x')} | ${p.perStep} | ${w.toFixed(3)} | ${rate(w)} | ${t === undefined ? '–' : t.toFixed(3)} | ${t === undefined ? '–' : rate(t)} | ${t === undefined ? '–' : `${(w / t).toFixed(1)}x`} |`,
      );
    });
    const total = (ms: number) => `${ms.toFixed(1)} ms (${(totalFlops / ms / 1e6).toFixed(1)} GFLOP/s)`;
    lines.push(
      `| **all products of a step** | ${(totalFlops / 1e9).toFixed(3)} GFLOP | | ${total(wasmTotal)} | | ${torch ? total(torchTotal) : '–'} | | ${torch ? `${(wasmTotal / torchTotal).toFixed(1)}x` : '–'} |`,
    );
  }
  if (blas) lines.splice(3, 0, '', `Peer BLAS: ${blas}.`);
  console.log(lines.join('\n'));
}

await main();
