/**
 * @packageDocumentation
 * The OCRM step: sequence log-prob sums, importance weighting strategies and their diagnostics.
 */
export {};
