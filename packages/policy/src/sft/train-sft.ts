import { createRequire } from 'node:module';
import {
  type AdamW,
  accumulateMicroBatches,
  buildTokenBatch,
  clipGradNorm,
  createAdamWCosine,
  type DataParallelOptions,
  drive,
  type EventHandler,
  epochOrder,
  GradientAccumulator,
  GradientWorkers,
  InvalidArgumentError,
  namedGrads,
  requireMicroBatches,
  type SftExample,
  type TokenBatch,
  type Tokenizer,
  type TrainEvent,
  throwIfAborted,
  trainingLoop,
} from '@ocrm/core';
import { modelReplicaSpec } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import type { CausalLMPolicy } from '../causal-lm-policy';
import { resolveSftConfig, type SftConfig } from './sft-config';
import { type EncodedSftExample, encodeSftExamples } from './sft-data';
import { sftLoss, sftTokenCount } from './sft-loss';
import type { SftReplicaOptions } from './sft-replica';

/** Inputs of {@link trainSft} / {@link trainSftIter}. */
export interface TrainSftOptions {
  /** Trained in place (its variables are updated). */
  policy: CausalLMPolicy;
  tokenizer: Tokenizer;
  /** Demonstrations; the response gets the tokenizer's EOS appended. */
  train: readonly SftExample[];
  /** Held-out demonstrations for the eval loss. */
  eval?: readonly SftExample[];
  config?: Partial<SftConfig>;
  /** Checkpoints go here every `checkpointEvery` steps; an existing checkpoint there is resumed from. */
  checkpointDir?: string;
  /** Stage name in events (default `sft`). */
  stage?: string;
  signal?: AbortSignal;
  /** Receives every event (the Promise face only). */
  onEvent?: EventHandler;
  /**
   * Compute each step's micro-batches in worker threads too (Node; the same numbers bit for bit, faster on several
   * cores when a step has ≥ 2 micro-batches: `batchSize / microBatchSize`). Absent: one thread.
   */
  dataParallel?: DataParallelOptions;
}

/** What SFT returns. */
export interface SftResult {
  /** Optimizer steps taken in total (including resumed ones). */
  steps: number;
  /** Token-mean training loss of the last step. */
  trainLoss: number;
  /** Token-mean held-out loss at the end (NaN without eval examples). */
  evalLoss: number;
  config: SftConfig;
}

/** Token-mean next-token loss of examples, without gradients, `microBatchSize` rows at a time. */
export async function sftEvalLoss(
  policy: CausalLMPolicy,
  examples: readonly EncodedSftExample[],
  padId: number,
  microBatchSize: number,
  signal?: AbortSignal,
  promptLossWeight = 1,
): Promise<number> {
  let total = 0;
  let tokens = 0;
  for (let start = 0; start < examples.length; start += microBatchSize) {
    throwIfAborted(signal);
    const batch = toBatch(examples.slice(start, start + microBatchSize), padId);
    const n = sftTokenCount(batch, promptLossWeight);
    if (n === 0) continue;
    const { loss } = sftLoss(policy.model, batch, 1, promptLossWeight);
    total += (await loss.data())[0]!;
    loss.dispose();
    tokens += n;
  }
  return tokens > 0 ? total / tokens : Number.NaN;
}

function toBatch(examples: readonly EncodedSftExample[], padId: number): TokenBatch {
  return buildTokenBatch({
    prompts: examples.map((e) => e.promptIds),
    responses: examples.map((e) => e.responseIds),
    padId,
  });
}

/**
 * Supervised fine-tuning as an event stream: next-token cross-entropy on prompt + demonstration + EOS (prompt
 * included, padding excluded; the token mean over each optimizer step's batch), core AdamW (eps 1e-5, decoupled
 * weight decay 0.01), cosine decay with optional warmup, gradient accumulation over micro-batches, optional clipping,
 * periodic eval loss and checkpoints, `AbortSignal`. The data order of epoch e is `permutation(N, rng(seed, 0, e))`.
 *
 * Metrics: `loss/train`, `lr`, `grad/norm`, `tokens` per step; `loss/eval` at evaluations.
 * @returns (as the generator's return value) the {@link SftResult}.
 */
