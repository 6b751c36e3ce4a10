import type { SpecificationVersion } from './common';

/**
 * Input of a {@link WeightingStrategy}: summed response log-probs (through the first EOS) of each labelled pair
 * under the current policy (at the temperature it samples with) and under the *sampler* (the distribution the pairs
 * were drawn from, i.e. SFT at the pairs' temperature; never the PPO KL reference). Float64 host arrays of length N (pairs), in the pairs' order.
 */
export interface WeightingInput {
  logpPolicyChosen: Float64Array;
  logpPolicyRejected: Float64Array;
  logpSamplerChosen: Float64Array;
  logpSamplerRejected: Float64Array;
  /** Per-token log-probs, when a strategy truncates to the first K tokens: one array per pair and response. */
  perToken?: {
    policyChosen: Float32Array[];
    policyRejected: Float32Array[];
    samplerChosen: Float32Array[];
    samplerRejected: Float32Array[];
  };
}

/** What the weights do, for reports and warnings. Weights are `exp(logWeight)`. */
export interface WeightDiagnostics {
  n: number;
  min: number;
  mean: number;
  max: number;
  /** Quantiles of the weights at 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99. */
  quantiles: Record<string, number>;
  /** Histogram of log-weights: `edges.length === counts.length + 1`. */
  histogram: { edges: number[]; counts: number[] };
  /** Effective sample size `(Σw)² / Σw²`. */
  ess: number;
  /** `ess / n`. */
  essFraction: number;
  /** Fraction of pairs whose weight moved by more than 10 % from 1 (after normalisation to mean 1). */
  fractionMoved: number;
  /** Human-readable warnings (ESS > 0.99: no correction; ESS < 0.1: degenerate). */
  warnings: string[];
}

/** Output of a {@link WeightingStrategy}. */
export interface WeightingResult {
  /** One log-weight per pair, in input order. Finite. */
  logWeights: Float64Array;
  diagnostics: WeightDiagnostics;
}

/** The OCRM step's rule: how much each labelled pair counts when the reward model is re-trained. */
export interface WeightingStrategy {
  readonly specificationVersion: SpecificationVersion;
  readonly name: string;
  weigh(input: WeightingInput): WeightingResult;
}
