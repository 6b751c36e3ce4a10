/**
 * @packageDocumentation
 * Decoder-only transformer backbones (GPT-NeoX/Pythia, GPT-2, Qwen2/Llama) in TensorFlow.js with exact parity to Hugging Face transformers.
 */
export {};