export async function* trainSftIter(options: TrainSftOptions): AsyncGenerator<TrainEvent, SftResult> {
  const config = resolveSftConfig(options.config);
  const stage = options.stage ?? 'sft';
  const { policy, tokenizer, signal } = options;
  const padId = policy.padId;
  const train = encodeSftExamples(options.train, tokenizer, config.maxSeqLength);
  const evalSet = encodeSftExamples(options.eval ?? [], tokenizer, config.maxSeqLength);
  if (train.length === 0) throw new InvalidArgumentError('trainSft: no training examples.');
  const variables = policy.trainableVariables();
  if (Object.keys(variables).length === 0) throw new InvalidArgumentError('trainSft: the policy is frozen.');
  const N = train.length;
  const totalExamples = Math.ceil(config.epochs * N);
  const totalSteps = Math.ceil(totalExamples / config.batchSize);
  const { optimizer, schedule } = createAdamWCosine(config, totalSteps);
  const accumulator = new GradientAccumulator();
  let workers: GradientWorkers<TokenBatch> | undefined;
  const indexAt = epochOrder(N, config.seed);
  const exampleAt = (position: number): EncodedSftExample => train[indexAt(position)]!;
  let trainLoss = Number.NaN;
  let evalLoss = Number.NaN;
  try {
    // Inside the try: a worker that cannot start still releases the optimizer and the accumulator.
    if (options.dataParallel) workers = await startSftWorkers(policy, config, options.dataParallel);
    const loop = yield* trainingLoop({
      stage,
      totalSteps,
      variables,
      optimizer,
      checkpointDir: options.checkpointDir,
      checkpointEvery: config.checkpointEvery,
      evalEvery: config.evalEvery,
      signal,
      // Step s takes the examples at positions [s·batchSize, …) of the epoch order (the last step may be short).
      dataPosition: (steps) => Math.min(steps * config.batchSize, totalExamples),
      step: async (s) => {
        const position = s * config.batchSize;
        const size = Math.min(config.batchSize, totalExamples - position);
        const examples = Array.from({ length: size }, (_, i) => exampleAt(position + i));
        const lr = schedule(s);
        const { loss, tokens, gradNorm } = await trainStep(
          policy,
          examples,
          padId,
          config,
          accumulator,
          optimizer,
          lr,
          workers,
        );
        trainLoss = loss;
        return { 'loss/train': loss, lr, 'grad/norm': gradNorm, tokens };
      },
      evaluate:
        evalSet.length > 0
          ? async () => {
              evalLoss = await sftEvalLoss(
                policy,
                evalSet,
                padId,
                config.microBatchSize,
                signal,
                config.promptLossWeight,
              );
              return { 'loss/eval': evalLoss };
            }
          : undefined,
    });
    const metrics: Record<string, number> = { 'loss/train': trainLoss };
    if (evalSet.length > 0) metrics['loss/eval'] = evalLoss;
    yield { type: 'run-end', stage, step: loop.steps, metrics, time: Date.now() };
    return { steps: loop.steps, trainLoss, evalLoss, config };
  } finally {
    accumulator.dispose();
    optimizer.dispose();
    await workers?.close();
  }
}

/** Starts the data-parallel workers of an SFT run, each with a replica of the policy (`@ocrm/policy/replica`). */
async function startSftWorkers(
  policy: CausalLMPolicy,
  config: SftConfig,
  parallel: DataParallelOptions,
): Promise<GradientWorkers<TokenBatch>> {
  requireMicroBatches('trainSft', 'sft.microBatchSize', config.batchSize, config.microBatchSize);
  const replica: SftReplicaOptions = {
    model: modelReplicaSpec(policy.model),
    promptLossWeight: config.promptLossWeight,
  };
  return GradientWorkers.start<TokenBatch>({
    count: parallel.workers,
    backend: parallel.backend,
    threads: parallel.threads,
    replica: {
      module: createRequire(import.meta.url).resolve('@ocrm/policy/replica'),
      export: 'createSftReplica',
      options: replica,
    },
    weights: policy.model.variables(),
  });
}

/**
 * One optimizer step over `examples` in micro-batches (computed in this thread and `workers`, added in order);
 * returns the token-mean loss.
 */
async function trainStep(
  policy: CausalLMPolicy,
  examples: EncodedSftExample[],
  padId: number,
  config: SftConfig,
  accumulator: GradientAccumulator,
  optimizer: AdamW,
  lr: number,
  workers: GradientWorkers<TokenBatch> | undefined,
): Promise<{ loss: number; tokens: number; gradNorm: number }> {
  const variables = policy.trainableVariables();
  const micro: TokenBatch[] = [];
  for (let start = 0; start < examples.length; start += config.microBatchSize) {
    micro.push(toBatch(examples.slice(start, start + config.microBatchSize), padId));
  }
  const counts = micro.map((batch) => sftTokenCount(batch, config.promptLossWeight));
  const tokens = counts.reduce((a, b) => a + b, 0);
  if (tokens === 0) return { loss: Number.NaN, tokens: 0, gradNorm: 0 };
  const shares = counts.map((count) => count / tokens);
  const outcomes = await accumulateMicroBatches({
    tasks: micro,
    shares,
    local: (batch) =>
      namedGrads(variables, () => sftLoss(policy.model, batch, undefined, config.promptLossWeight).loss),
    accumulator,
    variables,
    workers,
  });
  let loss = 0;
  outcomes.forEach(({ value }, i) => {
    if (counts[i] !== 0) loss += value * shares[i]!;
  });
  const mean = accumulator.take();
  const clipped = clipGradNorm(mean, config.maxGradNorm > 0 ? config.maxGradNorm : Number.POSITIVE_INFINITY);
  optimizer.step(variables, clipped.grads, lr);
  tf.dispose([...Object.values(mean), ...Object.values(clipped.grads)]);
  return { loss, tokens, gradNorm: clipped.norm };
}

/**
 * Supervised fine-tuning; resolves with the {@link SftResult}. Events go to `options.onEvent`.
 * @example
 * const result = await trainSft({ policy, tokenizer, train, eval, config: { learningRate: 1e-3, epochs: 3 } });
 */
export function trainSft(options: TrainSftOptions): Promise<SftResult> {
  return drive(trainSftIter(options), options.onEvent);
}
