import type { SpecificationVersion } from './common';
import type { Policy } from './policy';

/** Where in a run an evaluation happens. */
export interface EvalContext {
  /** Pipeline stage, e.g. `ppo-2`. */
  stage?: string;
  /** OCRM round (1-based). */
  round?: number;
  /** PPO update index within the stage. */
  update?: number;
  signal?: AbortSignal;
}

/** Measures a policy. Metric names are slash-namespaced and stable (`eval/gold`, `eval/kl_sft`). */
export interface Evaluator {
  readonly specificationVersion: SpecificationVersion;
  readonly name: string;
  evaluate(policy: Policy, context: EvalContext): Promise<Record<string, number>>;
}
