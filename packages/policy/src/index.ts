/**
 * @packageDocumentation
 * Causal-LM policy for RLHF: sampling with a KV cache, per-token log-probs, supervised fine-tuning.
 */
export { CausalLMPolicy, type LoadPolicyOptions, type PolicyTokenIds } from './causal-lm-policy';
export { responseLogits, responseLogProbs, responseTokenStats } from './response-log-probs';
export { argmax, chooseToken, type TokenFilter } from './sampling/choose-token';
export { type FinalizedResponses, finalizeResponses } from './sampling/finalize-responses';
export { generate, type SpecialIds } from './sampling/generate';
export { kvCacheDecoder } from './sampling/kv-cache-decoder';
export {
  DEFAULT_SAMPLE_MICRO_BATCH,
  type ResolvedSampleOptions,
  resolveSampleOptions,
} from './sampling/sample-options';
export type { StepDecoder, StepDecoderFactory } from './sampling/step-decoder';
export { DEFAULT_SFT_CONFIG, resolveSftConfig, type SftConfig } from './sft/sft-config';
export {
  type EncodedSftExample,
  encodeSftExamples,
  type NextTokenTargets,
  nextTokenTargets,
} from './sft/sft-data';
export { sftLoss, sftTokenCount } from './sft/sft-loss';
export { sftTrainer } from './sft/sft-trainer';
export { type SftResult, sftEvalLoss, type TrainSftOptions, trainSft, trainSftIter } from './sft/train-sft';
