import { buildTokenBatch } from '../batch/build-token-batch';
import { resolveRowRange } from '../batch/row-range';
import type { SampleOptions, SampleResult } from '../contracts/policy';
import type { TokenBatch } from '../contracts/token-batch';
import { InvalidArgumentError, throwIfAborted } from '../errors';
import { type Rng, rng } from '../rng/rng';

/**
 * Host-side sampling shared by the test policies (`createTinyPolicy`, `MockPolicy`): one next-token distribution per
 * row from raw logits, with temperature (0 = argmax), top-k and top-p, drawn from the counter-based RNG.
 */

/** Computes next-token logits `[B, V]` (row-major) at the LAST position of every row of `batch`. */
export type NextLogitsFn = (batch: TokenBatch) => Float32Array;

/** Static facts about the policy being sampled. */
export interface SamplerSpec {
  vocabSize: number;
  eosId: number;
  padId: number;
  /** Longest sequence (prompt + response) the model accepts, when it has a limit. */
  maxLength?: number;
}

/** Checks sampling options; throws InvalidArgumentError naming the bad field. */
export function checkSampleOptions(options: SampleOptions, spec: SamplerSpec): void {
  const { temperature, topK, topP, maxNewTokens, seed } = options;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new InvalidArgumentError(
      `sample: \`temperature\` must be a finite number ≥ 0, got ${temperature}.`,
    );
  }
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) {
    throw new InvalidArgumentError(`sample: \`topK\` must be a positive integer, got ${topK}.`);
  }
  if (topP !== undefined && !(topP > 0 && topP <= 1)) {
    throw new InvalidArgumentError(`sample: \`topP\` must be in (0, 1], got ${topP}.`);
  }
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new InvalidArgumentError(
      `sample: \`maxNewTokens\` must be a positive integer, got ${maxNewTokens}.`,
    );
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidArgumentError(`sample: \`seed\` must be a non-negative integer, got ${seed}.`);
  }
  if (spec.vocabSize < 1) throw new InvalidArgumentError('sample: empty vocabulary.');
}

/**
 * Picks one token from raw logits `[V]` (float64 math). Returns the token and its log-prob under the distribution it
 * was drawn from: tempered and truncated by top-k/top-p; at temperature 0 (argmax, no division) the log-prob of the
 * argmax under the untempered (temperature 1) distribution.
 */
export function pickToken(
  logits: ArrayLike<number>,
  options: Pick<SampleOptions, 'temperature' | 'topK' | 'topP'>,
  r: Rng,
): { token: number; logProb: number } {
  const V = logits.length;
  if (options.temperature === 0) {
    let best = 0;
    for (let v = 1; v < V; v++) if ((logits[v] as number) > (logits[best] as number)) best = v;
    return { token: best, logProb: (logits[best] as number) - logSumExp(logits, 1, allIndices(V)) };
  }
  const t = options.temperature;
  let kept = allIndices(V);
  if (options.topK !== undefined && options.topK < V) {
    kept = sortByLogitDesc(logits, kept).slice(0, options.topK);
  }
  if (options.topP !== undefined && options.topP < 1) {
    const sorted = sortByLogitDesc(logits, kept);
    const lse = logSumExp(logits, t, sorted);
    let mass = 0;
    let n = 0;
    while (n < sorted.length) {
      mass += Math.exp((logits[sorted[n] as number] as number) / t - lse);
      n++;
      if (mass >= options.topP) break;
    }
    kept = sorted.slice(0, n);
  }
  const lse = logSumExp(logits, t, kept);
  const u = r.uniform();
  let cumulative = 0;
  let token = kept[kept.length - 1] as number;
  for (const v of kept) {
    cumulative += Math.exp((logits[v] as number) / t - lse);
    if (u < cumulative) {
      token = v;
      break;
    }
  }
  return { token, logProb: (logits[token] as number) / t - lse };
}

function allIndices(V: number): number[] {
  return Array.from({ length: V }, (_, v) => v);
}

