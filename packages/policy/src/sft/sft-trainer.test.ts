import { CharTokenizer, createTinyPolicy, describeSftTrainerContract } from '@ocrm/core/test';
import { createModel, tinyModelConfig } from '@ocrm/models';
import { describe, expect, it } from 'vitest';
import { CausalLMPolicy } from '../causal-lm-policy';
import { sftTrainer } from './sft-trainer';

const V = new CharTokenizer().vocabSize;
const policy = () =>
  CausalLMPolicy.fromModel(
    createModel(tinyModelConfig('gpt_neox', { vocabSize: V, hiddenSize: 16, numLayers: 1, numHeads: 2 }), {
      seed: 1,
    }),
    { eosId: 1, padId: 0 },
  );

describeSftTrainerContract(
  'sftTrainer',
  () => sftTrainer({ epochs: 1, batchSize: 8, learningRate: 1e-2, checkpointEvery: 1 }),
  { policy },
);

describe('sftTrainer', () => {
  it('checks its config at construction; refuses a policy it cannot train', async () => {
    expect(() => sftTrainer({ batchSize: 0 })).toThrow(/sft\.batchSize/);
    const tiny = createTinyPolicy();
    await expect(sftTrainer().train({ policy: tiny } as never)).rejects.toThrow(/CausalLMPolicy/);
    tiny.dispose();
  });
});
