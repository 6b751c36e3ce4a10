// Selects the TensorFlow.js backend for every test file before any tensor exists.
// OCRM_BACKEND=cpu|wasm|node|node-gpu (default wasm: the backend we train on). initBackend also installs the wasm
// fixes (matmul gradient without transposed products, UnsortedSegmentSum kernel, untransposed matmul kernels).
// If initBackend itself fails to load (e.g. a broken source tree), fall back to selecting the backend directly.
import * as tf from '@tensorflow/tfjs';

const wanted = process.env.OCRM_BACKEND ?? 'wasm';
try {
  const { initBackend, installWasmFixes } = await import('../packages/backend-wasm/src/index');
  await initBackend({ prefer: wanted as 'wasm' });
  // Process-global, effective only while wasm is active: suites that switch to wasm (describeEachBackend) get them too.
  installWasmFixes();
} catch (error) {
  console.warn(
    `vitest-setup: initBackend failed (${(error as Error).message}); selecting "${wanted}" directly.`,
  );
  if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  tf.enableProdMode();
  await tf.setBackend(wanted);
  await tf.ready();
}
