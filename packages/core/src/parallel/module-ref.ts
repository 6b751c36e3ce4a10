/**
 * A function exported by an ES module, named so that a worker thread can import and call it (functions cannot be
 * posted to a worker; module names can).
 *
 * `module` is what the worker passes to `import()`: an absolute `file:` URL or path, or a package specifier that
 * resolves from `@ocrm/core`'s own folder (with npm's hoisted `node_modules`, every installed `@ocrm/*` package).
 * @example
 * const backend: ModuleRef = { module: '@ocrm/backend-wasm', export: 'initBackend', options: { prefer: 'wasm' } };
 */
export interface ModuleRef {
  /** Absolute `file:` URL or path, or a package specifier. */
  module: string;
  /** Name of the exported function. */
  export: string;
  /** Its one argument; must survive `structuredClone` (plain data, typed arrays). */
  options?: unknown;
}
