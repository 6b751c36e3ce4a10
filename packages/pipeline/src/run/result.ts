/** Metrics of one OCRM round (or the single round of `rlhf`, or the DPO/WPO policy), as printed and reported. */
export interface RoundSummary {
  round: number;
  /** Stage whose policy was evaluated (`ppo-2`, `dpo`). */
  stage: string;
  /** Mean gold score of argmax responses on held-out prompts. */
  gold: number;
  /** Gold win rate against the reference responses (strict >). */
  winRate: number;
  /** KL to SFT (sampled at the rollout temperature). */
  klToSft: number;
  /** Mean proxy (reward-model) score of the argmax responses. */
  proxy?: number;
  /** Accuracy of this round's RM against gold labels on fresh pairs from the policy it was trained for. */
  rmAccuracyOnPolicy?: number;
  /** Accuracy of this round's RM on held-out SFT pairs. */
  rmAccuracySft?: number;
  /** Effective sample size fraction of this round's weights (rounds ≥ 2 of `ocrm`). */
  essFraction?: number;
}

/** What `runPipeline` returns; also written to `summary.json` in the run directory. */
export interface PipelineResult {
  outDir: string;
  method: string;
  seed: number;
  /** The SFT policy's metrics (round 0). */
  sft: RoundSummary;
  rounds: RoundSummary[];
  /** Wall time per stage in seconds (stages skipped on resume are absent). */
  stageSeconds: Record<string, number>;
  /** Peak resident set size of the process, MiB. */
  peakRssMiB: number;
  reportPath?: string;
}
