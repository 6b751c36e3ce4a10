export {
  BACKEND_ORDER,
  type BackendName,
  type BackendReport,
  type InitBackendOptions,
  initBackend,
  setBackendForTests,
} from './init-backend';
export { installWasmFixes, uninstallWasmFixes, wasmFixesInstalled } from './wasm-fixes';
