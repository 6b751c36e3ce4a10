import { PREFERENCE_FORMATS } from '@ocrm/data';
import { z } from 'zod';
import type {
  DpoSection,
  ModuleSection,
  PolicyGradientSection,
  PpoSection,
  RewardModelTrainerSection,
  SftSection,
  StageSectionName,
} from './stage-sections';

/** Pipeline methods: the paper's OCRM loop and the baselines it is compared with. */
export const METHODS = ['ocrm', 'rlhf', 'iterated', 'dpo', 'wpo'] as const;
/** A pipeline method. */
export type Method = (typeof METHODS)[number];

/**
 * Policy optimizers the config can name: `ppo` (the paper's; section `ppo`), or the critic-free `rloo` / `grpo`
 * (`@ocrm/policy-gradient`; sections `rloo` / `grpo`). Any other `PolicyOptimizer` is swapped in from code.
 */
export const POLICY_OPTIMIZERS = ['ppo', 'rloo', 'grpo'] as const;
/** A policy optimizer named in the config. */
export type PolicyOptimizerName = (typeof POLICY_OPTIMIZERS)[number];

/** Backends `initBackend` can select. */
export const BACKENDS = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;

/**
 * A stage package's config section: zod keeps it an open record here, and the package's own resolver checks every
 * field and fills its defaults (`resolveStageSections`), so the rules and defaults live in one place.
 */
const stageSection = () => z.record(z.string(), z.unknown());

/**
 * Where the initial (SFT) model comes from.
 * - `scratch`: a fresh model built from `config` (a partial Hugging Face `config.json`: `model_type`, `hidden_size`,
 *   `num_hidden_layers`, …; `vocab_size` defaults to the task tokenizer's), seeded by the run seed.
 * - `local`: a folder in the Hugging Face layout.
 * - `hub`: a Hub repo id (downloaded to the Hugging Face cache; needs network or a warm cache).
 */
export const modelSchema = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('scratch'), config: z.record(z.string(), z.unknown()) }),
  z.strictObject({ source: z.literal('local'), path: z.string().min(1) }),
  z.strictObject({ source: z.literal('hub'), repo: z.string().min(1), revision: z.string().optional() }),
]);

/** How pairs are sampled from the SFT policy (docs/algorithm.md). */
export const pairsSchema = z.strictObject({
  /** Passes over the training prompts; each pass gives one pair a prompt. */
  passes: z.int().min(1),
  /** Pure temperature sampling (no top-k/top-p: the importance weights assume it). */
  temperature: z.number().positive(),
  /** Prompts used for pairs (null = all training prompts). */
  maxPrompts: z.int().positive().nullable(),
  /** Rows sampled together. */
  microBatchSize: z.int().positive(),
  /**
   * Module file exporting a custom `PairSampler` (default export, `sampler`, or a factory called with this section),
   * replacing the reference `temperaturePairSampler`. Unset: the reference.
   */
  module: z.string().min(1).optional(),
  /**
   * Take the pairs from a preference dataset instead of sampling them from SFT (the paper's setting: an existing
   * dataset of responses from many policies): a JSONL or Parquet file (`path`, relative to the working directory, or
   * the file's path inside the Hub dataset `repo` at `revision`) in TRL's explicit-prompt layout (`format: trl`:
   * `prompt`, `chosen`, `rejected`) or Anthropic HH's (`hh`), at most `limit` records. Prompts are used as written (the task's template is not applied). The pairs record no behaviour
   * density: the OCRM weights divide by π_SFT at `temperature` (set it to 1 for the paper's choice).
   */
  dataset: z
    .strictObject({
      path: z.string().min(1),
      repo: z
        .string()
        .regex(/^[^/\s]+\/[^/\s]+$/, 'expected owner/name')
        .optional(),
      revision: z.string().min(1).optional(),
      format: z.enum(PREFERENCE_FORMATS).default('trl'),
      limit: z.int().positive().optional(),
    })
    .optional(),
});

