import type { TrainEvent } from '@ocrm/core';
import { AdamW, GradientAccumulator } from '@ocrm/core';
import { CharTokenizer, expectNoLeak } from '@ocrm/core/test';
import { createModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { evaluatePairs } from './evaluate-pairs';
import { resolveRewardModelConfig } from './reward-model-config';
import { rewardModelStep } from './reward-model-step';
import { ScalarRewardModel } from './scalar-reward-model';
import { preferenceSet } from './test-support/preference-set';
import { trainRewardModel } from './train-reward-model';

const tokenizer = new CharTokenizer();
const train = preferenceSet(tokenizer, 96, 1);
const held = preferenceSet(tokenizer, 48, 2);

function newRm(seed = 0): ScalarRewardModel {
  const config = tinyModelConfig('gpt_neox', {
    vocabSize: tokenizer.vocabSize,
    hiddenSize: 32,
    numLayers: 1,
    numHeads: 2,
  });
  return ScalarRewardModel.fromModel(createModel(config, { seed, scoreHead: true, lmHead: false }));
}

describe('trainRewardModel', () => {
  it('held-out accuracy rises well above chance on a tiny preference set', async () => {
    const rm = newRm(1);
    const before = await evaluatePairs(rm, held, tokenizer.padId);
    const events: TrainEvent[] = [];
    const tensors = tf.memory().numTensors;
    const result = await trainRewardModel({
      rewardModel: rm,
      pairs: train,
      evalPairs: held,
      padId: tokenizer.padId,
      config: { learningRate: 3e-3, batchSize: 16, epochs: 2, evalEvery: 6 },
      onEvent: (e) => events.push(e),
    });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(result.steps).toBe(12);
    expect(result.evalAccuracy).toBeGreaterThan(0.85);
    expect(before.accuracy).toBeLessThan(result.evalAccuracy);
    const step = events.find((e) => e.type === 'step-end');
    expect(Object.keys(step?.type === 'step-end' ? step.metrics : {})).toEqual(
      expect.arrayContaining(['loss/weighted', 'loss/unweighted', 'train/accuracy', 'lr', 'grad/norm']),
    );
    expect(events.filter((e) => e.type === 'eval-end').length).toBe(2);
    rm.dispose();
  });

  it('pairs of weight 0 do not count: flipped labels with log-weight -Infinity are ignored', async () => {
    const flipped = train.slice(0, 48).map((p) => ({
      ...p,
      id: `${p.id}-flipped`,
      chosen: p.rejected,
      rejected: p.chosen,
      chosenIds: p.rejectedIds,
      rejectedIds: p.chosenIds,
      logWeight: Number.NEGATIVE_INFINITY,
    }));
    const clean = train.slice(0, 48).map((p) => ({ ...p, logWeight: 0 }));
    const rm = newRm(1);
    const result = await trainRewardModel({
      rewardModel: rm,
      pairs: [...clean, ...flipped],
      evalPairs: held,
      padId: tokenizer.padId,
      config: { learningRate: 3e-3, batchSize: 16, epochs: 2 },
    });
    expect(result.evalAccuracy).toBeGreaterThan(0.8);
    rm.dispose();
  });

  it('one training step leaks no tensors (after the optimizer state exists)', async () => {
    const rm = newRm(2);
    const config = resolveRewardModelConfig({ batchSize: 8, microBatchSize: 4 });
    const optimizer = new AdamW({ learningRate: 1e-3 });
    const accumulator = new GradientAccumulator();
    await rewardModelStep(rm, train.slice(0, 8), 0, config, accumulator, optimizer, 1e-3);
    await expectNoLeak(async () => {
      await rewardModelStep(rm, train.slice(8, 16), 0, config, accumulator, optimizer, 1e-3);
    });
    optimizer.dispose();
    accumulator.dispose();
    rm.dispose();
  });
});
