import { buildTokenBatch, SPECIFICATION_VERSION, type Tokenizer } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { encodeSftExamples, nextTokenTargets } from './sft-data';

const tokenizer: Tokenizer = {
  specificationVersion: SPECIFICATION_VERSION,
  vocabSize: 30,
  eosId: 1,
  padId: 0,
  encode: (text) => Array.from(text, (c) => c.charCodeAt(0) - 95), // 'a' → 2
  decode: (ids) => Array.from(ids, (i) => String.fromCharCode(i + 95)).join(''),
};

describe('encodeSftExamples', () => {
  it('appends EOS to the response and truncates the prompt from the left first', () => {
    const ex = [{ id: '0', prompt: 'abcd', response: 'ef' }];
    expect(encodeSftExamples(ex, tokenizer)).toEqual([{ promptIds: [2, 3, 4, 5], responseIds: [6, 7, 1] }]);
    expect(encodeSftExamples(ex, tokenizer, 5)).toEqual([{ promptIds: [4, 5], responseIds: [6, 7, 1] }]);
    expect(encodeSftExamples(ex, tokenizer, 2)).toEqual([{ promptIds: [], responseIds: [6, 7] }]);
  });
});

describe('nextTokenTargets', () => {
  // row 0: [_, 5, 6 | 8, 1]   row 1: [4, 5, 6 | 1, _]; prompt targets are positions 1..2 (tokens 5, 6)
  const batch = buildTokenBatch({
    prompts: [
      [5, 6],
      [4, 5, 6],
    ],
    responses: [[8, 1], [1]],
    padId: 0,
  });

  it('trains on prompt and response tokens, never on padding', () => {
    const { targets, mask, count } = nextTokenTargets(batch);
    expect(Array.from(mask)).toEqual([0, 1, 1, 1, 1, 1, 1, 0]);
    expect(Array.from(targets)).toEqual([0, 6, 8, 1, 5, 6, 1, 0]);
    expect(count).toBe(6);
  });

  it('weights prompt targets by promptLossWeight (0 = completion-only)', () => {
    const half = nextTokenTargets(batch, 0.5);
    expect(Array.from(half.mask)).toEqual([0, 0.5, 1, 1, 0.5, 0.5, 1, 0]);
    expect(half.count).toBe(4.5);
    const none = nextTokenTargets(batch, 0);
    expect(Array.from(none.mask)).toEqual([0, 0, 1, 1, 0, 0, 1, 0]);
    expect(Array.from(none.targets)).toEqual([0, 0, 8, 1, 0, 0, 1, 0]);
    expect(none.count).toBe(3);
  });
});
