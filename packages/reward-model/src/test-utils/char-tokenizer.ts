import { SPECIFICATION_VERSION, type Tokenizer } from '@ocrm/core';

/** A character tokenizer for tests: PAD 0, EOS 1, then one id per character of `alphabet`. */
export function charTokenizer(alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789:= '): Tokenizer {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    vocabSize: alphabet.length + 2,
    padId: 0,
    eosId: 1,
    encode: (text) => Array.from(text, (c) => alphabet.indexOf(c) + 2),
    decode: (ids, options) =>
      Array.from(ids)
        .filter((id) => id >= 2 || options?.skipSpecialTokens === false)
        .map((id) => (id >= 2 ? alphabet[id - 2] : id === 1 ? '</s>' : '<pad>'))
        .join(''),
  };
}