/** Gold labelling (docs/algorithm.md). */
export const labelsSchema = z.strictObject({
  mode: z.enum(['argmax', 'bradley-terry']),
  temperature: z.number().positive(),
  /**
   * Where the labels come from: `judge` (unset: the gold judge labels every pair) or `dataset` (keep the preference
   * of `pairs.dataset`, e.g. human comparisons; the judge still scores the evaluation).
   */
  source: z.enum(['judge', 'dataset']).optional(),
});

/** The OCRM weighting step (docs/algorithm.md "Weights"). */
export const weightingSchema = z.strictObject({
  /**
   * λ in the paper: exponent of the density ratio (official scripts: 0.001). 0 turns the correction off. `null` when
   * `targetEss` chooses λ per round.
   */
  ratioExponent: z.number().min(0).nullable(),
  /**
   * Adaptive λ: the ESS/N in (0, 1] each round's weights must have; λ is chosen per round by bisection (±0.01) and
   * recorded as `weights/ratio_exponent`. Mutually exclusive with `ratioExponent` (set that to null). A fixed λ
   * means a different correction at every drift; a target ESS fixes what the correction costs instead.
   */
  targetEss: z.number().gt(0).max(1).nullable(),
  /** Relative-ratio mix α in [0, 1]; each response's ratio is capped at 1/α. */
  alpha: z.number().min(0).max(1),
  /** Normalise weights to mean 1: not at all, per RM batch, or over the whole dataset (log space). */
  normalize: z.enum(['none', 'batch', 'dataset']),
  /** Truncate the log-prob sums to the first K response tokens (null = whole response). */
  truncateTokens: z.int().positive().nullable(),
  /** Clip |logWeight| at this value (null = no clipping). */
  clipLogWeight: z.number().positive().nullable(),
  /**
   * Module file exporting (default export, `strategy`, or a factory called with this section) either a custom
   * `WeightingStrategy` (the rule, given the log-prob sums) or a whole `PairWeighter` (the weights stage).
   */
  module: z.string().nullable(),
});

/** Evaluation (docs/algorithm.md). */
export const evalSchema = z.strictObject({
  /** Held-out prompts evaluated (gold, win rate, proxy; the PPO curve too). */
  prompts: z.int().positive(),
  /**
   * Temperature of the evaluated responses: 0 = argmax; the `quick` preset uses PPO's rollout temperature (0.7),
   * the distribution PPO optimises, so the curve shows what the policy actually produces.
   */
  temperature: z.number().min(0),
  /** PPO's evaluation hook runs every this many updates (the overoptimization curve). */
  everyUpdates: z.int().positive(),
  /** Prompts (the first of the evaluated ones) for the KL-to-SFT estimate (sampled at the rollout temperature). */
  klPrompts: z.int().positive(),
  /** Fresh on-policy pairs used to measure each RM's accuracy against gold labels. */
  onPolicyPairs: z.int().min(0),
  /**
   * Responses sampled per prompt at `temperature` in the `eval` stage (K; the metrics average over the K·P responses,
   * shrinking the per-prompt sampling noise). The PPO curve keeps one.
   */
  samplesPerPrompt: z.int().min(1),
  /**
   * Also evaluate greedy (argmax) decoding in the `eval` stage, reported as `eval/greedy/*`: the paper evaluates at
   * T = 0.01, which is argmax up to near-ties.
   */
  greedy: z.boolean(),
  /**
   * Module file exporting a custom `RunEvaluator` (default export, `evaluator`, or a factory called with this section),
   * replacing the reference `goldRunEvaluator` as the `eval` stage. Unset: the reference.
   */
  module: z.string().min(1).optional(),
});

/** Reward-model seeds across OCRM rounds. */
export const RM_SEED_POLICIES = ['same', 'per-round'] as const;

/**
 * The reward-model section: the pipeline's own fields (below) plus `@ocrm/reward-model` `RewardModelConfig` fields
 * (`learningRate`, `batchSize`, …), which its resolver checks.
 */
