import {
  InvalidArgumentError,
  type PairSampler,
  type PairSamplingRun,
  type PreferencePair,
  SPECIFICATION_VERSION,
} from '@ocrm/core';
import { samplePairs } from './sample-pairs';

/** Options of {@link temperaturePairSampler}. */
export interface TemperaturePairSamplerOptions {
  /** Passes over the prompts; each pass gives one pair per prompt (default 1). */
  passes?: number;
  /** Pure temperature sampling, no top-k/top-p (default 1.0, the official setting). */
  temperature?: number;
  /** Rows sampled together inside the policy (policy default when omitted). */
  microBatchSize?: number;
}

/**
 * The reference {@link PairSampler}: {@link samplePairs} — two independent responses per prompt and pass from the SFT
 * policy by pure temperature sampling, each recording its summed log-prob at sampling time and the temperature.
 * Shardable: shard i of N samples a contiguous run of whole sampling calls (see `samplePairs`).
 * @throws InvalidArgumentError at construction for a non-positive temperature or passes.
 */
export function temperaturePairSampler(options: TemperaturePairSamplerOptions = {}): PairSampler {
  const { passes = 1, temperature = 1, microBatchSize } = options;
  if (!(temperature > 0))
    throw new InvalidArgumentError(`pairs.temperature must be > 0, got ${temperature}.`);
  if (!Number.isInteger(passes) || passes < 1)
    throw new InvalidArgumentError(`pairs.passes must be a positive integer, got ${passes}.`);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `temperature(${temperature})`,
    shardable: true,
    sample(run: PairSamplingRun): Promise<PreferencePair[]> {
      return samplePairs(run.policy, run.prompts, run.tokenizer, {
        maxNewTokens: run.maxNewTokens,
        passes,
        temperature,
        seed: run.seed,
        microBatchSize,
        signal: run.signal,
        onProgress: run.onProgress,
        shard: run.shard,
      });
    },
  };
}
