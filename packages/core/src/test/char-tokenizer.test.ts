import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { CHAR_TOKENIZER_ALPHABET, CharTokenizer } from './char-tokenizer';

describe('CharTokenizer', () => {
  it('maps PAD 0, EOS 1, then one id per character', () => {
    const tokenizer = new CharTokenizer();
    expect(tokenizer.vocabSize).toBe(CHAR_TOKENIZER_ALPHABET.length + 2);
    expect(tokenizer.encode('ab z')).toEqual([2, 3, 40, 27]);
    expect(tokenizer.decode([2, 3, 1, 0])).toBe('ab');
    expect(tokenizer.decode([2, 1, 0], { skipSpecialTokens: false })).toBe('a</s><pad>');
  });

  it('takes a custom alphabet and rejects unknown characters', () => {
    const tokenizer = new CharTokenizer('xy');
    expect(tokenizer.vocabSize).toBe(4);
    expect(tokenizer.encode('yx')).toEqual([3, 2]);
    expect(() => tokenizer.encode('z')).toThrow(InvalidArgumentError);
  });
});
