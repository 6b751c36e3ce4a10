/**
 * Example: the reward-model stage replaced by an ensemble of k reward models (mean or worst-case score), trained on
 * the OCRM weights like the reference reward model. Plug it in with
 * `runPipeline(config, { stages: { rewardModelTrainer: ensembleRewardModelTrainer({ members: 3, aggregate: 'min' }) } })`.
 */
export { type EnsembleAggregate, EnsembleRewardModel } from './ensemble-reward-model';
export { type EnsembleTrainerOptions, ensembleRewardModelTrainer } from './ensemble-trainer';