export const rewardModelSectionSchema = z
  .object({
    /**
     * `same` (the official behaviour: `reward.py --seed=$SEED` in every round): RM-k gets RM-1's head initialisation
     * and data order, so at λ = 0 RM-k is RM-1 bit for bit and the weights are the only difference between them.
     * `per-round`: each round's RM has its own seed (an independent re-draw; what the `quick` preset used before).
     */
    seedPolicy: z.enum(RM_SEED_POLICIES),
    /**
     * Which weights train: `all` (official), `head` (a linear head on the frozen SFT backbone, features cached), or
     * `last-block` (the last block, final norm and head). See `RewardModelTrainable` in `@ocrm/reward-model`.
     */
    trainable: z.enum(['all', 'head', 'last-block']),
    /**
     * With `trainable: 'head'`, where the frozen backbone's features are kept. `stage` (default): within one `rm-k`
     * training (computed once per response, in the batches of the first epoch). `run`: in the run's `cache/`, reused
     * by every later `rm-k` on the same SFT backbone (and by study arms that copy the folder), so rounds 2… run no
     * backbone forward — ~25x faster `rm-k` on `digest-head`. A response's features then come from the batches of the
     * first training that saw it: scores differ from a `stage` run in the last float bits (batch padding changes the
     * attention's reduction lengths), so a run's numbers are reproducible with the same value, not across values.
     */
    featureCache: z.enum(['stage', 'run']).optional(),
    /**
     * Module file exporting a custom `RewardModelTrainer` (default export, `trainer`, or a factory called with this
     * section), replacing the reference `scalarRewardModelTrainer`. Unset: the reference.
     */
    module: z.string().min(1).optional(),
  })
  .catchall(z.unknown());

/** SLURM resources of one job (any field absent: the cluster's default, or 1 CPU and no GPU). */
const slurmResourcesSchema = z.strictObject({
  /** Partition (`--partition`). */
  partition: z.string().min(1).optional(),
  /** Wall-time limit (`--time`, e.g. `2:00:00`). */
  time: z.string().min(1).optional(),
  /** CPUs per job (`--cpus-per-task`). */
  cpus: z.int().min(1).optional(),
  /** Memory (`--mem`, e.g. `8G`). */
  mem: z.string().min(1).optional(),
  /** GPUs (`--gres=gpu:N`). */
  gpus: z.int().min(0).optional(),
});

/** The `slurm` section: defaults of every stage job, per-kind overrides, and a setup line. */
export const slurmSectionSchema = slurmResourcesSchema.extend({
  /** A shell line run first in every job (e.g. `module load nodejs/20`). */
  setup: z.string().min(1).optional(),
  /** Per stage kind (`rm` = every `rm-k`, `weights` = every `weights-k`, …). */
  stages: z
    .strictObject({
      sft: slurmResourcesSchema.optional(),
      pairs: slurmResourcesSchema.optional(),
      labels: slurmResourcesSchema.optional(),
      rm: slurmResourcesSchema.optional(),
      ppo: slurmResourcesSchema.optional(),
      weights: slurmResourcesSchema.optional(),
      dpo: slurmResourcesSchema.optional(),
      eval: slurmResourcesSchema.optional(),
      report: slurmResourcesSchema.optional(),
    })
    .optional(),
});

