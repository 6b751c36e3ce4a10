/**
 * @packageDocumentation
 * Gold score, win rate, KL to SFT, on-policy reward-model accuracy, overoptimization curves and the HTML report.
 */
export { responseIds, scoreBatch } from './batch-utils';
export { evaluateGold, type GoldEvalOptions, type GoldEvalRow } from './evaluate-gold';
export { type GoldRunEvaluatorConfig, goldRunEvaluator } from './gold-run-evaluator';
export { htmlReporter } from './html-reporter';
export { type KlOptions, klToReference, sampledLogRatios } from './kl-to-reference';
export { createPolicyEvaluator, type PolicyEvaluatorOptions } from './policy-evaluator';
export { buildCharts } from './report/charts';
export { exampleRunSummaries } from './report/example-runs';
export { countDataMarks, DATA_MARK_DESCRIPTIONS } from './report/marks';
export { METRIC_NAMES, type MetricName, metricHeader, metricName } from './report/metric-names';
export { type ChartSpec, renderChartSvg } from './report/render-chart';
export { REPORT_METRICS, type ReportOptions, renderReport, writeReport } from './report/render-report';
export {
  type CurvePoint,
  finalMetrics,
  type RoundSummary,
  type RunSummary,
  runGroup,
  runLabel,
} from './report/run-summary';
export {
  type LabelPairsFn,
  type OnPolicyAccuracyOptions,
  onPolicyRewardModelAccuracy,
  type RewardModelAccuracy,
  type RewardModelAccuracyOptions,
  rewardModelAccuracy,
  type SamplePairsFn,
} from './reward-model-accuracy';
export {
  averageRanks,
  type MeanInterval,
  mean,
  pearson,
  sampleStd,
  spearman,
  tInterval95,
  tQuantile975,
  tQuantileFromNormal,
  type WelchInterval,
  type WinRate,
  welchInterval,
  winRate,
} from './stats';
export { targetShardRange } from './target-shard-range';
