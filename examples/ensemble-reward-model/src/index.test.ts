import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTokenBatch } from '@ocrm/core';
import { describeRewardModelTrainerContract, MockRewardModel } from '@ocrm/core/test';
import { createModel, saveModel, tinyModelConfig } from '@ocrm/models';
import { resolvePipelineConfig, runPipeline } from '@ocrm/pipeline';
import { scalarRewardModelTrainer } from '@ocrm/reward-model';
import { afterAll, describe, expect, it } from 'vitest';
import { EnsembleRewardModel, ensembleRewardModelTrainer } from './index';

const V = 24;
let initDir: Promise<string> | undefined;
function initModelDir(): Promise<string> {
  initDir ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ensemble-init-'));
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

const member = scalarRewardModelTrainer({ config: { batchSize: 8, learningRate: 5e-3 } });
describeRewardModelTrainerContract(
  'ensembleRewardModelTrainer (2 members, worst case)',
  () => ensembleRewardModelTrainer({ members: 2, aggregate: 'min', member }),
  { initModelDir, vocabSize: V, eosId: 0, padId: 1 },
);

describe('EnsembleRewardModel', () => {
  it('scores the mean or the minimum of its members (hand-computed)', async () => {
    // Members count token 5 and token 6: row 0 has one 5 and two 6s, row 1 two 5s.
    const batch = buildTokenBatch({
      prompts: [[2], [3]],
      responses: [
        [5, 6, 6],
        [5, 5],
      ],
      padId: 0,
    });
    const members = () => [new MockRewardModel({ targetId: 5 }), new MockRewardModel({ targetId: 6 })];
    const mean = new EnsembleRewardModel(members(), 'mean');
    const worst = new EnsembleRewardModel(members(), 'min');
    const m = mean.score(batch);
    const w = worst.score(batch);
    expect(Array.from(await m.data())).toEqual([1.5, 1]);
    expect(Array.from(await w.data())).toEqual([1, 0]);
    for (const t of [m, w]) t.dispose();
    mean.dispose();
    worst.dispose();
  });
});

describe('e2e: OCRM, 2 rounds, smoke preset, with the ensemble as the reward-model stage', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('trains k members per round on the OCRM weights, and PPO optimises their worst case', {
    timeout: 600_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ensemble-e2e-'));
    dirs.push(dir);
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'ocrm', rounds: 2 } });
    const trainer = ensembleRewardModelTrainer({ members: 2, aggregate: 'min' });
    await runPipeline(config, { outDir: dir, stages: { rewardModelTrainer: trainer } });
    for (const stage of ['rm-1', 'rm-2']) {
      for (const i of [0, 1])
        expect(existsSync(join(dir, stage, `member-${i}`, 'model', 'model.safetensors'))).toBe(true);
      const result = JSON.parse(await readFile(join(dir, stage, 'result.json'), 'utf8'));
      expect(result['rm/members']).toBe(2);
      expect(result['rm/heldout_accuracy']).toBeGreaterThanOrEqual(0);
    }
    // Two members with different seeds are different models.
    const m0 = await readFile(join(dir, 'rm-2', 'member-0', 'model', 'model.safetensors'));
    const m1 = await readFile(join(dir, 'rm-2', 'member-1', 'model', 'model.safetensors'));
    expect(m0.equals(m1)).toBe(false);
    expect(existsSync(join(dir, 'eval', 'done'))).toBe(true);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});
