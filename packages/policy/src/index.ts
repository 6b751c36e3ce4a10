/**
 * @packageDocumentation
 * Causal-LM policy for RLHF: sampling with a KV cache, per-token log-probs, supervised fine-tuning.
 */
export {};
