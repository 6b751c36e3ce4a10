import type { PipelineConfig } from './schema';

/** A named starting configuration. `requires` says what it needs beyond a CPU and this package. */
export interface Preset {
  name: string;
  description: string;
  /** What the preset needs: `hub` (network or a warm Hugging Face cache), `gpu` (the native CUDA backend). */
  requires: readonly ('hub' | 'gpu')[];
  config: PipelineConfig;
}

const common = {
  method: 'ocrm',
  klReference: 'previous',
  roundStart: 'continue',
  seed: 0,
  backend: 'auto',
  labels: { mode: 'argmax', temperature: 1 },
  weighting: { alpha: 0.1, normalize: 'dataset', truncateTokens: null, clipLogWeight: null, module: null },
} as const;

/**
 * The default: the `digest` task with a small model trained from scratch; OCRM rounds, evaluation, report.
 * Tuned (issue 10, docs/results.md) so that standard RLHF visibly overoptimizes within the budget: along PPO the
 * proxy score keeps rising while the gold score rises a little, peaks and falls, and the RM's accuracy on
 * current-policy pairs drops below its accuracy on SFT pairs. What makes gold rise first: an RM trained on 16,000
 * pairs (0.73 held-out accuracy; 4,000 pairs gave 0.65 and gold only fell) and gentle PPO steps (64 rollouts in 2
 * minibatches, lr 1e-4; 32 rollouts or lr 3e-4 fell from the first update). λ = 0.3 gives round-2 weights an
 * ESS/N of roughly 0.6-0.9 at this drift. SFT uses the completion-only loss (the documents are unpredictable noise)
 * over 24,000 demonstrations; pairs are sampled at PPO's rollout temperature 0.7, where SFT samples carry the
 * exploited pattern rarely (3.6 %; 13 % at 1.0: see the `@ocrm/data` README), and the evaluation samples at 0.7 too.
 */
const quick: Preset = {
  name: 'quick',
  description:
    'digest task, small GPT-NeoX from scratch, OCRM 2 rounds; about 15 minutes on 2 CPU cores (wasm)',
  requires: [],
  config: {
    ...common,
    preset: 'quick',
    task: { name: 'digest', options: { numSftTrain: 24000, numTrainPrompts: 8000 } },
    rounds: 2,
    model: {
      source: 'scratch',
      config: {
        model_type: 'gpt_neox',
        hidden_size: 64,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        intermediate_size: 256,
        max_position_embeddings: 64,
        rotary_pct: 0.25,
        use_parallel_residual: true,
        tie_word_embeddings: false,
      },
    },
    sft: { epochs: 2, batchSize: 32, learningRate: 2e-3, promptLossWeight: 0 },
    // 16,000 pairs: with 4,000 the RM (0.65 held-out accuracy) never lifted gold above the SFT level (docs/results.md).
    pairs: { passes: 2, temperature: 0.7, maxPrompts: 8000, microBatchSize: 128 },
    rewardModel: { epochs: 1, batchSize: 32, learningRate: 5e-4 },
    ppo: {
      totalUpdates: 20,
      rolloutBatchSize: 64,
      microBatchSize: 32,
      numMinibatches: 2,
      ppoEpochs: 4,
      learningRate: 1e-4,
      klCoef: 0.01,
      temperature: 0.7,
    },
    weighting: { ...common.weighting, ratioExponent: 0.3 },
    dpo: { beta: 0.05, learningRate: 1e-4, batchSize: 32 },
    eval: { prompts: 200, temperature: 0.7, everyUpdates: 4, klPrompts: 128, onPolicyPairs: 512 },
  },
};

/** Tiny sizes for tests: every stage runs, numbers are meaningless. */
const smoke: Preset = {
  name: 'smoke',
  description: 'tiny sizes for tests: every stage in well under 2 minutes',
  requires: [],
  config: {
    ...quick.config,
    preset: 'smoke',
    task: {
      name: 'digest',
      options: { numSftTrain: 256, numSftEval: 16, numTrainPrompts: 32, numEvalPrompts: 16 },
    },
    model: {
      source: 'scratch',
      config: {
        ...(quick.config.model as { config: Record<string, unknown> }).config,
        hidden_size: 16,
        intermediate_size: 32,
        num_hidden_layers: 1,
        num_attention_heads: 2,
      },
    },
    sft: { epochs: 1, batchSize: 32, learningRate: 2e-3 },
    pairs: { passes: 1, temperature: 0.7, maxPrompts: 32, microBatchSize: 32 },
    rewardModel: { epochs: 1, batchSize: 16, learningRate: 5e-4 },
    ppo: { totalUpdates: 2, rolloutBatchSize: 8, learningRate: 1e-3, klCoef: 0.05, temperature: 0.7 },
    dpo: { beta: 0.05, learningRate: 1e-4, batchSize: 16 },
    eval: { prompts: 8, temperature: 0.7, everyUpdates: 1, klPrompts: 8, onPolicyPairs: 8 },
  },
};

/** Pythia-1B on TL;DR with the paper's hyper-parameters. Needs the Hub and the native GPU backend. */
const paperTldr: Preset = {
  name: 'paper-tldr',
  description: "Pythia-1B deduped SFT on TL;DR, the paper's hyper-parameters (needs the Hub and a CUDA GPU)",
  requires: ['hub', 'gpu'],
  config: {
    ...common,
    preset: 'paper-tldr',
    backend: 'node-gpu',
    task: { name: 'tldr-mini', options: {} },
    rounds: 3,
    model: { source: 'hub', repo: 'EleutherAI/pythia-1b-deduped' },
    sft: { epochs: 1, batchSize: 128, learningRate: 3e-6 },
    pairs: { passes: 1, temperature: 1, maxPrompts: null, microBatchSize: 64 },
    rewardModel: { epochs: 1, batchSize: 64, learningRate: 3e-6 },
    ppo: { totalUpdates: 1000, rolloutBatchSize: 512, learningRate: 3e-6, klCoef: 0.05, temperature: 0.7 },
    weighting: { ...common.weighting, ratioExponent: 0.001 },
    dpo: { beta: 0.05, learningRate: 3e-6, batchSize: 64 },
    eval: { prompts: 512, temperature: 0, everyUpdates: 50, klPrompts: 256, onPolicyPairs: 1024 },
  },
};

/** Qwen2.5-1.5B on AlpacaFarm-style instructions. Needs the Hub and the native GPU backend. */
const paperAlpaca: Preset = {
  name: 'paper-alpaca',
  description: 'Qwen2.5-1.5B on AlpacaFarm instructions (needs the Hub and a CUDA GPU)',
  requires: ['hub', 'gpu'],
  config: {
    ...paperTldr.config,
    preset: 'paper-alpaca',
    task: {
      name: 'hub',
      options: {
        dataset: {
          repo: 'tatsu-lab/alpaca_farm',
          revision: 'refs/convert/parquet',
          path: 'alpaca_instructions/sft/0000.parquet',
          format: 'alpaca-farm',
        },
        judge: { repo: 'Skywork/Skywork-Reward-Llama-3.1-8B-v0.2' },
        maxPromptTokens: 512,
        maxResponseTokens: 128,
      },
    },
    model: { source: 'hub', repo: 'Qwen/Qwen2.5-1.5B' },
  },
};

/** Every preset by name. */
export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze({
  quick,
  smoke,
  'paper-tldr': paperTldr,
  'paper-alpaca': paperAlpaca,
});

/** The preset `ocrm run` uses without `--preset`. */
export const DEFAULT_PRESET = 'quick';
