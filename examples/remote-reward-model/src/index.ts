/**
 * Example: a reward-model stage that is not TensorFlow.js — trained and scored by another process over HTTP
 * (`server/reward-server.mjs`). Plug it in with `runPipeline(config, { stages: { rewardModelTrainer:
 * remoteRewardModelTrainer({ url, vocabSize }) } })` and a critic-free optimizer (`policyOptimizer: rloo`).
 */
export { postJson, postJsonSync } from './post-json';
export { type RemoteModelState, RemoteRewardModel, responseIds } from './remote-reward-model';
export { type RemoteTrainerOptions, remoteRewardModelTrainer } from './remote-trainer';