/** The whole pipeline configuration (resolved: every field present). */
export const pipelineConfigSchema = z
  .strictObject({
    /** Preset the config started from. */
    preset: z.string(),
    /** The run's name in reports and summaries (null: method, λ and seed, e.g. `ocrm λ=0.3 (seed 0)`). */
    label: z.string().min(1).max(200).nullable(),
    /** Built-in task name (`digest`, `tldr-mini`) and its options. */
    task: z.strictObject({
      name: z.string().min(1),
      options: z.record(z.string(), z.unknown()),
      /** Module file exporting a custom `GoldJudge` (default export, `judge`, or a factory taking the task). */
      judgeModule: z.string().optional(),
    }),
    method: z.enum(METHODS),
    /** OCRM / iterated rounds (each: weights → RM → PPO). `rlhf` runs one RM and one PPO stage with the same total
     * PPO updates. */
    rounds: z.int().min(1).max(20),
    /** What later rounds' KL penalty is against: the previous policy (the paper) or SFT throughout (the control). */
    klReference: z.enum(['previous', 'sft']),
    /**
     * How PPO round k > 1 starts. `continue` (default): it continues round k−1's PPO run — the trained critic, the AdamW
     * moments, one learning-rate schedule and prompt order spanning all rounds (so the rounds together run exactly
     * the schedule of the one-stage `rlhf` arm) — with the reward model (and the KL reference, per `klReference`)
     * swapped at the boundary. `continue-fresh-critic`: the same, but the critic starts again from RM_k (with fresh
     * moments). `restart`: a fresh PPO run per round (critic from RM_k, new AdamW, the learning rate back at its peak);
     * measured to break the policy down in round 2's first updates (docs/results.md).
     */
    roundStart: z.enum(['continue', 'continue-fresh-critic', 'restart']),
    seed: z.int().min(0),
    backend: z.enum(BACKENDS),
    /**
     * Also write TensorBoard event files (every training step's and evaluation's scalars, one TensorBoard run per
     * stage) to `<runDir>/tensorboard/` beside `metrics.jsonl`. Default false.
     */
    tensorboard: z.boolean().default(false),
    /**
     * SLURM resources of the stage jobs (`ocrm run --executor slurm`; ignored by the local executor and by
     * fingerprints): defaults for every stage job, and per stage kind under `stages` (`sft`, `pairs`, `labels`, `rm`,
     * `ppo`, `weights`, `dpo`, `eval`, `report`). The `--slurm-*` flags override both. Absent: 1 CPU, no GPU, the
     * partition's limits.
     */
    slurm: slurmSectionSchema.optional(),
    model: modelSchema,
    /**
     * SFT config (`@ocrm/policy` `SftConfig` fields), or `module`: a file exporting a custom `SftTrainer` (default
     * export, `trainer`, or a factory called with this section).
     */
    sft: stageSection(),
    pairs: pairsSchema,
    labels: labelsSchema,
    /** Reward-model training config (`seedPolicy`, `trainable` and `@ocrm/reward-model` fields). */
    rewardModel: rewardModelSectionSchema,
    /**
     * The RL step of every round (the `ppo-k` stages, whatever the optimizer): `ppo` (default), `rloo` or `grpo`
     * (critic-free, `roundStart: restart` only). Its section's `totalUpdates` is the updates per round.
     */
    policyOptimizer: z.enum(POLICY_OPTIMIZERS),
    /**
     * Module file exporting a custom `PolicyOptimizer` (default export, `optimizer`, or a factory called with the
     * section of `policyOptimizer`), used instead of the built-in one; that section's `totalUpdates` still sets the
     * updates per round. Unset: the built-in optimizer.
     */
    policyOptimizerModule: z.string().min(1).optional(),
    /** PPO config (`@ocrm/ppo` `PpoConfig` fields); `totalUpdates` is per round. */
    ppo: stageSection(),
    /** RLOO config (`@ocrm/policy-gradient` `PolicyGradientConfig` fields), used when `policyOptimizer: rloo`. */
    rloo: stageSection(),
    /** GRPO config (the same fields, GRPO's defaults), used when `policyOptimizer: grpo`. */
    grpo: stageSection(),
    weighting: weightingSchema,
    /** DPO/WPO config (`@ocrm/dpo` fields). */
    dpo: stageSection(),
    eval: evalSchema,
    /**
     * Module file exporting a custom `RunReporter` (default export, `reporter`, or a factory called with no argument)
     * for the `report` stage. Unset: the reference `htmlReporter` (`report.html`).
     */
    reportModule: z.string().min(1).optional(),
  })
  .superRefine((config, ctx) => {
    const w = config.weighting;
    if (w.ratioExponent !== null && w.targetEss !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['weighting', 'targetEss'],
        message:
          'targetEss and ratioExponent are mutually exclusive: set weighting.ratioExponent to null to use targetEss.',
      });
    }
    if (w.ratioExponent === null && w.targetEss === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['weighting', 'ratioExponent'],
        message: 'set weighting.ratioExponent (λ) or weighting.targetEss (adaptive λ).',
      });
    }
    if (config.labels.source === 'dataset' && !config.pairs.dataset) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels', 'source'],
        message: "'dataset' keeps the labels of pairs.dataset: set pairs.dataset, or remove labels.source.",
      });
    }
    if (config.pairs.dataset && config.pairs.module) {
      ctx.addIssue({
        code: 'custom',
        path: ['pairs', 'dataset'],
        message:
          'pairs come from either a dataset or a sampler module, not both: remove pairs.module or pairs.dataset.',
      });
    }
    const loops = (config.method === 'ocrm' || config.method === 'iterated') && config.rounds > 1;
    if (config.policyOptimizer !== 'ppo' && loops && config.roundStart !== 'restart') {
      ctx.addIssue({
        code: 'custom',
        path: ['roundStart'],
        message: `policyOptimizer '${config.policyOptimizer}' starts every round afresh: set roundStart to 'restart'.`,
      });
    }
    const layers = config.model.source === 'scratch' ? config.model.config.num_hidden_layers : undefined;
    if (config.rewardModel.trainable !== 'all' && typeof layers === 'number' && layers < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['rewardModel', 'trainable'],
        message: `'${config.rewardModel.trainable}' needs a backbone to freeze, but model.config.num_hidden_layers is ${layers}.`,
      });
    }
    if (config.rewardModel.featureCache === 'run' && config.rewardModel.trainable !== 'head') {
      ctx.addIssue({
        code: 'custom',
        path: ['rewardModel', 'featureCache'],
        message: `'run' keeps a frozen backbone's features: it needs rewardModel.trainable 'head' (it is '${config.rewardModel.trainable}').`,
      });
    }
  });