function sortByLogitDesc(logits: ArrayLike<number>, indices: number[]): number[] {
  return [...indices].sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
}

function logSumExp(logits: ArrayLike<number>, t: number, indices: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of indices) max = Math.max(max, (logits[v] as number) / t);
  let sum = 0;
  for (const v of indices) sum += Math.exp((logits[v] as number) / t - max);
  return max + Math.log(sum);
}

/**
 * The whole sampling loop: generates up to `maxNewTokens` per prompt, one forward per step, in micro-batches. Row `i`
 * draws from `rng(seed, stream, i)`, so results do not depend on the micro-batch size. A row stops at its first EOS
 * (later positions are padding: `padId`, mask 0, log-prob 0). `lengthMode: 'fixed'` (default) returns exactly
 * `maxNewTokens` response positions; `'stopAtEos'` returns as many as the longest response. `options.rows` samples
 * those rows only (padded to the longest of all prompts).
 */
export async function runSampling(
  prompts: readonly ArrayLike<number>[],
  options: SampleOptions,
  spec: SamplerSpec,
  nextLogits: NextLogitsFn,
): Promise<SampleResult> {
  checkSampleOptions(options, spec);
  const range = resolveRowRange(options.rows, prompts.length, 'sample');
  const B = range.end - range.start;
  const maxNew = options.maxNewTokens;
  const promptLength = prompts.reduce((m, p) => Math.max(m, p.length), 0);
  if (promptLength === 0 && B > 0) {
    throw new InvalidArgumentError(
      'sample: every prompt is empty; give at least one prompt token (e.g. BOS).',
    );
  }
  if (spec.maxLength !== undefined && promptLength + maxNew > spec.maxLength) {
    throw new InvalidArgumentError(
      `sample: prompt length ${promptLength} + maxNewTokens ${maxNew} exceeds the model's maxLength ${spec.maxLength}.`,
      { hint: 'shorten the prompts or lower maxNewTokens' },
    );
  }
  const micro = options.microBatchSize ?? Math.max(B, 1);
  const responses: number[][] = [];
  const logProbRows: number[][] = [];
  for (let start = range.start; start < range.end; start += micro) {
    const chunk = prompts.slice(start, Math.min(start + micro, range.end));
    const rngs = chunk.map((_, i) => rng(options.seed, options.stream ?? 0, start + i));
    const out = chunk.map(() => [] as number[]);
    const lps = chunk.map(() => [] as number[]);
    const ended = chunk.map(() => false);
    for (let t = 0; t < maxNew && ended.some((e) => !e); t++) {
      throwIfAborted(options.signal);
      const batch = buildTokenBatch({ prompts: chunk, responses: out, padId: spec.padId, promptLength });
      const logits = nextLogits(batch);
      chunk.forEach((_, i) => {
        if (ended[i]) return;
        const row = logits.subarray(i * spec.vocabSize, (i + 1) * spec.vocabSize);
        const { token, logProb } = pickToken(row, options, rngs[i] as Rng);
        out[i]?.push(token);
        lps[i]?.push(logProb);
        if (token === spec.eosId) ended[i] = true;
      });
      await Promise.resolve();
    }
    responses.push(...out);
    logProbRows.push(...lps);
  }
  const responseLength =
    (options.lengthMode ?? 'fixed') === 'fixed'
      ? maxNew
      : responses.reduce((m, r) => Math.max(m, r.length), 0);
  const batch = buildTokenBatch({
    prompts: prompts.slice(range.start, range.end),
    responses,
    padId: spec.padId,
    promptLength,
    responseLength,
  });
  const logProbs = new Float32Array(B * responseLength);
  const logProbSums = new Float64Array(B);
  const hasEos = new Uint8Array(B);
  logProbRows.forEach((row, b) => {
    row.forEach((lp, t) => {
      logProbs[b * responseLength + t] = lp;
      logProbSums[b] = (logProbSums[b] as number) + lp;
    });
    hasEos[b] = responses[b]?.includes(spec.eosId) ? 1 : 0;
  });
  return { batch, logProbs, logProbSums, hasEos };
}
