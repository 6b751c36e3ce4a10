export { type LoadedConfigFile, loadConfigFile } from './load';
export { mergeConfig } from './merge';
export { DEFAULT_PRESET, PRESETS, type Preset } from './presets';
export { parsePipelineConfig, type ResolveConfigOptions, resolvePipelineConfig } from './resolve';
export * from './schema';
export * from './stage-sections';
