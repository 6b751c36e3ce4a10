// END-TO-END (slow, ~30 s): the pairs, labels, weights and eval stages split into shards (what SLURM array tasks do) merge into the
// unsharded files, whichever shards other processes wrote and whichever the merging stage computes itself.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GoldJudge } from '@ocrm/core';
import { getTask } from '@ocrm/data';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { runPipelineStages } from '../run/run-pipeline';
import { runStageShard } from '../run/run-stage-shard';

describe('e2e: the data-parallel stages in shards (pairs, labels, weights, eval)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const temp = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-shards-'));
    dirs.push(dir);
    return dir;
  };

  it('shards written elsewhere plus those the stage samples merge into the unsharded pairs, byte for byte', {
    timeout: 600_000,
  }, async () => {
    // Three passes: three sampling calls, so three shards of one call each.
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { pairs: { passes: 3 } } });
    const whole = await temp();
    await runPipelineStages(config, { outDir: whole, only: ['sft', 'pairs'] });

    const sharded = await temp();
    expect(await runPipelineStages(config, { outDir: sharded, only: [] })).toBeUndefined();
    await expect(
      runStageShard(config, { outDir: sharded, stage: 'pairs', shard: { index: 0, count: 3 } }),
    ).rejects.toThrow(/stage sft of .* is not done yet/);
    await runPipelineStages(config, { outDir: sharded, only: ['sft'] });
    await expect(
      runStageShard(config, { outDir: sharded, stage: 'labels', shard: { index: 0, count: 2 } }),
    ).rejects.toThrow(/stage labels of .* is not done yet|stage pairs of .* is not done yet/);
    await expect(
      runStageShard(config, { outDir: sharded, stage: 'rm-1', shard: { index: 0, count: 2 } }),
    ).rejects.toThrow(/stage rm-1 cannot be sharded \(shardable: pairs, labels, weights-k, eval\)/);
    await expect(
      runStageShard(config, { outDir: sharded, stage: 'pairs', shard: { index: 3, count: 3 } }),
    ).rejects.toThrow(/shard 3\/3/);
    const other = resolvePipelineConfig({ preset: 'smoke', overrides: { pairs: { passes: 2 } } });
    await expect(
      runStageShard(other, { outDir: sharded, stage: 'pairs', shard: { index: 0, count: 3 } }),
    ).rejects.toThrow(/was not claimed with this config/);

    // Shards 0 and 2 from "array tasks"; shard 1 is left to the merging stage.
    const a = await runStageShard(config, { outDir: sharded, stage: 'pairs', shard: { index: 0, count: 3 } });
    const c = await runStageShard(config, { outDir: sharded, stage: 'pairs', shard: { index: 2, count: 3 } });
    // A resubmitted task finds its shard written and keeps it.
    await expect(
      runStageShard(config, { outDir: sharded, stage: 'pairs', shard: { index: 2, count: 3 } }),
    ).resolves.toMatchObject({ skipped: 'already written' });
    expect(a.records).toBe(32);
    expect(c.file).toMatch(/pairs\/shards\/[0-9a-f]{16}\/2-of-3\.jsonl$/);
    expect(await runPipelineStages(config, { outDir: sharded, only: ['pairs'], shards: 3 })).toBeUndefined();
    const want = await readFile(join(whole, 'pairs', 'pairs.jsonl'));
    expect((await readFile(join(sharded, 'pairs', 'pairs.jsonl'))).equals(want)).toBe(true);
    const shardDir = join(c.file!, '..');
    expect((await readdir(shardDir)).sort()).toEqual(['0-of-3.jsonl', '1-of-3.jsonl', '2-of-3.jsonl']);
    const done = JSON.parse(await readFile(join(sharded, 'pairs', 'done'), 'utf8'));
    expect(done.summary).toMatchObject({ pairs: 96, 'pairs/shards': 3 });

    // The labels: the judge's scores in shards (one from an "array task", the rest scored by the merging stage). The
    // digest judge is inexpensive (it scores whole, below); here a copy of it that declares itself costly.
    await runPipelineStages(config, { outDir: whole, only: ['labels'] });
    const digest = (await getTask(config.task.name, config.task.options)).judge;
    const costly: GoldJudge = {
      specificationVersion: digest.specificationVersion,
      name: 'digest-gold (costly)',
      score: (prompts, responses, ended) => digest.score(prompts, responses, ended),
    };
    const l = await runStageShard(config, {
      outDir: sharded,
      stage: 'labels',
      shard: { index: 1, count: 4 },
      stages: { judge: costly },
    });
    expect(l.file).toMatch(/labels\/shards\/[0-9a-f]{16}\/1-of-4\.json$/);
    expect(l.records).toBe(24);
    await runPipelineStages(config, {
      outDir: sharded,
      only: ['labels'],
      shards: 4,
      stages: { judge: costly },
    });
    for (const file of ['labels/pairs.jsonl', 'labels/heldout.jsonl', 'labels/stats.json']) {
      const a = await readFile(join(whole, file));
      expect((await readFile(join(sharded, file))).equals(a), file).toBe(true);
    }
    expect(JSON.parse(await readFile(join(sharded, 'labels', 'done'), 'utf8')).summary).toMatchObject({
      'labels/shards': 4,
    });
    // The inexpensive digest judge: no shard process is asked for, an "array task" skips, the stage scores whole.
    const cheap = await temp();
    await runPipelineStages(config, { outDir: cheap, only: ['sft', 'pairs'] });
    await expect(
      runStageShard(config, { outDir: cheap, stage: 'labels', shard: { index: 1, count: 2 } }),
    ).resolves.toMatchObject({ records: 0, skipped: expect.stringMatching(/digest-gold is inexpensive/) });
    const asked: string[] = [];
    await runPipelineStages(config, {
      outDir: cheap,
      only: ['labels'],
      shards: 2,
      runShards: async (stage) => {
        asked.push(stage);
      },
    });
    expect(asked).toEqual([]);
    expect(existsSync(join(cheap, 'labels', 'shards'))).toBe(false);
    expect(
      (await readFile(join(cheap, 'labels/pairs.jsonl'))).equals(
        await readFile(join(whole, 'labels/pairs.jsonl')),
      ),
    ).toBe(true);

    // The weights of round 2: π_1's log-prob sums in shards (one from an "array task"), merged by the weighter.
    await runPipelineStages(config, { outDir: whole, only: ['rm-1', 'ppo-1', 'weights-2'] });
    await runPipelineStages(config, { outDir: sharded, only: ['rm-1', 'ppo-1'] });
    const w = await runStageShard(config, {
      outDir: sharded,
      stage: 'weights-2',
      shard: { index: 2, count: 3 },
    });
    expect(w.file).toMatch(/weights-2\/shards\/[0-9a-f]{16}\/2-of-3\.json$/);
    await runPipelineStages(config, { outDir: sharded, only: ['weights-2'], shards: 3 });
    for (const file of ['weights-2/weights.jsonl', 'weights-2/diagnostics.json', 'weights-2/details.json']) {
      const a = await readFile(join(whole, file));
      expect((await readFile(join(sharded, file))).equals(a), file).toBe(true);
    }
    expect((await readdir(join(w.file!, '..'))).sort()).toEqual([
      '0-of-3.json',
      '1-of-3.json',
      '2-of-3.json',
    ]);

    // The evaluation: 3 policies (SFT, π_1, π_2) in 2 shards — SFT and π_1, then π_2 (the first shards take the extra
    // targets) —; the second starts at π_2 and draws π_1's on-policy pairs again for RM-2's start accuracy.
    await runPipelineStages(config, { outDir: whole, only: ['rm-2', 'ppo-2', 'eval'] });
    await runPipelineStages(config, { outDir: sharded, only: ['rm-2', 'ppo-2'] });
    await expect(
      runStageShard(config, { outDir: whole, stage: 'eval', shard: { index: 0, count: 2 } }),
    ).resolves.toMatchObject({ records: 2 });
    const e = await runStageShard(config, { outDir: sharded, stage: 'eval', shard: { index: 1, count: 2 } });
    expect(e.records).toBe(1);
    await runPipelineStages(config, { outDir: sharded, only: ['eval'], shards: 2 });
    const results = await readFile(join(whole, 'eval', 'results.json'));
    expect((await readFile(join(sharded, 'eval', 'results.json'))).equals(results)).toBe(true);

    // Any shard count gives the same pairs (here: all sampled by the stage itself).
    const twice = await temp();
    await runPipelineStages(config, { outDir: twice, only: ['sft', 'pairs'], shards: 2 });
    expect((await readFile(join(twice, 'pairs', 'pairs.jsonl'))).equals(want)).toBe(true);
    expect(existsSync(join(twice, 'pairs', 'shards'))).toBe(true);
  });
});
