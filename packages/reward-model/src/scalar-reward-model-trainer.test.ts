import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRewardModelTrainerContract } from '@ocrm/core/test';
import { createModel, saveModel, tinyModelConfig } from '@ocrm/models';
import { describe, expect, it } from 'vitest';
import { scalarRewardModelTrainer } from './scalar-reward-model-trainer';

const V = 24;
let initDir: Promise<string> | undefined;
/** A tiny GPT-NeoX "SFT model" saved once in the Hugging Face layout. */
function initModelDir(): Promise<string> {
  initDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rm-trainer-init-'));
    const model = createModel(
      tinyModelConfig('gpt_neox', { vocabSize: V, hiddenSize: 16, numLayers: 1, numHeads: 2 }),
      { seed: 0 },
    );
    await saveModel(model, dir);
    model.dispose();
    return dir;
  })();
  return initDir;
}

const config = { batchSize: 8, learningRate: 5e-3, checkpointEvery: 2 };
const contract = { initModelDir, vocabSize: V, eosId: 0, padId: 1 };

describeRewardModelTrainerContract(
  'scalarRewardModelTrainer',
  () => scalarRewardModelTrainer({ config }),
  contract,
);
describeRewardModelTrainerContract(
  'scalarRewardModelTrainer (head on a frozen backbone)',
  () => scalarRewardModelTrainer({ trainable: 'head', config }),
  contract,
);

describe('scalarRewardModelTrainer', () => {
  it('checks its config at construction and names itself by what trains', () => {
    expect(() => scalarRewardModelTrainer({ config: { batchSize: 0 } })).toThrow(/rewardModel\.batchSize/);
    expect(scalarRewardModelTrainer({ trainable: 'head' }).name).toBe('scalar(head)');
  });
});
