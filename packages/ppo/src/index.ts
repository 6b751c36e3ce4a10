/**
 * @packageDocumentation
 * PPO for language models with the published RLHF implementation details.
 */
export {};
