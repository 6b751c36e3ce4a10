import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RewardModelTrainingRun } from '@ocrm/core';
import { CharTokenizer, describeRewardModelTrainerContract } from '@ocrm/core/test';
import { createModel, saveModel, tinyModelConfig } from '@ocrm/models';
import { describe, expect, it, vi } from 'vitest';
import { ScalarRewardModel } from './scalar-reward-model';
import { SCALAR_REWARD_MODEL_DIR, scalarRewardModelTrainer } from './scalar-reward-model-trainer';
import { preferenceSet } from './test-support/preference-set';

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

describe("scalarRewardModelTrainer with featureCache 'run' (head on a frozen backbone)", () => {
  const tokenizer = new CharTokenizer();
  const pairs = preferenceSet(tokenizer, 24, 5);

  async function train(
    seed: number,
    cacheDir?: string,
    featureCache: 'stage' | 'run' = 'run',
  ): Promise<{ weights: Buffer; metrics: Record<string, number> }> {
    const dir = await mkdtemp(join(tmpdir(), 'rm-trainer-cache-run-'));
    const run: RewardModelTrainingRun = {
      pairs: pairs.map((p, i) => ({ ...p, logWeight: seed === 1 ? 0 : (i % 4) - 1.5 })),
      evalPairs: pairs.slice(0, 6),
      initModelDir: await charInitDir(),
      seed,
      round: seed,
      dir,
      references: {
        prompts: [tokenizer.encode('ef')],
        responses: [[...tokenizer.encode('ab'), tokenizer.eosId]],
      },
      padId: tokenizer.padId,
      stage: `rm-${seed}`,
      cacheDir,
    };
    const metrics = await scalarRewardModelTrainer({ trainable: 'head', featureCache, config }).train(run);
    return { weights: await readFile(join(dir, SCALAR_REWARD_MODEL_DIR, 'model.safetensors')), metrics };
  }

  it('keeps the features of round 1 for round 2, which then runs no backbone forward and trains the same model', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'rm-trainer-cache-'));
    const first = await train(1, cacheDir);
    const files = await readdir(cacheDir);
    expect(files).toEqual([expect.stringMatching(/^rm-features-[0-9a-f]{16}\.bin$/)]);
    const written = await stat(join(cacheDir, files[0]!));
    expect(first.weights.equals((await train(1)).weights)).toBe(true);

    const forward = vi.spyOn(ScalarRewardModel.prototype, 'lastTokenFeatures');
    try {
      const cached = await train(2, cacheDir);
      expect(forward).not.toHaveBeenCalled();
      forward.mockClear();
      const uncached = await train(2);
      expect(forward).toHaveBeenCalled();
      expect(cached.weights.equals(uncached.weights)).toBe(true);
      expect(cached.metrics).toEqual(uncached.metrics);
    } finally {
      forward.mockRestore();
    }
    // Nothing new was seen: the file is not rewritten.
    expect((await stat(join(cacheDir, files[0]!))).mtimeMs).toBe(written.mtimeMs);
  });

  it("keeps nothing with the default featureCache 'stage'", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'rm-trainer-cache-stage-'));
    await train(1, cacheDir, 'stage');
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('keeps nothing when all weights train (the features then change with every step)', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'rm-trainer-cache-all-'));
    const dir = await mkdtemp(join(tmpdir(), 'rm-trainer-cache-all-run-'));
    await scalarRewardModelTrainer({ featureCache: 'run', config }).train({
      pairs,
      evalPairs: [],
      initModelDir: await charInitDir(),
      seed: 0,
      round: 1,
      dir,
      references: {
        prompts: [tokenizer.encode('ef')],
        responses: [[...tokenizer.encode('ab'), tokenizer.eosId]],
      },
      padId: tokenizer.padId,
      stage: 'rm-1',
      cacheDir,
    });
    expect(await readdir(cacheDir)).toEqual([]);
  });

  let charDir: Promise<string> | undefined;
  function charInitDir(): Promise<string> {
    charDir ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rm-trainer-char-init-'));
      const model = createModel(
        tinyModelConfig('gpt_neox', {
          vocabSize: tokenizer.vocabSize,
          hiddenSize: 16,
          numLayers: 1,
          numHeads: 2,
        }),
        { seed: 0 },
      );
      await saveModel(model, dir);
      model.dispose();
      return dir;
    })();
    return charDir;
  }
});
