import { installWasmFixes } from '@ocrm/backend-wasm';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { torchAvailable } from './peer';

/**
 * What every benchmark with a PyTorch peer does first: tfjs-wasm (1 thread) in prod mode with `installWasmFixes()`,
 * and the peer checked (installed when missing).
 * @returns why the PyTorch peer cannot run (also printed), or undefined when it can.
 */
export async function setUpBench(): Promise<string | undefined> {
  await tf.setBackend('wasm');
  await tf.ready();
  tf.enableProdMode();
  installWasmFixes();
  const noTorch = torchAvailable();
  if (noTorch) console.error(`PyTorch peer skipped: ${noTorch}`);
  return noTorch;
}
