import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { assetPath } from '../assets';
import { createDigestTask } from './create-digest-task';
import { resolveDigestTaskConfig } from './digest-config';
import { DEFAULT_DIGEST_NOISE } from './digest-demos';
import { measureDigestPenaltyRates } from './digest-penalty-rates';
import { digestWords } from './digest-world';

const small = { numSftTrain: 300, numSftEval: 20, numTrainPrompts: 100, numEvalPrompts: 30 };

describe('createDigestTask', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createDigestTask({ seed: 3, ...small });
    const b = createDigestTask({ seed: 3, ...small });
    const c = createDigestTask({ seed: 4, ...small });
    expect(b.sftTrain).toEqual(a.sftTrain);
    expect(b.evalPrompts).toEqual(a.evalPrompts);
    expect(b.trainPrompts).toEqual(a.trainPrompts);
    expect(c.sftTrain).not.toEqual(a.sftTrain);
    // sizes are independent products: more SFT demos do not change the prompts
    const d = createDigestTask({ seed: 3, ...small, numSftTrain: 50 });
    expect(d.trainPrompts).toEqual(a.trainPrompts);
    expect(d.sftTrain).toEqual(a.sftTrain.slice(0, 50));
  });

  it('has the stated sizes, layout and lengths', () => {
    const task = createDigestTask({ ...small });
    expect(task.sftTrain).toHaveLength(300);
    expect(task.sftEval).toHaveLength(20);
    expect(task.trainPrompts).toHaveLength(100);
    expect(task.evalPrompts.every((p) => typeof p.reference === 'string')).toBe(true);
    expect(task.maxPromptTokens).toBe(26);
    expect(task.maxResponseTokens).toBe(13);
    expect(task.tokenizer.vocabSize).toBe(101);
    for (const ex of task.sftTrain) {
      const ids = task.tokenizer.encode(ex.prompt);
      expect(ids[0]).toBe(task.tokenizer.bosId);
      expect(ids[ids.length - 1]).toBe(2); // [SEP]
      expect(ids.length).toBeLessThanOrEqual(task.maxPromptTokens);
      expect(digestWords(ex.response).length).toBeLessThanOrEqual(12);
    }
  });

  it('tokenizes words one id each and decodes exactly (WordPiece via @huggingface/tokenizers)', () => {
    const task = createDigestTask({ ...small });
    const tok = task.tokenizer;
    expect([tok.padId, tok.bosId, tok.eosId]).toEqual([0, 1, 3]);
    const text = task.sftTrain[0]?.response as string;
    const ids = tok.encode(text);
    expect(ids).toHaveLength(digestWords(text).length);
    expect(tok.decode([...ids, tok.eosId, tok.padId])).toBe(text);
    expect(tok.encode('water zebra')).toEqual([5, 4]); // first word, then [UNK]
    expect(tok.decode(tok.encode(task.evalPrompts[0]?.prompt as string), { skipSpecialTokens: false })).toBe(
      task.evalPrompts[0]?.prompt,
    );
  });

  it('demonstrations are good but imperfect: each penalty fires in 2-10 % of them', () => {
    const task = createDigestTask({ ...small });
    const rates = measureDigestPenaltyRates(task, { n: 4000 });
    for (const key of ['repeat', 'excessLength', 'offDoc', 'salientOffDoc'] as const) {
      expect(rates[key]).toBeGreaterThan(0.02);
      expect(rates[key]).toBeLessThan(0.1);
    }
    expect(rates.meanGold).toBeGreaterThan(0.6);
    const noisy = measureDigestPenaltyRates(task, { n: 4000, noise: DEFAULT_DIGEST_NOISE });
    expect(noisy.noEos).toBeGreaterThan(0.01);
    expect(noisy.meanGold).toBeLessThan(rates.meanGold);
  });

  it('the word list asset is frozen', () => {
    const hash = createHash('sha256')
      .update(readFileSync(assetPath('digest/words.txt')))
      .digest('hex');
    expect(hash).toBe('a61058a786b0f8449fc57cf638d832d83dce364706635f698a6b7b787ea3437b');
  });

  it('rejects bad options naming the field', () => {
    expect(() => resolveDigestTaskConfig({ maxDocWords: 40 })).toThrow(ConfigError);
    expect(() => resolveDigestTaskConfig({ demo: { swapProb: 2 } })).toThrow(/demo\.swapProb/);
    expect(() => resolveDigestTaskConfig({ vocabWords: 300 })).toThrow(/vocabWords/);
  });
});
