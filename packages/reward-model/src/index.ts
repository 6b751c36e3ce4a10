/**
 * @packageDocumentation
 * Scalar reward model and PPO critic with importance-weighted Bradley-Terry training.
 */
export {};
