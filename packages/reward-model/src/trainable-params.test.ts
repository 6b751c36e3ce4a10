import { AdamW, buildTokenBatch, GradientAccumulator } from '@ocrm/core';
import { CharTokenizer, expectNoLeak } from '@ocrm/core/test';
import { createModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { resolveRewardModelConfig } from './reward-model-config';
import { rewardModelStep } from './reward-model-step';
import { ScalarRewardModel } from './scalar-reward-model';
import { preferenceSet } from './test-support/preference-set';
import { trainRewardModel } from './train-reward-model';
import { trainableSelector } from './trainable-params';

const tokenizer = new CharTokenizer();
const pairs = preferenceSet(tokenizer, 32, 4);
const config = tinyModelConfig('gpt_neox', {
  vocabSize: tokenizer.vocabSize,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
});

/** A fresh RM on the backbone of one fixed model (seed 7), head seeded 3. */
function rmWith(trainable: 'all' | 'head' | 'last-block'): Promise<ScalarRewardModel> {
  const backbone = createModel(config, { seed: 7, lmHead: true });
  return ScalarRewardModel.fromBackbone(backbone, { seed: 3, trainable }).finally(() => backbone.dispose());
}

function snapshot(rm: ScalarRewardModel): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(rm.model.variables())) out[name] = v.dataSync() as Float32Array;
  return out;
}

describe('trainableSelector', () => {
  it('selects the head, the last block with the final norm, or everything', () => {
    const keys = ['embed', 'h0.qkv.w', 'h1.qkv.w', 'h1.ln1.w', 'ln_f.w', 'ln_f.b', 'score', 'h10.o.w'];
    expect(keys.filter(trainableSelector('head', 2))).toEqual(['score']);
    expect(keys.filter(trainableSelector('last-block', 2))).toEqual([
      'h1.qkv.w',
      'h1.ln1.w',
      'ln_f.w',
      'ln_f.b',
      'score',
    ]);
    expect(keys.filter(trainableSelector('all', 2))).toEqual(keys);
    expect(() => trainableSelector('last-block', 0)).toThrow(/rewardModel\.trainable/);
    expect(() => trainableSelector('backbone' as never, 2)).toThrow(/expected one of 'all', 'head'/);
  });
});

describe('ScalarRewardModel trainable', () => {
  it.each(['head', 'last-block'] as const)(
    '%s: frozen weights get no gradient, no optimizer state and do not move',
    async (trainable) => {
      const rm = await rmWith(trainable);
      const trained = Object.keys(rm.trainableVariables());
      if (trainable === 'head') expect(trained).toEqual(['score.weight']);
      else {
        expect(trained).toContain('score.weight');
        expect(trained.every((n) => n === 'score.weight' || /layers\.1\.|final_layer_norm/.test(n))).toBe(
          true,
        );
        expect(trained.some((n) => /layers\.1\./.test(n))).toBe(true);
      }
      const before = snapshot(rm);
      const optimizer = new AdamW({ learningRate: 1e-2 });
      const accumulator = new GradientAccumulator();
      const cfg = resolveRewardModelConfig({ batchSize: 8 });
      await rewardModelStep(rm, pairs.slice(0, 8), tokenizer.padId, cfg, accumulator, optimizer, 1e-2);
      expect(Object.keys(optimizer.getState().moments).sort()).toEqual([...trained].sort());
      const after = snapshot(rm);
      for (const name of Object.keys(before)) {
        const moved = before[name]!.some((x, i) => x !== after[name]![i]);
        expect(moved, name).toBe(trained.includes(name));
      }
      optimizer.dispose();
      accumulator.dispose();
      rm.dispose();
    },
  );

  it('head: cached scores equal the uncached head on the same weights and fill the cache once', async () => {
    const cached = await rmWith('head');
    const plain = await rmWith('all');
    const batch = buildTokenBatch({
      prompts: [[5, 6, 7], [8], [5, 6, 7]],
      responses: [
        [9, 10, 2],
        [11, 2],
        [9, 10, 2],
      ],
      padId: tokenizer.padId,
    });
    const a = cached.score(batch);
    const b = plain.score(batch);
    const x = Array.from(a.dataSync());
    const y = Array.from(b.dataSync());
    for (let i = 0; i < 3; i++) expect(x[i]).toBeCloseTo(y[i]!, 5);
    expect(cached.cachedFeatures).toBe(2); // rows 0 and 2 are the same sequence
    tf.dispose([a, b]);
    await expectNoLeak(() => {
      cached.score(batch).dispose();
    });
    cached.dispose();
    plain.dispose();
  });

  it('head: trains to above-chance accuracy with the features computed once per response', async () => {
    const rm = await rmWith('head');
    const result = await trainRewardModel({
      rewardModel: rm,
      pairs,
      evalPairs: pairs,
      padId: tokenizer.padId,
      config: { learningRate: 3e-2, batchSize: 8, epochs: 3 },
    });
    expect(rm.cachedFeatures).toBeLessThanOrEqual(2 * pairs.length);
    expect(result.trainAccuracy).toBeGreaterThan(0.6);
    rm.dispose();
  });

  it('head: a shared cache serves several reward models on the same backbone with the same scores', async () => {
    const { FeatureCache } = await import('./feature-cache');
    const cache = new FeatureCache(config.hiddenSize);
    const backbone = createModel(config, { seed: 7, lmHead: true });
    const a = await ScalarRewardModel.fromBackbone(backbone, {
      seed: 3,
      trainable: 'head',
      featureCache: cache,
    });
    const b = await ScalarRewardModel.fromBackbone(backbone, {
      seed: 3,
      trainable: 'head',
      featureCache: cache,
    });
    const own = await ScalarRewardModel.fromBackbone(backbone, { seed: 3, trainable: 'head' });
    backbone.dispose();
    const batch = buildTokenBatch({ prompts: [[5, 6]], responses: [[9, 2]], padId: tokenizer.padId });
    const [sa, sb, so] = [a, b, own].map((rm) => rm.score(batch));
    expect(cache.count).toBe(1);
    expect(Array.from(sb!.dataSync())).toEqual(Array.from(sa!.dataSync()));
    expect(Array.from(so!.dataSync())).toEqual(Array.from(sa!.dataSync()));
    tf.dispose([sa!, sb!, so!]);
    const narrow = createModel({ ...config, hiddenSize: 8 }, { seed: 1 });
    await expect(
      ScalarRewardModel.fromBackbone(narrow, { trainable: 'head', featureCache: cache }),
    ).rejects.toThrow(/16-wide features/);
    narrow.dispose();
    for (const m of [a, b, own]) m.dispose();
  });
});
