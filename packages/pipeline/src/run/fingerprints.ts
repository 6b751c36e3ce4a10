import { createHash } from 'node:crypto';
import type { PipelineConfig } from '../config/schema';
import { rewardModelSeed } from '../stages/reward-model';
import { seedFor } from '../stages/seeds';
import { type PlannedStage, planStages, ppoSegment, rewardModelStageFor } from './plan';
import { rolloutTemperature } from './policy-optimizer';

/** What a stage's output depends on: the config values its runner reads and the stages whose outputs it reads. */
export interface StageInputs {
  /** Config values (and values derived from them) the stage reads, by name. */
  config: Record<string, unknown>;
  /** Stages whose outputs it reads. */
  upstream: string[];
}

/** A stage's fingerprint: the hash of its inputs, with the inputs themselves (to say what changed). */
export interface StageFingerprint {
  /** `sha256` of the canonical JSON of `{ config, upstream fingerprints }`. */
  hash: string;
  config: Record<string, unknown>;
  upstream: Record<string, string>;
}

/**
 * The inputs of one planned stage: exactly what its runner in `stages/` reads (config values, derived seeds and
 * schedules, and the folders of earlier stages). Stages swapped from code (`runPipeline(…, { stages })`) are not
 * seen here: rerun with `force` after swapping one.
 */
export function stageInputs(config: PipelineConfig, stage: PlannedStage): StageInputs {
  const task = config.task;
  const k = stage.round ?? 1;
  switch (stage.kind) {
    case 'sft':
      return { config: { task, model: config.model, sft: config.sft, seed: config.seed }, upstream: [] };
    case 'pairs':
      return {
        config: { task, pairs: config.pairs, seed: seedFor(config.seed, 'pairs') },
        upstream: ['sft'],
      };
    case 'labels':
      return {
        config: { task, labels: config.labels, seed: seedFor(config.seed, 'labels') },
        upstream: ['pairs'],
      };
    case 'rm': {
      // The seed policy acts through the seed only; the feature cache is recorded only when it is not the default
      // (the fingerprints of runs before it existed).
      const { seedPolicy: _seedPolicy, featureCache, ...rest } = config.rewardModel;
      const rewardModel = featureCache === 'run' ? { ...rest, featureCache } : rest;
      return {
        config: {
          task,
          rewardModel,
          seed: rewardModelSeed(config, k),
          normalize: k >= 2 ? config.weighting.normalize : null,
        },
        upstream: ['sft', 'labels', ...(k >= 2 ? [`weights-${k}`] : [])],
      };
    }
    case 'weights':
      return {
        config: {
          task,
          weighting: config.weighting,
          policyTemperature: rolloutTemperature(config),
          pairsTemperature: config.pairs.temperature,
        },
        upstream: ['sft', 'labels', `ppo-${k - 1}`],
      };
    case 'ppo': {
      const segment = ppoSegment(config, k);
      const rm = rewardModelStageFor(config, k);
      const critic = segment.carriesCritic && k > 1 ? rewardModelStageFor(config, 1) : rm;
      const { prompts, temperature, everyUpdates, klPrompts } = config.eval;
      return {
        config: {
          task,
          // PPO's section alone (the fingerprints of runs before RLOO/GRPO existed); another optimizer and its section.
          ...(config.policyOptimizer === 'ppo'
            ? { ppo: config.ppo }
            : {
                policyOptimizer: config.policyOptimizer,
                [config.policyOptimizer]: config[config.policyOptimizer],
              }),
          ...(config.policyOptimizerModule ? { policyOptimizerModule: config.policyOptimizerModule } : {}),
          schedule: {
            totalUpdates: segment.totalUpdates,
            firstUpdate: segment.firstUpdate,
            stopAfter: segment.stopAfter,
            continued: segment.continued,
            carriesCritic: k > 1 && segment.carriesCritic,
          },
          seed: seedFor(config.seed, 'ppo', segment.continued ? 1 : k),
          evalSeed: seedFor(config.seed, 'eval'),
          klReference: k === 1 || config.klReference === 'sft' ? 'sft' : 'previous',
          curve: { prompts, temperature, everyUpdates, klPrompts },
        },
        upstream: [...new Set(['sft', rm, critic, ...(k > 1 ? [`ppo-${k - 1}`] : [])])],
      };
    }
    case 'dpo':
      return {
        config: { task, dpo: config.dpo, method: config.method, seed: seedFor(config.seed, 'dpo') },
        upstream: ['sft', 'labels'],
      };
    case 'eval':
      return {
        config: {
          task,
          eval: config.eval,
          method: config.method,
          ppoTemperature: rolloutTemperature(config),
          seed: config.seed,
        },
        upstream: planStages(config)
          .filter((s) => s.kind === 'ppo' || s.kind === 'dpo' || s.kind === 'rm' || s.kind === 'labels')
          .map((s) => s.name),
      };
    case 'report':
      return {
        config: {
          label: config.label ?? null,
          ...(config.reportModule ? { reportModule: config.reportModule } : {}),
        },
        upstream: planStages(config)
          .filter((s) => s.kind !== 'report')
          .map((s) => s.name),
      };
  }
}

/** Canonical JSON: object keys sorted at every level (so key order never changes a hash). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Every planned stage's fingerprint, in plan order (a stage's hash covers its upstream stages' hashes). */
export function stageFingerprints(config: PipelineConfig): Map<string, StageFingerprint> {
  const out = new Map<string, StageFingerprint>();
  for (const stage of planStages(config)) {
    const inputs = stageInputs(config, stage);
    const upstream = Object.fromEntries(
      inputs.upstream.map((name) => [name, out.get(name)?.hash ?? 'missing']),
    );
    const hash = createHash('sha256')
      .update(canonicalJson({ config: inputs.config, upstream }))
      .digest('hex');
    out.set(stage.name, { hash, config: inputs.config, upstream });
  }
  return out;
}

/**
 * Why a stage whose fingerprint was `before` must rerun under `after`: the config paths that differ (leaf paths,
 * `ppo.klCoef`), else the upstream stages that changed.
 */
export function whyChanged(before: StageFingerprint | undefined, after: StageFingerprint): string {
  if (!before) return 'no fingerprint recorded (made by an older version or interrupted before it started)';
  const paths = differingPaths(before.config, after.config);
  if (paths.length > 0) return `changed: ${paths.slice(0, 4).join(', ')}${paths.length > 4 ? ', …' : ''}`;
  const stages = Object.keys(after.upstream).filter((s) => before.upstream[s] !== after.upstream[s]);
  return stages.length > 0 ? `its input ${stages.join(', ')} changed` : 'its inputs changed';
}

function differingPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const isObject = (x: unknown): x is Record<string, unknown> =>
    !!x && typeof x === 'object' && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => differingPaths(a[key], b[key], prefix ? `${prefix}.${key}` : key));
  }
  return canonicalJson(a) === canonicalJson(b) ? [] : [prefix || '(all)'];
}
