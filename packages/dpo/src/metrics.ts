import { InvalidArgumentError } from '@ocrm/core';

/** Host sequence log-prob sums of N pairs (float64), as used for the reported metrics. */
export interface HostPairLogProbs {
  policyChosen: ArrayLike<number>;
  policyRejected: ArrayLike<number>;
  refChosen: ArrayLike<number>;
  refRejected: ArrayLike<number>;
}

/**
 * DPO's implicit-reward metrics under TRL's names, averaged over pairs:
 * - `rewards/chosen` = mean β (log π(y_w) − log π_ref(y_w)); `rewards/rejected` likewise for y_l;
 * - `rewards/margins` = mean of chosen − rejected reward (= β h); `rewards/accuracies` = fraction with margin > 0;
 * - `logps/chosen`, `logps/rejected` = mean policy sequence log-prob sums.
 * Host math (float64); no tensors. An empty input gives an empty record.
 */
export function dpoRewardMetrics(input: HostPairLogProbs, beta: number): Record<string, number> {
  const n = input.policyChosen.length;
  for (const key of ['policyRejected', 'refChosen', 'refRejected'] as const) {
    if (input[key].length !== n)
      throw new InvalidArgumentError(`${key} has ${input[key].length} entries, not ${n}`);
  }
  if (n === 0) return {};
  let chosen = 0;
  let rejected = 0;
  let margins = 0;
  let accuracies = 0;
  let logpChosen = 0;
  let logpRejected = 0;
  for (let i = 0; i < n; i++) {
    const rc = beta * (input.policyChosen[i]! - input.refChosen[i]!);
    const rr = beta * (input.policyRejected[i]! - input.refRejected[i]!);
    chosen += rc;
    rejected += rr;
    margins += rc - rr;
    if (rc > rr) accuracies++;
    logpChosen += input.policyChosen[i]!;
    logpRejected += input.policyRejected[i]!;
  }
  return {
    'rewards/chosen': chosen / n,
    'rewards/rejected': rejected / n,
    'rewards/margins': margins / n,
    'rewards/accuracies': accuracies / n,
    'logps/chosen': logpChosen / n,
    'logps/rejected': logpRejected / n,
  };
}

/** `log(1 + e^x)` in float64 without overflow. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Host (float64) value of one pair's loss from its margin `h`: DPO `(1−ε) softplus(−βh) + ε softplus(βh)` or IPO
 * `(h − 1/(2β))²`. For reporting; training uses the tensor versions.
 */
export function preferenceLossValue(
  h: number,
  options: { loss: 'sigmoid' | 'ipo'; beta: number; labelSmoothing?: number },
): number {
  if (options.loss === 'ipo') return (h - 1 / (2 * options.beta)) ** 2;
  const eps = options.labelSmoothing ?? 0;
  const z = options.beta * h;
  return (1 - eps) * softplus(-z) + eps * softplus(z);
}
