import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readEvents } from './read-events.test-support';
import { TensorBoardSink } from './tensorboard-sink';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('writes step and eval scalars per stage, skips other events, and marks a resumed stage', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocrm-tb-sink-'));
  const sink = new TensorBoardSink(dir);
  await sink.restart('sft', 0); // a first start: nothing to drop, nothing written
  expect(existsSync(join(dir, 'sft'))).toBe(false);
  for (const step of [1, 2, 3]) {
    await sink.write({
      type: 'step-end',
      stage: 'sft',
      step,
      totalSteps: 3,
      metrics: { 'loss/train': step },
      time: 1e12,
    });
  }
  await sink.write({
    type: 'eval-end',
    stage: 'sft',
    step: 3,
    metrics: { 'loss/eval': 0.5, nan: Number.NaN },
    time: 1e12,
  });
  await sink.write({ type: 'stage-start', stage: 'pairs', time: 1e12 });
  await sink.restart('sft', 2, 2e12); // resumed from the checkpoint of step 2: step 3 is written again
  expect(await readdir(dir)).toEqual(['sft']);
  const [file] = await readdir(join(dir, 'sft'));
  const events = await readEvents(join(dir, 'sft', file!));
  expect(events.map((e) => [e.step, e.scalars ?? e.sessionStatus ?? e.fileVersion])).toEqual([
    [0, 'brain.Event:2'],
    [1, { 'loss/train': 1 }],
    [2, { 'loss/train': 2 }],
    [3, { 'loss/train': 3 }],
    [3, { 'loss/eval': 0.5 }],
    [3, 1], // SessionLog START at step 3: TensorBoard drops this run's points from step 3 on
  ]);
});
