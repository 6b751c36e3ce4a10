import { describe, expect, it } from 'vitest';
import type { EvalContext, Evaluator } from '../../contracts/evaluator';
import type { GoldJudge } from '../../contracts/gold-judge';
import type { Policy } from '../../contracts/policy';
import type { Tokenizer } from '../../contracts/tokenizer';
import type { WeightingInput, WeightingStrategy } from '../../contracts/weighting';
import { rng } from '../../rng/rng';
import { expectNoLeak } from '../expect-no-leak';
import { MockPolicy } from '../mocks/mock-policy';
import { expectClose, expectFinite, itDeclaresVersionAndName } from './helpers';

/** Options of {@link describeGoldJudgeContract}. */
export interface GoldJudgeContractOptions {
  prompts?: string[];
  responses?: string[];
}

/**
 * A vitest suite every {@link GoldJudge} must pass: version and name, one finite score per response in order
 * (scoring responses together or one at a time gives the same numbers), deterministic, empty input → `[]`, accepts
 * `ended` flags.
 */
export function describeGoldJudgeContract(
  name: string,
  factory: () => GoldJudge | Promise<GoldJudge>,
  options: GoldJudgeContractOptions = {},
): void {
  const responses = options.responses ?? ['a good answer', 'bad', 'good good', ''];
  const prompts = options.prompts ?? responses.map((_, i) => `prompt ${i}:`);
  describe(`GoldJudge contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('returns one finite score per response, in order, deterministically', async () => {
      const judge = await factory();
      const scores = await judge.score(prompts, responses);
      expect(scores).toHaveLength(responses.length);
      expectFinite(scores, 'scores');
      expect(await judge.score(prompts, responses)).toEqual(scores);
      const one = await Promise.all(
        responses.map(async (r, i) => (await judge.score([prompts[i] as string], [r]))[0]),
      );
      expectClose(one as number[], scores, 1e-6, 'scores one at a time');
      const reversed = await judge.score([...prompts].reverse(), [...responses].reverse());
      expectClose(reversed.reverse(), scores, 1e-6, 'scores of the reversed list');
    });

    it('accepts an empty list and ended flags', async () => {
      const judge = await factory();
      expect(await judge.score([], [])).toEqual([]);
      const flagged = await judge.score(
        prompts,
        responses,
        responses.map((_, i) => i % 2 === 0),
      );
      expect(flagged).toHaveLength(responses.length);
      expectFinite(flagged, 'scores with ended flags');
    });
  });
}

/** Options of {@link describeWeightingStrategyContract}. */
export interface WeightingContractOptions {
  /** The strategy ignores the log-probs: every log-weight is 0. */
  uniform?: boolean;
  /** Policy = sampler gives log-weights 0 (true for uniform and importance weighting; default true). */
  identityWhenEqual?: boolean;
  /** Pairs in the synthetic input (default 32). */
  n?: number;
}

/** Synthetic input: sampler sums in [-20, -5], policy = sampler + N(0, 2²). */
export function syntheticWeightingInput(n: number, seed = 0): WeightingInput {
  const r = rng(seed, 0, 0);
  const make = () => Float64Array.from({ length: n }, () => -5 - 15 * r.uniform());
  const logpSamplerChosen = make();
  const logpSamplerRejected = make();
  return {
    logpSamplerChosen,
    logpSamplerRejected,
    logpPolicyChosen: logpSamplerChosen.map((x) => x + 2 * r.normal()),
    logpPolicyRejected: logpSamplerRejected.map((x) => x + 2 * r.normal()),
  };
}

function permuteInput(input: WeightingInput, order: number[]): WeightingInput {
  const pick = (a: Float64Array) => Float64Array.from(order, (i) => a[i] as number);
  return {
    logpPolicyChosen: pick(input.logpPolicyChosen),
    logpPolicyRejected: pick(input.logpPolicyRejected),
    logpSamplerChosen: pick(input.logpSamplerChosen),
    logpSamplerRejected: pick(input.logpSamplerRejected),
  };
}

/**
 * A vitest suite every {@link WeightingStrategy} must pass: one finite log-weight per pair (Float64Array, input
 * order: permuting the pairs permutes the weights), λ-free uniform → all 0, policy = sampler → all 0, diagnostics
 * consistent with `exp(logWeights)` (ESS `(Σw)²/Σw²`, min/max, histogram counts summing to n), input untouched.
 */
export function describeWeightingStrategyContract(
  name: string,
  factory: () => WeightingStrategy,
  options: WeightingContractOptions = {},
): void {
  const n = options.n ?? 32;
  describe(`WeightingStrategy contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('returns one finite log-weight per pair, in input order, and leaves the input untouched', () => {
      const input = syntheticWeightingInput(n);
      const copy = JSON.stringify(Object.values(input).map((a) => Array.from(a as Float64Array)));
      const { logWeights } = factory().weigh(input);
      expect(logWeights).toBeInstanceOf(Float64Array);
      expect(logWeights).toHaveLength(n);
      expectFinite(logWeights, 'logWeights');
      expect(JSON.stringify(Object.values(input).map((a) => Array.from(a as Float64Array)))).toBe(copy);
      const order = Array.from({ length: n }, (_, i) => (i * 7 + 3) % n);
      const permuted = factory().weigh(permuteInput(input, order)).logWeights;
      expectClose(
        permuted,
        order.map((i) => logWeights[i] as number),
        1e-9,
        'log-weights of permuted pairs',
      );
      if (options.uniform) expect(Array.from(logWeights)).toEqual(Array(n).fill(0));
    });

    it.skipIf(options.identityWhenEqual === false)('policy = sampler gives log-weights 0', () => {
      const input = syntheticWeightingInput(n, 1);
      const equal = {
        ...input,
        logpPolicyChosen: input.logpSamplerChosen,
        logpPolicyRejected: input.logpSamplerRejected,
      };
      expectClose(factory().weigh(equal).logWeights, new Float64Array(n), 1e-9, 'log-weights');
    });

    it('diagnostics are consistent with exp(logWeights)', () => {
      const { logWeights, diagnostics: d } = factory().weigh(syntheticWeightingInput(n, 2));
      const w = Array.from(logWeights, Math.exp);
      const sum = w.reduce((a, b) => a + b, 0);
      const ess = (sum * sum) / w.reduce((a, b) => a + b * b, 0);
      expect(d.n).toBe(n);
      expect(Math.abs(d.ess - ess) / ess, `ess ${d.ess} vs ${ess}`).toBeLessThan(1e-6);
      expect(Math.abs(d.essFraction - d.ess / n)).toBeLessThan(1e-9);
      expect(d.min).toBeLessThanOrEqual(d.mean + 1e-12);
      expect(d.mean).toBeLessThanOrEqual(d.max + 1e-12);
      expect(d.histogram.edges.length).toBe(d.histogram.counts.length + 1);
      expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(Array.isArray(d.warnings) && d.warnings.every((x) => typeof x === 'string')).toBe(true);
      expectFinite([d.min, d.mean, d.max, d.fractionMoved, ...Object.values(d.quantiles)], 'diagnostics');
    });
  });
}

