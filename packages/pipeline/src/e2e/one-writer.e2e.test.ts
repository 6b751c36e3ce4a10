// END-TO-END (~5 s): one writer per run directory.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_DIR, LOCK_OWNER_FILE } from '@ocrm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import type { PipelineEvent } from '../run/events';
import { runPipeline } from '../run/run-pipeline';

describe('e2e: one writer per run directory', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a second run on the same folder fails at once naming the holder; after the first ends it resumes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ocrm-lock-'));
    const config = resolvePipelineConfig({ preset: 'smoke', overrides: { method: 'rlhf' } });
    const first = runPipeline(config, { outDir: dir });
    while (!existsSync(join(dir, LOCK_OWNER_FILE))) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    await expect(runPipeline(config, { outDir: dir })).rejects.toMatchObject({
      code: 'RUN_DIRECTORY',
      message: expect.stringContaining(`in use by process ${process.pid}`),
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    await first;
    expect(existsSync(join(dir, LOCK_DIR))).toBe(false);
    const events: PipelineEvent[] = [];
    await runPipeline(config, { outDir: dir, onEvent: (e) => events.push(e) });
    expect(events.filter((e) => e.type === 'stage-start')).toEqual([]);
  }, 120_000);
});
