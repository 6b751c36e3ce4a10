export { COLUMN_SUMS_KERNEL, fusedColumnSums } from './column-sums';
export {
  DECODE_ATTENTION_KERNEL,
  DECODE_ATTENTION_QKV_KERNEL,
  type DecodeAttentionInputs,
  type DecodeAttentionQkvInputs,
  decodeAttention,
  decodeAttentionFromQkv,
} from './decode-attention';
export {
  fusedGelu,
  fusedGeluErfWithCdf,
  GELU_ERF_WITH_CDF_KERNEL,
  GELU_KERNEL,
} from './gelu';
export {
  BACKEND_ORDER,
  type BackendName,
  type BackendReport,
  GPU_REQUIREMENTS,
  gpuProblem,
  type InitBackendOptions,
  initBackend,
  setBackendForTests,
  wasmThreadsWanted,
} from './init-backend';
export { NORMALIZE_ROWS_KERNEL, type NormAffine, normalizeRows } from './normalize-rows';
export { MAX_WASM_THREADS, registerThreadedWasm, threadedWasmThreads } from './threaded-wasm';
export { installWasmFixes, uninstallWasmFixes, wasmFixesInstalled } from './wasm-fixes';
