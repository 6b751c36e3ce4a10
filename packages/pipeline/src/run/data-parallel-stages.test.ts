import { WorkerThreads } from '@ocrm/core';
import { describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import type { StageContext } from './context';
import { stageDataParallel } from './data-parallel-stages';

describe('stageDataParallel', () => {
  it('hands every training stage that can use them the same threads, started once', async () => {
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        sft: { microBatchSize: 16 },
        rewardModel: { microBatchSize: 8 },
        ppo: { microBatchSize: 4 },
      },
    });
    const warnings: string[] = [];
    const ctx = {
      config,
      dataParallel: { workers: 1 },
      emit: (e: { type: string; message?: string }) => e.type === 'warning' && warnings.push(e.message!),
    } as unknown as StageContext;
    const sft = stageDataParallel(ctx, 'sft', 'sft');
    const rm = stageDataParallel(ctx, 'rm', 'rm-1');
    const ppo = stageDataParallel(ctx, 'ppo', 'ppo-1');
    try {
      expect(sft?.threads).toBeInstanceOf(WorkerThreads);
      expect(rm?.threads).toBe(sft?.threads);
      expect(ppo?.threads).toBe(sft?.threads);
      expect(ctx.workerThreads).toBe(sft?.threads);
      expect(sft?.threads?.size).toBe(1);
      expect(warnings).toEqual([]);
    } finally {
      await ctx.workerThreads?.close();
    }
    // Threads the caller brings are used as they are (and never stopped by the pipeline).
    const own = { workers: 1, threads: {} as WorkerThreads };
    const other = { ...ctx, dataParallel: own, workerThreads: undefined } as StageContext;
    expect(stageDataParallel(other, 'sft', 'sft')).toBe(own);
    expect(other.workerThreads).toBeUndefined();
  });
});
