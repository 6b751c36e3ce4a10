import type { UnresolvedPipelineConfig } from './schema';

/** A named starting configuration. `requires` says what it needs beyond a CPU and this package. */
export interface Preset {
  name: string;
  description: string;
  /** What the preset needs: `hub` (network or a warm Hugging Face cache), `gpu` (the native CUDA backend). */
  requires: readonly ('hub' | 'gpu')[];
  config: UnresolvedPipelineConfig;
}

const common = {
  label: null,
  method: 'ocrm',
  klReference: 'previous',
  roundStart: 'continue',
  seed: 0,
  backend: 'auto',
  tensorboard: false,
  policyOptimizer: 'ppo',
  rloo: {},
  grpo: {},
  labels: { mode: 'argmax', temperature: 1 },
  weighting: {
    alpha: 0.1,
    normalize: 'dataset',
    targetEss: null,
    truncateTokens: null,
    clipLogWeight: null,
    module: null,
  },
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
    // `per-round` RM seeds: each round's RM is an independent re-draw (the setting of docs/results.md's appendix;
    // `official-digest` uses the official `same`).
    rewardModel: {
      seedPolicy: 'per-round',
      trainable: 'all',
      epochs: 1,
      batchSize: 32,
      learningRate: 5e-4,
    },
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
    eval: {
      prompts: 200,
      temperature: 0.7,
      everyUpdates: 4,
      klPrompts: 128,
      onPolicyPairs: 512,
      samplesPerPrompt: 1,
      greedy: false,
    },
  },
};

/**
 * The `digest` task run the way the authors run OCRM (docs/algorithm.md "Official protocol"), at the `quick` sizes:
 * - pairs sampled from SFT at temperature 1.0 (`ocrm_full_1B_tldr.sh`), PPO and the evaluation at 0.7; the weights'
 *   numerator is π_{k−1} at 0.7 and the denominator π_SFT at 1.0 (the exact behaviour density);
 * - every reward model fine-tunes the whole SFT model with RM-1's seed (`reward.py --seed=$SEED`), unnormalised
 *   weights (both normalisation flags default off in `reward.py`);
 * - each round is a fresh PPO run (`ppo.py`): policy from π_{k−1}, critic from RM-k, new AdamW with weight decay 0.01
 *   (torch's default), learning rate back at its peak decaying to 0 over the round, KL against π_{k−1}; the score one
 *   slot after the EOS (`eosPlus1`);
 * - 3 rounds (the script's);
 * - the eval stage also reports 4 samples per prompt and greedy decoding (the paper's near-greedy T = 0.01).
 * One deviation: the paper's λ = 0.001 gives ESS/N = 1.000 on digest's 2-13-token responses (a no-op), so λ is
 * chosen per round for ESS/N = 0.6 (`targetEss`).
 */
const officialDigest: Preset = {
  name: 'official-digest',
  description:
    "digest task at the quick sizes with the authors' protocol (restarted rounds, same-seed RMs, pairs at T 1.0, " +
    'eosPlus1, weight decay 0.01), 3 rounds; adaptive λ (ESS/N 0.6) replaces λ = 0.001, a no-op on digest',
  requires: [],
  config: {
    ...quick.config,
    preset: 'official-digest',
    rounds: 3,
    roundStart: 'restart',
    klReference: 'previous',
    pairs: { ...quick.config.pairs, temperature: 1 },
    rewardModel: { ...quick.config.rewardModel, seedPolicy: 'same', trainable: 'all' },
    ppo: { ...quick.config.ppo, scorePosition: 'eosPlus1', weightDecay: 0.01 },
    weighting: { ...common.weighting, normalize: 'none', ratioExponent: null, targetEss: 0.6 },
    eval: { ...quick.config.eval, samplesPerPrompt: 4, greedy: true },
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
    rewardModel: {
      seedPolicy: 'per-round',
      trainable: 'all',
      epochs: 1,
      batchSize: 16,
      learningRate: 5e-4,
    },
    ppo: { totalUpdates: 2, rolloutBatchSize: 8, learningRate: 1e-3, klCoef: 0.05, temperature: 0.7 },
    dpo: { beta: 0.05, learningRate: 1e-4, batchSize: 16 },
    eval: { ...quick.config.eval, prompts: 8, everyUpdates: 1, klPrompts: 8, onPolicyPairs: 8 },
  },
};

/** Pythia-1B on TL;DR with the paper's hyper-parameters. Needs the Hub and the native GPU backend. */
const paperTldr: Preset = {
  name: 'paper-tldr',
  description:
    "Pythia-1B deduped on the built-in tldr-mini task with the paper's hyper-parameters (needs the Hub and a CUDA " +
    'GPU). Not the paper: a heuristic judge instead of the human-label RM, pairs sampled from SFT instead of the ' +
    'TL;DR comparison dataset, round starts continued instead of restarted',
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
    rewardModel: {
      seedPolicy: 'same',
      trainable: 'all',
      epochs: 1,
      batchSize: 64,
      learningRate: 3e-6,
    },
    ppo: { totalUpdates: 1000, rolloutBatchSize: 512, learningRate: 3e-6, klCoef: 0.05, temperature: 0.7 },
    weighting: { ...common.weighting, ratioExponent: 0.001 },
    dpo: { beta: 0.05, learningRate: 3e-6, batchSize: 64 },
    eval: {
      prompts: 512,
      temperature: 0,
      everyUpdates: 50,
      klPrompts: 256,
      onPolicyPairs: 1024,
      samplesPerPrompt: 1,
      greedy: false,
    },
  },
};

/** Qwen2.5-1.5B on AlpacaFarm-style instructions. Needs the Hub and the native GPU backend. */
const paperAlpaca: Preset = {
  name: 'paper-alpaca',
  description:
    'Qwen2.5-1.5B on AlpacaFarm instructions with the Skywork-Reward-Llama-3.1-8B judge (needs the Hub and a CUDA ' +
    'GPU; its llama3 rope scaling is implemented and tested on tiny models, the 8B judge itself has not run here). ' +
    'Not the paper: pairs ' +
    'sampled from SFT instead of its preference data, round starts continued instead of restarted',
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
  'official-digest': officialDigest,
  'paper-tldr': paperTldr,
  'paper-alpaca': paperAlpaca,
});

/** The preset `ocrm run` uses without `--preset`. */
export const DEFAULT_PRESET = 'quick';
