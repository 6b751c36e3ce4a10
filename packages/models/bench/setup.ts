import { installWasmFixes, registerThreadedWasm } from '@ocrm/backend-wasm';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { torchAvailable } from './peer';

/** tfjs-wasm's XNNPACK threads in the benchmarks: `BENCH_THREADS` (default 1; above 1 the threaded build). */
export const BENCH_THREADS = Number(process.env.BENCH_THREADS ?? 1);

/**
 * What every benchmark with a PyTorch peer does first: tfjs-wasm ({@link BENCH_THREADS} threads) in prod mode with
 * `installWasmFixes()`, and the peer checked (installed when missing).
 * @returns why the PyTorch peer cannot run (also printed), or undefined when it can.
 */
export async function setUpBench(): Promise<string | undefined> {
  if (BENCH_THREADS > 1) await registerThreadedWasm(BENCH_THREADS);
  await tf.setBackend('wasm');
  await tf.ready();
  tf.enableProdMode();
  installWasmFixes();
  const noTorch = torchAvailable();
  if (noTorch) console.error(`PyTorch peer skipped: ${noTorch}`);
  return noTorch;
}
