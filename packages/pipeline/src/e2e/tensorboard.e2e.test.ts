// END-TO-END (~10 s): the smoke preset with `tensorboard: true`, its event files read back by an independent reader.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonlAll } from '@ocrm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { runPipeline } from '../run/run-pipeline';
import { readEvents } from '../run/tensorboard/read-events.test-support';

describe('e2e: TensorBoard output', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds every step and eval scalar of metrics.jsonl, one TensorBoard run per training stage', {
    timeout: 300_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-tb-'));
    await runPipeline(resolvePipelineConfig({ preset: 'smoke', overrides: { tensorboard: true } }), {
      outDir: dir,
    });
    const root = join(dir, 'tensorboard');
    expect((await readdir(root)).sort()).toEqual(['ppo-1', 'ppo-2', 'rm-1', 'rm-2', 'sft']);

    type Logged = { type: string; stage?: string; step?: number; metrics?: Record<string, number> };
    const logged = (await readJsonlAll<Logged>(join(dir, 'metrics.jsonl'))).filter(
      (e) => e.type === 'step-end' || e.type === 'eval-end',
    );
    for (const stage of await readdir(root)) {
      const [file, ...more] = await readdir(join(root, stage));
      expect(more, stage).toEqual([]);
      const events = await readEvents(join(root, stage, file!));
      expect(events[0]!.fileVersion).toBe('brain.Event:2');
      const expected = logged
        .filter((e) => e.stage === stage)
        .map((e) => ({
          step: e.step,
          scalars: Object.fromEntries(
            Object.entries(e.metrics ?? {})
              .filter(([, v]) => Number.isFinite(v))
              .map(([k, v]) => [k, Math.fround(v)]),
          ),
        }));
      expect(
        events.slice(1).map((e) => ({ step: e.step, scalars: e.scalars })),
        stage,
      ).toEqual(expected);
      expect(expected.length, stage).toBeGreaterThan(0);
    }
  });
});
