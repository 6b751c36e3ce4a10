/**
 * The layering of the monorepo (docs/architecture.md), checked by `npm run lint`:
 * - `@ocrm/core` is a leaf; `@ocrm/backend-wasm` (backend selection, tfjs-wasm fixes and fused kernels) imports only
 *   core; `@ocrm/models` imports only core and backend-wasm;
 * - stage packages import only `@ocrm/core` (the model-owning `policy` and `reward-model` also `@ocrm/models`);
 * - only `@ocrm/pipeline`, the apps and the examples compose stage packages;
 * - no import cycles anywhere.
 * `@ocrm/*` resolves to the packages' sources (tsconfig.depcruise.json), so this runs before any build.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: split the shared part into its own file.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-is-a-leaf',
      severity: 'error',
      comment: '@ocrm/core holds the contracts every package builds on; it imports no other @ocrm package.',
      from: { path: '^packages/core/src' },
      to: { path: '^packages/(?!core/)' },
    },
    {
      name: 'backend-imports-only-core',
      severity: 'error',
      comment:
        '@ocrm/backend-wasm is the tfjs-wasm layer under the models; it builds on the contracts alone.',
      from: { path: '^packages/backend-wasm/src' },
      to: { path: '^packages/(?!core/|backend-wasm/)' },
    },
    {
      name: 'models-import-only-core-and-backend',
      severity: 'error',
      from: { path: '^packages/models/src' },
      to: { path: '^packages/(?!core/|backend-wasm/|models/)' },
    },
    {
      name: 'stage-packages-import-only-core',
      severity: 'error',
      comment: 'Stage packages meet only through the contracts of @ocrm/core (docs/architecture.md).',
      from: { path: '^packages/(data|dpo|eval|policy-gradient|ppo|weighting)/src' },
      to: { path: '^packages/(?!core/|$1/)' },
    },
    {
      name: 'model-stages-import-only-core-and-models',
      severity: 'error',
      from: { path: '^packages/(policy|reward-model)/src' },
      to: { path: '^packages/(?!core/|models/|$1/)' },
    },
    {
      name: 'packages-do-not-import-apps',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^(apps|examples|experiments)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.depcruise.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
