/**
 * @packageDocumentation
 * Hugging Face Hub access, tokenizers, dataset readers, pair sampling and gold labelling, and the built-in OCRM tasks.
 */
export {};