/** Options of {@link describeTokenizerContract}. */
export interface TokenizerContractOptions {
  /** Texts that must survive `decode(encode(text))` unchanged (default: a few ASCII strings). */
  texts?: string[];
}

/**
 * A vitest suite every {@link Tokenizer} must pass: version, integer special ids, encode → integer ids in
 * `[0, vocabSize)` with no special tokens added, `decode(encode(text)) === text`, EOS/PAD skipped by `decode`.
 */
export function describeTokenizerContract(
  name: string,
  factory: () => Tokenizer | Promise<Tokenizer>,
  options: TokenizerContractOptions = {},
): void {
  const texts = options.texts ?? ['hello world', 'a b c', 'The quick brown fox.'];
  describe(`Tokenizer contract: ${name}`, () => {
    it("declares specificationVersion 'v1' and integer vocabSize, eosId, padId", async () => {
      const tok = await factory();
      expect(tok.specificationVersion).toBe('v1');
      expect(Number.isInteger(tok.vocabSize) && tok.vocabSize > 0).toBe(true);
      expect(Number.isInteger(tok.eosId) && tok.eosId >= 0 && tok.eosId < tok.vocabSize).toBe(true);
      expect(Number.isInteger(tok.padId) && tok.padId >= 0).toBe(true);
    });

    it('encodes to integer ids in [0, vocabSize) without special tokens, and decodes back', async () => {
      const tok = await factory();
      for (const text of texts) {
        const ids = tok.encode(text);
        expect(ids.length, `encode(${JSON.stringify(text)})`).toBeGreaterThan(0);
        for (const id of ids) {
          expect(Number.isInteger(id) && id >= 0 && id < tok.vocabSize, `id ${id}`).toBe(true);
          expect(id, 'encode adds no EOS').not.toBe(tok.eosId);
        }
        expect(tok.decode(ids)).toBe(text);
        expect(tok.decode([...ids, tok.eosId]), 'decode skips EOS by default').toBe(text);
      }
      expect(tok.encode('')).toEqual([]);
      expect(tok.decode([])).toBe('');
    });
  });
}

/** Options of {@link describeEvaluatorContract}. */
export interface EvaluatorContractOptions {
  /** The policy to evaluate (default a `MockPolicy`). */
  policy?: () => Policy | Promise<Policy>;
  context?: EvalContext;
  /** Check that two calls give the same metrics (default true). */
  deterministic?: boolean;
}

/**
 * A vitest suite every {@link Evaluator} must pass: version and name, a record of finite numbers with
 * slash-namespaced names (`eval/gold`), deterministic, no tensor leaks.
 */
export function describeEvaluatorContract(
  name: string,
  factory: () => Evaluator | Promise<Evaluator>,
  options: EvaluatorContractOptions = {},
): void {
  const makePolicy = options.policy ?? (() => new MockPolicy());
  const context = options.context ?? { stage: 'test', round: 1, update: 0 };
  describe(`Evaluator contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('returns finite, slash-namespaced metrics, deterministically, leaking no tensors', async () => {
      const evaluator = await factory();
      const policy = await makePolicy();
      try {
        const metrics = await expectNoLeak(() => evaluator.evaluate(policy, context), { label: 'evaluate' });
        const names = Object.keys(metrics);
        expect(names.length).toBeGreaterThan(0);
        for (const key of names) expect(key, 'metric names are slash-namespaced').toMatch(/^[^/\s]+\/\S+$/);
        expectFinite(Object.values(metrics), 'metrics');
        if (options.deterministic ?? true) expect(await evaluator.evaluate(policy, context)).toEqual(metrics);
      } finally {
        policy.dispose();
      }
    });
  });
}