/** A pipeline configuration as parsed, before its stage sections are resolved (they may be partial). */
export type ParsedPipelineConfig = z.infer<typeof pipelineConfigSchema>;

/** The resolved reward-model section: the pipeline's fields and every reference trainer field (or a module's own). */
export type RewardModelSection =
  | ({
      seedPolicy: (typeof RM_SEED_POLICIES)[number];
      trainable: 'all' | 'head' | 'last-block';
      featureCache?: 'stage' | 'run';
      module?: undefined;
    } & RewardModelTrainerSection)
  | ({
      seedPolicy: (typeof RM_SEED_POLICIES)[number];
      trainable: 'all' | 'head' | 'last-block';
      featureCache?: 'stage' | 'run';
    } & ModuleSection);

/**
 * A resolved pipeline configuration (`resolvePipelineConfig`, `config.json`): every field present and every stage
 * section full — the package defaults filled in, minus the fields the run supplies (`RUN_SUPPLIED_FIELDS`).
 */
export type PipelineConfig = Omit<ParsedPipelineConfig, StageSectionName> & {
  sft: SftSection | ModuleSection;
  rewardModel: RewardModelSection;
  ppo: PpoSection;
  rloo: PolicyGradientSection;
  grpo: PolicyGradientSection;
  dpo: DpoSection;
};

/**
 * A complete configuration whose stage sections may be partial (a preset, or a config built in code):
 * `parsePipelineConfig` / `runPipeline` resolve it into a {@link PipelineConfig}.
 */
export type UnresolvedPipelineConfig = Omit<PipelineConfig, StageSectionName> & {
  [K in StageSectionName]: Partial<PipelineConfig[K]>;
};

/** A partial configuration as users write it (every section optional, sections partial). */
export type PipelineConfigInput = {
  [K in keyof PipelineConfig]?: PipelineConfig[K] extends Record<string, unknown>
    ? Partial<PipelineConfig[K]>
    : PipelineConfig[K];
};
