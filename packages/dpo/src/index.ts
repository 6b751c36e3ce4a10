/**
 * @packageDocumentation
 * DPO and WPO baselines trained on the same labelled preference pairs.
 */
export {};
