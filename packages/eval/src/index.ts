/**
 * @packageDocumentation
 * Gold score, win rate, KL to SFT, on-policy reward-model accuracy, overoptimization curves and the HTML report.
 */
export {};
