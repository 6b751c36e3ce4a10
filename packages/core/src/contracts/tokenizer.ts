import type { SpecificationVersion } from './common';

/**
 * Text ⇄ token ids. Implementations: `@ocrm/data` (Hugging Face `tokenizer.json`), the built-in tasks' tokenizers.
 *
 * `encode` adds no special tokens: callers append `eosId` to responses themselves. `padId` is the id stored in files
 * and host batches at padded positions; models never embed it (they receive id 0 at masked positions), so a PAD id
 * without an embedding row (GPT-2) is fine.
 */
export interface Tokenizer {
  readonly specificationVersion: SpecificationVersion;
  /** Number of ids the model must embed (ids are in `[0, vocabSize)`, except possibly `padId`). */
  readonly vocabSize: number;
  /** End-of-sequence id; a response ends at its first EOS. */
  readonly eosId: number;
  /** Padding id kept in stored tokens. May equal `eosId` (Pythia/GPT-2 style) or be a dedicated id. */
  readonly padId: number;
  /** Beginning-of-sequence id, when the tokenizer has one. */
  readonly bosId?: number;
  /** Encodes text without adding special tokens. */
  encode(text: string): number[];
  /** Decodes ids to text. With `skipSpecialTokens` (default true) EOS/PAD/BOS are dropped. */
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string;
  /**
   * Writes the files Hugging Face's `AutoTokenizer.from_pretrained(dir)` reads (`tokenizer.json`,
   * `tokenizer_config.json`, `special_tokens_map.json`), so a saved model folder is complete. Optional: tokenizers
   * without a Hugging Face form leave model folders without tokenizer files.
   */
  save?(dir: string): Promise<void>;
}
