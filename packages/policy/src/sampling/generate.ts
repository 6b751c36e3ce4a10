import {
  buildTokenBatch,
  InvalidArgumentError,
  resolveRowRange,
  rng,
  type SampleOptions,
  type SampleResult,
  sliceBatch,
  throwIfAborted,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { argmax, chooseToken } from './choose-token';
import { finalizeResponses } from './finalize-responses';
import { resolveSampleOptions } from './sample-options';
import type { StepDecoderFactory } from './step-decoder';

/** Token ids a policy needs to finish responses. */
export interface SpecialIds {
  eosId: number;
  padId: number;
}

/**
 * Host copy of one step's next-token distribution: log-probs of `softmax(logits / τ)` (τ = 1 when temperature is
 * 0) and, for argmax, the raw logits. Disposes `logits`.
 */
async function hostStep(
  logits: tf.Tensor2D,
  temperature: number,
): Promise<{ logProbs: Float32Array; raw?: Float32Array }> {
  const logProbsT = tf.tidy(() =>
    tf.logSoftmax(temperature > 0 && temperature !== 1 ? tf.div(logits, temperature) : logits),
  );
  try {
    const logProbs = (await logProbsT.data()) as Float32Array;
    const raw = temperature === 0 ? ((await logits.data()) as Float32Array) : undefined;
    return { logProbs, raw };
  } finally {
    tf.dispose([logProbsT, logits]);
  }
}

/**
 * Samples one response per prompt, micro-batch by micro-batch, with a KV-cached decoder: prompts are left-padded to
 * the longest prompt, prefilled, then one token per row and step. Row r draws its s-th uniform from
 * `rng(seed, stream, r)` (as core's test policies do), so results do not depend on the micro-batch size; with
 * `options.rows` only those rows are sampled (padded to the longest of all prompts), the same numbers.
 *
 * Length modes: `'fixed'` generates exactly `maxNewTokens` tokens (EOS does not stop), `'stopAtEos'` stops once every
 * row of the micro-batch has an EOS; in both, everything after a row's first EOS becomes padding. The batch has
 * `maxNewTokens` response positions in fixed mode, as many as the longest response in stopAtEos mode.
 *
 * The returned log-probs are those of the distribution each token was drawn from: `softmax(logits / τ)`,
 * renormalised over the kept tokens under top-k/top-p; at temperature 0 (argmax) the temperature-1 log-prob of the
 * chosen token.
 *
 * @returns host arrays only; no tensor outlives the call.
 */
export async function generate(
  makeDecoder: StepDecoderFactory,
  prompts: readonly ArrayLike<number>[],
  options: SampleOptions,
  ids: SpecialIds,
): Promise<SampleResult> {
  const o = resolveSampleOptions(options);
  const range = resolveRowRange(options.rows, prompts.length, 'sample');
  const N = o.maxNewTokens;
  prompts.forEach((p, i) => {
    if (p.length === 0)
      throw new InvalidArgumentError(`sample: prompt ${i} is empty; give at least one token.`);
  });
  const P = prompts.reduce((m, p) => Math.max(m, p.length), 0); // every prompt's, not only these rows'
  const rowPrompts = prompts.slice(range.start, range.end);
  const B = rowPrompts.length;
  const promptBatch = buildTokenBatch({ prompts: rowPrompts, padId: ids.padId, promptLength: P });
  const tokens = new Int32Array(B * N).fill(ids.padId);
  const tokenLogProbs = new Float32Array(B * N);
  const ended = new Uint8Array(B);
  const filter = { topK: o.topK, topP: o.topP };
  for (let start = 0; start < B; start += o.microBatchSize) {
    const end = Math.min(B, start + o.microBatchSize);
    const rows = end - start;
    const decoder = makeDecoder(sliceBatch(promptBatch, start, end), N);
    const rowRngs = Array.from({ length: rows }, (_, r) => rng(o.seed, o.stream, range.start + start + r));
    let logits: tf.Tensor2D | undefined;
    try {
      logits = decoder.prefill();
      for (let step = 0; step < N; step++) {
        throwIfAborted(o.signal);
        const { logProbs, raw } = await hostStep(logits, o.temperature);
        logits = undefined;
        const V = logProbs.length / rows;
        const next = new Int32Array(rows);
        for (let r = 0; r < rows; r++) {
          const b = start + r;
          const u = rowRngs[r]!.uniform();
          const { token, logKeptMass } = raw
            ? { token: argmax(raw, r * V, V), logKeptMass: 0 }
            : chooseToken(logProbs, u, filter, r * V, V);
          next[r] = token;
          tokens[b * N + step] = token;
          tokenLogProbs[b * N + step] = logProbs[r * V + token]! - logKeptMass;
          if (token === ids.eosId) ended[b] = 1;
        }
        const allEnded = ended.subarray(start, end).every((e) => e === 1);
        if (step === N - 1 || (o.lengthMode === 'stopAtEos' && allEnded)) break;
        logits = decoder.step(next);
      }
    } finally {
      logits?.dispose();
      decoder.dispose();
    }
  }
  return assemble(rowPrompts, tokens, tokenLogProbs, B, N, promptBatch.promptLength, ids, o.lengthMode);
}

function assemble(
  prompts: readonly ArrayLike<number>[],
  tokens: Int32Array,
  tokenLogProbs: Float32Array,
  B: number,
  N: number,
  promptLength: number,
  ids: SpecialIds,
  lengthMode: 'fixed' | 'stopAtEos',
): SampleResult {
  const done = finalizeResponses(tokens, B, ids.eosId, ids.padId);
  const R = lengthMode === 'fixed' ? N : done.lengths.reduce((m, n) => Math.max(m, n), 0);
  const logProbs = new Float32Array(B * R);
  const logProbSums = new Float64Array(B);
  const responses: Int32Array[] = [];
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let t = 0; t < done.lengths[b]!; t++) {
      logProbs[b * R + t] = tokenLogProbs[b * N + t]!;
      sum += tokenLogProbs[b * N + t]!;
    }
    logProbSums[b] = sum;
    responses.push(done.ids.subarray(b * N, b * N + done.lengths[b]!));
  }
  const batch = buildTokenBatch({ prompts, responses, padId: ids.padId, promptLength, responseLength: R });
  return { batch, logProbs, logProbSums, hasEos: done.hasEos };
}
