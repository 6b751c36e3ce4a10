import { ConfigError } from '@ocrm/core';
import type { z } from 'zod';
import type { LoadedConfigFile } from './load';
import { isPlainObject, mergeConfig } from './merge';
import { DEFAULT_PRESET, PRESETS } from './presets';
import { type PipelineConfig, pipelineConfigSchema } from './schema';
import { resolveStageSections } from './stage-sections';

/** Inputs of {@link resolvePipelineConfig}, lowest priority first: preset ← file ← overrides (CLI flags). */
export interface ResolveConfigOptions {
  /** Preset name; default the file's `preset` field, else `quick`. */
  preset?: string;
  /** A loaded YAML/JSON config file (see `loadConfigFile`). */
  file?: LoadedConfigFile;
  /** Highest-priority partial config (CLI flags). */
  overrides?: Record<string, unknown>;
}

/**
 * Builds the resolved configuration of a run and validates it: every stage section is checked and filled in by its
 * package's resolver (`resolveStageSections`), so the result — what `config.json` holds — names every value the run
 * uses. Throws `ConfigError` naming the field path, what was
 * expected (type or allowed values) and, for fields from the file, `file:line`.
 */
export function resolvePipelineConfig(options: ResolveConfigOptions = {}): PipelineConfig {
  const fromFile = options.file?.value ?? {};
  const presetName =
    options.preset ?? (typeof fromFile.preset === 'string' ? fromFile.preset : undefined) ?? DEFAULT_PRESET;
  const preset = PRESETS[presetName];
  if (!preset) {
    throw new ConfigError(
      'preset',
      `unknown preset "${presetName}"; allowed: ${Object.keys(PRESETS).join(', ')}.`,
    );
  }
  const merged = mergeConfig(preset.config, fromFile, options.overrides ?? {}, { preset: presetName });
  const parsed = pipelineConfigSchema.safeParse(merged);
  if (!parsed.success) throw toConfigError(parsed.error, options.file, fromFile);
  return resolveStageSections(parsed.data, options.file) as PipelineConfig;
}

/**
 * A complete config object (e.g. a run's `config.json`, or one built in code) checked and resolved: the schema, then
 * every stage section through its package's resolver. Resolving a resolved config returns an equal one.
 * @throws ConfigError naming the first bad field.
 */
export function parsePipelineConfig(value: unknown): PipelineConfig {
  const parsed = pipelineConfigSchema.safeParse(value);
  if (!parsed.success) throw toConfigError(parsed.error, undefined, value);
  return resolveStageSections(parsed.data) as PipelineConfig;
}

function toConfigError(
  error: z.ZodError,
  file: LoadedConfigFile | undefined,
  fromFile: unknown,
): ConfigError {
  const issue = error.issues[0]!;
  let path = issue.path.map(String);
  let detail = describeIssue(issue);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]!];
    detail = 'unknown field (check its spelling and section)';
  }
  const dotted = path.join('.') || '(root)';
  const inFile = file && hasPath(fromFile, path) ? ` (${file.path}:${file.lineOf(path) ?? '?'})` : '';
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more problem(s))` : '';
  return new ConfigError(dotted, `${detail}${inFile}${more}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_union':
      return 'does not match any allowed form';
    case 'too_small':
      return `expected ${issue.origin === 'string' ? 'a non-empty string' : `>= ${issue.minimum}`}`;
    case 'too_big':
      return `expected <= ${issue.maximum}`;
    default:
      return issue.message;
  }
}

function hasPath(value: unknown, path: readonly string[]): boolean {
  let current = value;
  for (const key of path) {
    if (!isPlainObject(current) || !(key in current)) return false;
    current = current[key];
  }
  return true;
}
