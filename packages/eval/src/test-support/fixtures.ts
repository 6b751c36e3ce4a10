// Test-only helpers (not exported by the package): a character tokenizer, a letter-counting gold judge and a reward
// model whose scores are known in closed form.
import {
  type GoldJudge,
  type RewardModel,
  SPECIFICATION_VERSION,
  type TokenBatch,
  type Tokenizer,
} from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';

/** Ids: 0 = PAD, 1 = EOS, 2.. = the letters 'a', 'b', ... */
export function charTokenizer(vocabSize = 8): Tokenizer {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    vocabSize,
    eosId: 1,
    padId: 0,
    encode: (text) => Array.from(text, (c) => c.charCodeAt(0) - 95),
    decode: (ids, options) =>
      Array.from(ids as ArrayLike<number>)
        .filter((id) => !(options?.skipSpecialTokens ?? true) || id > 1)
        .map((id) => (id > 1 ? String.fromCharCode(id + 95) : id === 1 ? '</s>' : '<pad>'))
        .join(''),
  };
}

/** Gold score = number of occurrences of `letter` in the response. */
export function letterJudge(
  letter = 'b',
): GoldJudge & { calls: { prompts: string[]; responses: string[] }[] } {
  const calls: { prompts: string[]; responses: string[] }[] = [];
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `count-${letter}`,
    calls,
    async score(prompts, responses) {
      calls.push({ prompts: [...prompts], responses: [...responses] });
      return responses.map((r) => r.split(letter).length - 1);
    },
  };
}

/** A frozen reward model scoring each row by the sum of its valid response ids (host math, constant tensors). */
export function sumRewardModel(): RewardModel {
  const model: RewardModel = {
    specificationVersion: SPECIFICATION_VERSION,
    score(batch: TokenBatch) {
      const out = new Float32Array(batch.batchSize);
      for (let b = 0; b < batch.batchSize; b++) {
        for (let t = batch.promptLength; t < batch.seqLength; t++) {
          const i = b * batch.seqLength + t;
          if (batch.mask[i]) out[b]! += batch.ids[i]!;
        }
      }
      return tf.tidy(() => tf.tensor1d(out).mul(1) as tf.Tensor1D);
    },
    trainableVariables: () => ({}),
    save: async () => {},
    clone: () => model,
    freeze: () => model,
    dispose: () => {},
  };
  return model;
}
