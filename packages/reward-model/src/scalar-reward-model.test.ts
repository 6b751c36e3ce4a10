import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTokenBatch, readJson, readSafetensors, readSafetensorsHeader } from '@ocrm/core';
import { describeRewardModelContract, describeValueModelContract, expectNoLeak } from '@ocrm/core/test';
import { createModel, saveModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeRewardOffset } from './compute-reward-offset';
import { REWARD_OFFSET_KEY, ScalarRewardModel } from './scalar-reward-model';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/hf-tiny-reference');
const V = 32;
const config = tinyModelConfig('gpt_neox', { vocabSize: V, hiddenSize: 16, numLayers: 1, numHeads: 2 });
const tiny = (seed = 1) =>
  ScalarRewardModel.fromModel(createModel(config, { seed, scoreHead: true, lmHead: false }));

describeRewardModelContract('ScalarRewardModel', () => tiny(1), {
  vocabSize: V,
  load: (dir) => ScalarRewardModel.load(dir),
});
describeValueModelContract('ScalarRewardModel as critic', () => tiny(2), {
  vocabSize: V,
  load: (dir) => ScalarRewardModel.load(dir),
});

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'ocrm-rm-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('ScalarRewardModel', () => {
  let model: ScalarRewardModel;
  beforeAll(() => {
    model = tiny(3);
  });
  afterAll(() => model.dispose());
  const batch = buildTokenBatch({
    prompts: [[3, 4, 5], [6]],
    responses: [
      [7, 8, 1],
      [9, 1],
    ],
    padId: 0,
  });

  it('scores at the last valid token minus the offset; values read at promptLength - 1 + t', () => {
    const all = model.positionScores(batch).arraySync();
    const s = model.score(batch);
    expect(Array.from(s.dataSync())).toEqual([all[0]![5]!, all[1]![4]!].map((x) => Math.fround(x)));
    s.dispose();
    const v = model.values(batch);
    const values = v.arraySync();
    v.dispose();
    expect(values[0]).toEqual([all[0]![2], all[0]![3], all[0]![4]]);
    expect(values[1]).toEqual([all[1]![2], all[1]![3], 0]);
    model.rewardOffset = 0.5;
    const centred = model.score(batch);
    expect(centred.dataSync()[0]).toBeCloseTo(all[0]![5]! - 0.5, 6);
    centred.dispose();
    // The critic's values are centred by the same offset (masked positions stay 0).
    const cv = model.values(batch);
    const centredValues = cv.arraySync();
    cv.dispose();
    for (const [t, p] of [2, 3, 4].entries()) expect(centredValues[0]![t]).toBeCloseTo(all[0]![p]! - 0.5, 6);
    expect(centredValues[1]![1]).toBeCloseTo(all[1]![3]! - 0.5, 6);
    expect(centredValues[1]![2]).toBe(0);
    model.rewardOffset = 0;
  });

  it('computeRewardOffset is the mean raw reference score; centred scores then average 0', async () => {
    const prompts = [[3, 4, 5], [6], [7, 8]];
    const refs = [[7, 1], [9, 9, 1], [1]];
    model.rewardOffset = 2;
    const offset = await computeRewardOffset(model, prompts, refs, { batchSize: 2 });
    model.rewardOffset = offset;
    const s = model.score(buildTokenBatch({ prompts, responses: refs, padId: 0 }));
    const mean = Array.from(s.dataSync()).reduce((a, b) => a + b, 0) / 3;
    s.dispose();
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    model.rewardOffset = 0;
  });

  it('saves the transformers sequence-classification layout with pad_token_id and the offset', async () => {
    await withTemp(async (dir) => {
      const m = model.clone();
      m.rewardOffset = -1.25;
      await m.save(dir);
      const json = await readJson<Record<string, unknown>>(join(dir, 'config.json'));
      expect(json.architectures).toEqual(['GPTNeoXForSequenceClassification']);
      expect(json.num_labels).toBe(1);
      expect(typeof json.pad_token_id).toBe('number');
      expect(json[REWARD_OFFSET_KEY]).toBe(-1.25);
      const header = await readSafetensorsHeader(join(dir, 'model.safetensors'));
      expect(header.tensors['score.weight']!.shape).toEqual([1, 16]);
      expect(Object.keys(header.tensors).some((n) => n.startsWith('embed_out'))).toBe(false);
      const loaded = await ScalarRewardModel.load(dir);
      expect(loaded.rewardOffset).toBe(-1.25);
      loaded.dispose();
      m.dispose();
    });
  });

  it('fromBackbone: from a saved causal LM folder or a model, with a fresh head of std ≈ 1/sqrt(H+1)', async () => {
    const big = tinyModelConfig('gpt_neox', { vocabSize: V, hiddenSize: 64, numLayers: 1, numHeads: 2 });
    const lm = createModel(big, { seed: 5 });
    await withTemp(async (dir) => {
      await saveModel(lm, dir);
      const fromDir = await ScalarRewardModel.fromBackbone(dir, { seed: 7 });
      const fromModel = await ScalarRewardModel.fromBackbone(lm, { seed: 7 });
      expect(Object.keys(fromDir.trainableVariables())).toEqual(Object.keys(fromModel.trainableVariables()));
      expect(Object.keys(fromModel.trainableVariables())).toContain('score.weight');
      expect(Object.keys(fromModel.trainableVariables()).some((n) => n.startsWith('embed_out'))).toBe(false);
      const w = Array.from(fromModel.model.weight('score')!.dataSync());
      const std = Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length);
      expect(std).toBeGreaterThan(0.5 / Math.sqrt(65));
      expect(std).toBeLessThan(1.5 / Math.sqrt(65));
      const b = buildTokenBatch({ prompts: [[3, 4]], responses: [[5, 1]], padId: 0 });
      const a = fromDir.score(b);
      const c = fromModel.score(b);
      expect(a.dataSync()[0]).toBeCloseTo(c.dataSync()[0]!, 5);
      tf.dispose([a, c]);
      fromDir.dispose();
      fromModel.dispose();
    });
    expect(lm.isDisposed).toBe(false);
    lm.dispose();
  });

  it('leaks nothing in score and values', async () => {
    await expectNoLeak(() => model.score(batch));
    await expectNoLeak(() => model.values(batch));
  });
});

