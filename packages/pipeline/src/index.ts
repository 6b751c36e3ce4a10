/**
 * @packageDocumentation
 * runPipeline: composes the @ocrm stages into the RLHF / OCRM pipeline with presets, run directory and resume.
 */
export {};
