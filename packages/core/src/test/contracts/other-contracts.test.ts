import { describe, expect, it } from 'vitest';
import { SPECIFICATION_VERSION } from '../../contracts/common';
import type { Evaluator } from '../../contracts/evaluator';
import type { WeightDiagnostics, WeightingInput, WeightingStrategy } from '../../contracts/weighting';
import { CharTokenizer } from '../char-tokenizer';
import { MockPolicy } from '../mocks/mock-policy';
import {
  describeEvaluatorContract,
  describeTokenizerContract,
  describeWeightingStrategyContract,
  syntheticWeightingInput,
} from './other-contracts';

// Minimal reference implementations, written here only to exercise the suites.

function diagnose(logWeights: Float64Array): WeightDiagnostics {
  const w = Array.from(logWeights, Math.exp);
  const n = w.length;
  const sum = w.reduce((a, b) => a + b, 0);
  const ess = (sum * sum) / w.reduce((a, b) => a + b * b, 0);
  const sorted = [...w].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))] as number;
  const lo = Math.min(...logWeights);
  const hi = Math.max(...logWeights);
  const edges = [lo, (lo + hi) / 2, hi + 1e-12];
  const counts = [0, 0];
  for (const x of logWeights) counts[x < (edges[1] as number) ? 0 : 1]++;
  return {
    n,
    min: sorted[0] as number,
    mean: sum / n,
    max: sorted[n - 1] as number,
    quantiles: { '0.5': q(0.5) },
    histogram: { edges, counts },
    ess,
    essFraction: ess / n,
    fractionMoved: w.filter((x) => Math.abs(x / (sum / n) - 1) > 0.1).length / n,
    warnings: ess / n > 0.99 ? ['ESS > 0.99: the correction does nothing'] : [],
  };
}

function strategy(name: string, logWeight: (input: WeightingInput, i: number) => number): WeightingStrategy {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name,
    weigh(input) {
      const logWeights = Float64Array.from(input.logpPolicyChosen, (_, i) => logWeight(input, i));
      return { logWeights, diagnostics: diagnose(logWeights) };
    },
  };
}

const uniform = () => strategy('uniform', () => 0);
// λ (log r(chosen) + log r(rejected)) with alpha = 0: log r = S_pi - S_sft.
const importance = () =>
  strategy(
    'importance',
    (x, i) =>
      0.1 *
      ((x.logpPolicyChosen[i] as number) -
        (x.logpSamplerChosen[i] as number) +
        (x.logpPolicyRejected[i] as number) -
        (x.logpSamplerRejected[i] as number)),
  );

describeWeightingStrategyContract('uniform (reference)', uniform, { uniform: true });
describeWeightingStrategyContract('importance (reference)', importance);

const charTokenizer = () => new CharTokenizer(' .TVabcdefghijklmnopqrstuvwxyz');
describeTokenizerContract('character tokenizer (reference)', charTokenizer, {
  texts: ['hello world', 'The quick fox.'],
});

const meanLogProbEvaluator = (): Evaluator => ({
  specificationVersion: SPECIFICATION_VERSION,
  name: 'mean-logprob',
  async evaluate(policy) {
    const res = await policy.sample([[2], [3]], { temperature: 0, maxNewTokens: 4, seed: 0 });
    const mean = res.logProbSums.reduce((a, b) => a + b, 0) / res.logProbSums.length;
    return { 'eval/logprob': mean, 'eval/eos_rate': res.hasEos.reduce((a, b) => a + b, 0) / 2 };
  },
});
describeEvaluatorContract('mean log-prob (reference)', meanLogProbEvaluator, {
  policy: () => new MockPolicy(),
});

describe('syntheticWeightingInput', () => {
  it('is seeded', () => {
    expect(Array.from(syntheticWeightingInput(4, 3).logpPolicyChosen)).toEqual(
      Array.from(syntheticWeightingInput(4, 3).logpPolicyChosen),
    );
  });
});