describe('ScalarRewardModel on the gpt-neox-tiny-rm fixture', () => {
  it('matches the transformers scores (last non-pad token)', async () => {
    const dir = join(FIXTURES, 'gpt-neox-tiny-rm');
    const expected = await readSafetensors(join(dir, 'expected.safetensors'));
    const rmModel = await ScalarRewardModel.load(dir);
    try {
      const [B, T] = expected.input_ids!.shape as [number, number];
      const ids = Int32Array.from(expected.input_ids!.data as Int32Array);
      const mask = Uint8Array.from(expected.attention_mask!.data as Int32Array);
      const scores = rmModel.score({ ids, mask, batchSize: B, seqLength: T, promptLength: T });
      const got = scores.dataSync();
      scores.dispose();
      for (let b = 0; b < B; b++)
        expect(Math.abs(got[b]! - (expected.scores!.data as Float32Array)[b]!)).toBeLessThan(1e-4);
      await withTemp(async (out) => {
        await rmModel.save(out);
        const again = await ScalarRewardModel.load(out);
        const s2 = again.score({ ids, mask, batchSize: B, seqLength: T, promptLength: T });
        expect(Array.from(s2.dataSync())).toEqual(Array.from(got));
        s2.dispose();
        again.dispose();
        const json = await readJson<Record<string, unknown>>(join(out, 'config.json'));
        expect(json.pad_token_id).toBe(0);
      });
    } finally {
      rmModel.dispose();
    }
  });
});
