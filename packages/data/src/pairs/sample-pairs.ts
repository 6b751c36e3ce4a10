import {
  InvalidArgumentError,
  type Policy,
  type PreferencePair,
  type PromptExample,
  type SampleResult,
  type StageShard,
  shardRange,
  type Tokenizer,
  throwIfAborted,
} from '@ocrm/core';

/** Options of {@link samplePairs}. */
export interface SamplePairsOptions {
  /** Response positions generated (`lengthMode: 'fixed'`); the task's `maxResponseTokens`. */
  maxNewTokens: number;
  /** Passes over the prompts; each pass gives one pair per prompt. Default 1. */
  passes?: number;
  /** Pure temperature sampling (no top-k/top-p: the importance weights assume it). Default 1.0. */
  temperature?: number;
  /** Seed of the policy's counter-based RNG. Default 0. */
  seed?: number;
  /** Rows sampled together inside the policy. Policy default when omitted. */
  microBatchSize?: number;
  /** Prompts per `policy.sample` call (each gives 2 rows). Default 64. */
  promptsPerCall?: number;
  /** Called after each `policy.sample` call with the number of pairs done and the total. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Only shard `index` of `count`: the (pass, call) units in pass-major order are split into `count` contiguous runs
   * of whole calls; each call keeps its RNG stream, so the shards' pairs concatenated in order are the unsharded pairs.
   */
  shard?: StageShard;
}

/**
 * Samples two independent responses per prompt from `policy` (pure temperature sampling, `lengthMode: 'fixed'`,
 * everything after the first EOS is padding) and returns unlabelled pairs (`chosen` = first sample, `rejected` =
 * second). Each response keeps its ids through the first EOS, its decoded text (without the EOS; other special
 * tokens the policy produced are kept, `skipSpecialTokens: false`, so the judge sees them) and its summed log-prob
 * through the first EOS under the sampling distribution (`logpSampler*`; at `temperature` ≠ 1 that is the tempered
 * distribution), and `samplerTemperature`. Pair ids: `{promptId}-p{pass}`.
 *
 * RNG: call c of pass p uses `{ seed, stream: p * 100003 + c }`; both samples of a prompt are rows of the same call.
 * @throws InvalidArgumentError for bad options.
 */
export async function samplePairs(
  policy: Policy,
  prompts: readonly PromptExample[],
  tokenizer: Tokenizer,
  options: SamplePairsOptions,
): Promise<PreferencePair[]> {
  const { maxNewTokens, passes = 1, temperature = 1, seed = 0, promptsPerCall = 64 } = options;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new InvalidArgumentError(
      `samplePairs: maxNewTokens must be a positive integer, got ${maxNewTokens}`,
    );
  }
  if (!Number.isInteger(passes) || passes < 1) {
    throw new InvalidArgumentError(`samplePairs: passes must be a positive integer, got ${passes}`);
  }
  if (!(temperature > 0))
    throw new InvalidArgumentError(`samplePairs: temperature must be > 0, got ${temperature}`);
  const promptIds = prompts.map((p) => tokenizer.encode(p.prompt));
  const pairs: PreferencePair[] = [];
  const calls = Math.ceil(prompts.length / promptsPerCall);
  const [first, last] = shardUnits(passes * calls, options.shard);
  let total = 0;
  for (let unit = first; unit < last; unit++) {
    const start = (unit % calls) * promptsPerCall;
    total += Math.min(prompts.length, start + promptsPerCall) - start;
  }
  for (let pass = 0; pass < passes; pass++) {
    for (let start = 0, call = 0; start < prompts.length; start += promptsPerCall, call++) {
      const unit = pass * calls + call;
      if (unit < first || unit >= last) continue;
      throwIfAborted(options.signal);
      const end = Math.min(prompts.length, start + promptsPerCall);
      const rows = promptIds.slice(start, end).flatMap((ids) => [ids, ids]);
      const result = await policy.sample(rows, {
        temperature,
        maxNewTokens,
        lengthMode: 'fixed',
        seed,
        stream: pass * 100003 + call,
        microBatchSize: options.microBatchSize,
        signal: options.signal,
      });
      for (let i = start; i < end; i++) {
        const prompt = prompts[i] as PromptExample;
        const a = responseOf(result, 2 * (i - start), tokenizer);
        const b = responseOf(result, 2 * (i - start) + 1, tokenizer);
        pairs.push({
          id: `${prompt.id}-p${pass}`,
          prompt: prompt.prompt,
          chosen: a.text,
          rejected: b.text,
          promptIds: [...(promptIds[i] as number[])],
          chosenIds: a.ids,
          rejectedIds: b.ids,
          logpSamplerChosen: a.logp,
          logpSamplerRejected: b.logp,
          samplerTemperature: temperature,
        });
      }
      options.onProgress?.(pairs.length, total);
    }
  }
  return pairs;
}

/** The units `[first, last)` of shard `index` of `count` among `units` (`shardRange` of `@ocrm/core`). */
export const shardUnits: (units: number, shard?: StageShard) => [number, number] = shardRange;

/** Response ids of row `row` through the first EOS, their text (EOS excluded) and summed log-prob. */
function responseOf(result: SampleResult, row: number, tokenizer: Tokenizer) {
  const { batch } = result;
  const start = row * batch.seqLength + batch.promptLength;
  const ids: number[] = [];
  for (let t = start; t < (row + 1) * batch.seqLength; t++) {
    if (batch.mask[t] !== 1) break;
    const id = batch.ids[t] as number;
    ids.push(id);
    if (id === tokenizer.eosId) break;
  }
  const ended = ids.length > 0 && ids[ids.length - 1] === tokenizer.eosId;
  // special tokens other than the final EOS stay in the text, so judges see everything the policy produced
  const text = tokenizer.decode(ended ? ids.slice(0, -1) : ids, { skipSpecialTokens: false });
  return { ids, text, logp: result.logProbSums[row] as number };
}
