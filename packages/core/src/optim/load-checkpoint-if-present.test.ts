import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { saveCheckpoint } from './checkpoint';
import { loadCheckpointIfPresent } from './load-checkpoint-if-present';

describe('loadCheckpointIfPresent', () => {
  it('returns undefined without a folder or a checkpoint, and loads one that exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-ckpt-'));
    const w = tf.variable(tf.tensor1d([1, 2]));
    try {
      expect(await loadCheckpointIfPresent(undefined, { variables: { w } })).toBeUndefined();
      expect(await loadCheckpointIfPresent(dir, { variables: { w } })).toBeUndefined();
      await saveCheckpoint(dir, { variables: { w }, step: 3, dataPosition: 12 });
      w.assign(tf.tensor1d([0, 0]));
      const info = await loadCheckpointIfPresent(dir, { variables: { w } });
      expect(info).toMatchObject({ step: 3, dataPosition: 12 });
      expect(Array.from(w.dataSync())).toEqual([1, 2]);
    } finally {
      w.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
