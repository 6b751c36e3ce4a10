import type { WeightDiagnostics } from './weighting';

/**
 * Everything the report needs about one run (one method, one seed). The pipeline builds it from the run directory;
 * anyone can build it by hand (all plain JSON). Metric names are the stable slash names: `eval/gold`,
 * `eval/win_rate`, `eval/proxy`, `eval/kl_sft`, `eval/length`, `eval/eos_rate`, `rm/accuracy`, ...
 *
 * @example
 * const run: RunSummary = {
 *   method: 'ocrm', seed: 1,
 *   rounds: [{ round: 1, metrics: { 'eval/gold': 0.4 }, rmAccuracy: { accuracy: 0.61, spearman: 0.3, n: 200 } }],
 *   curve: [{ round: 1, update: 10, metrics: { 'eval/gold': 0.4, 'eval/proxy': 1.2, 'eval/kl_sft': 3.1 } }],
 *   config: { ppo: { klCoef: 0.05 } },
 * };
 */
export interface RunSummary {
  /** Method: e.g. `ocrm`, `rlhf`, `iterated`, `dpo`, `wpo`. Reports group runs by their label without `(seed N)`, else by it. */
  method: string;
  /** Seed of the run (runs of one method differ only by it). */
  seed: number;
  /** Display name; default `${method} (seed ${seed})`. Must be unique across the runs of a report. */
  label?: string;
  /** One entry per OCRM round (1-based), in order. Methods without rounds (DPO) give one. */
  rounds: RoundSummary[];
  /** Evaluation points along training (PPO `onEval`), in order: the overoptimization curve. */
  curve?: CurvePoint[];
  /** Final metrics; default: the last round's `metrics`, else the last curve point's. */
  final?: Record<string, number>;
  /** The resolved configuration (any JSON), shown verbatim. */
  config?: unknown;
}

/** One OCRM round of a run. */
export interface RoundSummary {
  /** 1-based round index. */
  round: number;
  /** Metrics at the end of the round (evaluation of policy_k). */
  metrics?: Record<string, number>;
  /** Diagnostics of the weights RM_k was trained with (absent for uniform weighting, e.g. round 1). */
  weights?: WeightDiagnostics;
  /** On-policy accuracy of RM_k on pairs sampled from the policy it was used with. */
  rmAccuracy?: { accuracy: number; spearman?: number; n?: number };
}

/** One evaluation during training. */
export interface CurvePoint {
  /** Round the point belongs to. */
  round: number;
  /** Cumulative PPO update index over the whole run (x axis of the "vs update" charts). */
  update: number;
  /** Usually `eval/gold`, `eval/proxy`, `eval/kl_sft`. */
  metrics: Record<string, number>;
}
