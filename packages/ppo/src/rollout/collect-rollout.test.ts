import { responseMask } from '@ocrm/core';
import { expectNoLeak } from '@ocrm/core/test';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolvePpoConfig } from '../config';
import { tinySetup } from '../test-support/setup';
import { collectRollout } from './collect-rollout';

const CONFIG = { rolloutBatchSize: 8, microBatchSize: 3, maxNewTokens: 6, totalUpdates: 1, klCoef: 0.1 };

describe('collectRollout', () => {
  it("reads values at the logits' shift and puts the score at the EOS ('eos')", async () => {
    const s = tinySetup(11);
    const config = resolvePpoConfig({ ...CONFIG, scorePosition: 'eos' });
    const r = await expectNoLeak(() => collectRollout(s, s.prompts.slice(0, 8), config, 0));
    const B = 8;
    const R = 6;
    expect(r.valueBatch).toBe(r.batch);
    const expectedValues = tf.tidy(() => s.critic.values(r.batch));
    const hostValues = expectedValues.dataSync();
    expectedValues.dispose();
    const scores = tf.tidy(() => s.rewardModel.score(r.batch));
    const hostScores = scores.dataSync();
    scores.dispose();
    const mask = responseMask(r.batch);
    let rowsWithEos = 0;
    for (let b = 0; b < B; b++) {
      let last = -1;
      for (let t = 0; t < R; t++) if (mask[b * R + t]) last = t;
      for (let t = 0; t < R; t++) {
        const i = b * R + t;
        expect(r.valuesOld[i]).toBe(mask[i] ? hostValues[i] : 0);
        if (!mask[i]) expect([r.advantages[i], r.returns[i], r.logpOld[i]]).toEqual([0, 0, 0]);
      }
      // γ = 1, kl = 0 (frozen copy): the return at the last valid token is the score (or the missing-EOS penalty).
      const hasEos =
        last < R - 1 || r.batch.ids[b * r.batch.seqLength + r.batch.promptLength + last] === s.policy.eosId;
      expect(r.returns[b * R + last]).toBeCloseTo(hasEos ? (hostScores[b] as number) : -1, 6);
      if (hasEos) rowsWithEos++;
    }
    expect(r.metrics['val/num_eos']).toBe(rowsWithEos);
    expect(r.metrics['objective/kl']).toBe(0); // the reference is a frozen copy of the policy
    // Advantages are whitened over valid tokens: mean 0, unbiased variance 1.
    const valid = [...r.advantages].filter((_, i) => mask[i]);
    const mean = valid.reduce((a, x) => a + x, 0) / valid.length;
    const variance = valid.reduce((a, x) => a + (x - mean) ** 2, 0) / (valid.length - 1);
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 4);
    s.dispose();
  });

  it("'eosPlus1' keeps the critic's value valid one slot after the EOS and puts the score there", async () => {
    const s = tinySetup(12);
    // A hot temperature makes early EOS common.
    const config = resolvePpoConfig({
      ...CONFIG,
      scorePosition: 'eosPlus1',
      missingEosPenalty: null,
      temperature: 3,
    });
    const r = await collectRollout(s, s.prompts.slice(0, 8), config, 0);
    const R = 6;
    // The critic on the whole response (every slot valid) gives the reference values: causal, so the slot after the
    // EOS reads the hidden state at the EOS.
    const open = {
      ...r.batch,
      mask: r.batch.mask.map((m, i) => (i % r.batch.seqLength >= r.batch.promptLength ? 1 : m)),
    };
    const all = tf.tidy(() => s.critic.values(open));
    const allValues = all.dataSync();
    all.dispose();
    const scores = tf.tidy(() => s.rewardModel.score(r.batch));
    const hostScores = scores.dataSync();
    scores.dispose();
    const mask = responseMask(r.batch);
    let checked = 0;
    for (let b = 0; b < 8; b++) {
      let last = -1;
      for (let t = 0; t < R; t++) if (mask[b * R + t]) last = t;
      if (last >= R - 1) continue;
      const slot = b * R + last + 1;
      checked++;
      expect(r.valueMask[slot]).toBe(1);
      expect(r.mask[slot]).toBe(0);
      expect(r.valuesOld[slot]).toBeCloseTo(allValues[slot] as number, 6);
      expect(r.valuesOld[slot]).not.toBe(0);
      // reward there is the score alone; nothing after it: return = score.
      expect(r.returns[slot]).toBeCloseTo(hostScores[b] as number, 6);
      expect(Math.abs(r.advantages[slot] as number)).toBe(0);
    }
    expect(checked).toBeGreaterThan(0);
    s.dispose();
  });
});
