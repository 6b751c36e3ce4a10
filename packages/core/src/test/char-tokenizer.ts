import { SPECIFICATION_VERSION } from '../contracts/common';
import type { Tokenizer } from '../contracts/tokenizer';
import { InvalidArgumentError } from '../errors';

/** Default alphabet of {@link CharTokenizer}: lower-case letters, digits, `:`, `=` and space. */
export const CHAR_TOKENIZER_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789:= ';

/**
 * A character {@link Tokenizer} for tests: PAD 0, EOS 1, then id `i + 2` for character `alphabet[i]`
 * (`vocabSize = alphabet.length + 2`). `decode` drops PAD and EOS unless `skipSpecialTokens: false` (then `<pad>`,
 * `</s>`). Pure and deterministic; no tensors.
 * @example
 * const tokenizer = new CharTokenizer();
 * tokenizer.encode('ab'); // [2, 3]
 * tokenizer.decode([2, 3, 1]); // 'ab'
 */
export class CharTokenizer implements Tokenizer {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly padId = 0;
  readonly eosId = 1;
  readonly vocabSize: number;

  /** @param alphabet - one id per character, in order (default {@link CHAR_TOKENIZER_ALPHABET}). */
  constructor(readonly alphabet: string = CHAR_TOKENIZER_ALPHABET) {
    this.vocabSize = alphabet.length + 2;
  }

  /** @throws InvalidArgumentError on a character outside the alphabet. */
  encode(text: string): number[] {
    return Array.from(text, (c) => {
      const index = this.alphabet.indexOf(c);
      if (index < 0)
        throw new InvalidArgumentError(`CharTokenizer: ${JSON.stringify(c)} is not in the alphabet.`);
      return index + 2;
    });
  }

  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string {
    return Array.from(ids)
      .filter((id) => id >= 2 || options?.skipSpecialTokens === false)
      .map((id) => (id >= 2 ? this.alphabet[id - 2] : id === this.eosId ? '</s>' : '<pad>'))
      .join('');
  }
}
