// Selects the TensorFlow.js backend for every test file before any tensor exists.
// OCRM_BACKEND=cpu|wasm (default wasm: the backend we train on). Kernel/gradient fixes are installed by initBackend.
import * as tf from '@tensorflow/tfjs';

const wanted = process.env.OCRM_BACKEND ?? 'wasm';
if (wanted === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
tf.enableProdMode();
await tf.setBackend(wanted);
await tf.ready();
