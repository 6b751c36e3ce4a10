import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTokenBatch } from '@ocrm/core';
import { CharTokenizer, describeGoldJudgeContract } from '@ocrm/core/test';
import { createModel, tinyModelConfig } from '@ocrm/models';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NeuralGoldJudge } from './neural-gold-judge';
import { ScalarRewardModel } from './scalar-reward-model';

const tokenizer = new CharTokenizer();
const config = tinyModelConfig('gpt_neox', {
  vocabSize: tokenizer.vocabSize,
  hiddenSize: 16,
  numLayers: 1,
  numHeads: 2,
});
const newRm = () =>
  ScalarRewardModel.fromModel(createModel(config, { seed: 4, scoreHead: true, lmHead: false }));

describeGoldJudgeContract(
  'NeuralGoldJudge',
  () => new NeuralGoldJudge({ rewardModel: newRm(), tokenizer, batchSize: 3 }),
);

describe('NeuralGoldJudge', () => {
  it('scores text as the reward model scores prompt + response + EOS, in micro-batches', async () => {
    const model = newRm();
    const judge = new NeuralGoldJudge({ rewardModel: model.clone(), tokenizer, batchSize: 2 });
    const prompts = ['ab', 'c', 'de'];
    const responses = ['xyz', 'q', ''];
    const before = tf.memory().numTensors;
    const scores = await judge.score(prompts, responses, [true, false, true]);
    expect(tf.memory().numTensors).toBe(before);
    const batch = buildTokenBatch({
      prompts: prompts.map((p) => tokenizer.encode(p)),
      responses: [[...tokenizer.encode('xyz'), 1], tokenizer.encode('q'), [1]],
      padId: 0,
    });
    const want = model.score(batch);
    const expected = Array.from(want.dataSync());
    want.dispose();
    for (const [i, s] of scores.entries()) expect(s).toBeCloseTo(expected[i]!, 5);
    await expect(judge.score(['a'], [])).rejects.toThrow(/one of each/);
    judge.dispose();
    model.dispose();
  });

  it('loads a saved sequence-classification checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-judge-'));
    try {
      const model = newRm();
      await model.save(dir);
      const judge = await NeuralGoldJudge.load(dir, tokenizer, { name: 'tiny-gold' });
      const direct = new NeuralGoldJudge({ rewardModel: model, tokenizer });
      expect(judge.name).toBe('tiny-gold');
      const [a, b] = [await judge.score(['ab'], ['cd']), await direct.score(['ab'], ['cd'])];
      expect(a[0]).toBeCloseTo(b[0]!, 6);
      judge.dispose();
      direct.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
