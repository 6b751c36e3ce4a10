import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors, readSafetensorsHeader, writeSafetensors } from '@ocrm/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelType } from './config';
import { createModel } from './create-model';
import { tinyModelConfig } from './hf-config';
import { loadModel } from './load-model';
import type { TransformerModel } from './model';
import { saveModel } from './save-model';
import { FIXTURES } from './test-support/fixtures';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ocrm-models-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const IDS = [
  [3, 4, 5, 6],
  [0, 7, 8, 9],
];
const MASK = [
  [1, 1, 1, 1],
  [0, 1, 1, 1],
];

function logitsOf(model: TransformerModel): Float32Array {
  return tf.tidy(
    () =>
      model.forward({ inputIds: IDS, attentionMask: MASK, logits: true }).logits!.dataSync() as Float32Array,
  );
}

describe('saveModel / loadModel', () => {
  it.each(['gpt_neox', 'gpt2', 'llama', 'qwen2', 'qwen3'] as ModelType[])(
    '%s: load → save → load gives identical logits and Hugging Face names',
    async (type) => {
      const model = createModel(tinyModelConfig(type, { initializerRange: 0.2 }), {
        seed: 5,
        scoreHead: true,
      });
      const path = join(dir, type);
      await saveModel(model, path);
      const config = JSON.parse(await readFile(join(path, 'config.json'), 'utf8'));
      expect(config.pad_token_id).toBe(0);
      expect(config.model_type).toBe(type);
      const header = await readSafetensorsHeader(join(path, 'model.safetensors'));
      expect(Object.keys(header.tensors).sort()).toEqual(Object.keys(model.variables()).sort());
      const loaded = await loadModel(path);
      expect(loaded.config).toEqual(model.config);
      expect(Array.from(logitsOf(loaded))).toEqual(Array.from(logitsOf(model)));
      const score = tf.tidy(() => loaded.scoreHead(loaded.forward({ inputIds: IDS }).hidden).dataSync());
      const score0 = tf.tidy(() => model.scoreHead(model.forward({ inputIds: IDS }).hidden).dataSync());
      expect(Array.from(score)).toEqual(Array.from(score0));
      loaded.dispose();
      model.dispose();
    },
  );

  it('writes the reference checkpoint back byte-identical tensors (layouts invert exactly)', async () => {
    for (const name of ['gpt-neox-tiny', 'gpt2-tiny', 'qwen2-tiny', 'qwen3-tiny', 'gpt-neox-tiny-rm']) {
      const model = await loadModel(join(FIXTURES, name));
      const path = join(dir, `ref-${name}`);
      await saveModel(model, path);
      const original = await readSafetensors(join(FIXTURES, name, 'model.safetensors'));
      const saved = await readSafetensors(join(path, 'model.safetensors'));
      expect(Object.keys(saved).sort()).toEqual(Object.keys(original).sort());
      for (const [key, t] of Object.entries(original)) {
        const bytes = (x: typeof t) => Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength);
        expect(Buffer.compare(bytes(saved[key]), bytes(t)), key).toBe(0);
      }
      const config = JSON.parse(await readFile(join(path, 'config.json'), 'utf8'));
      const expectedClass = name.endsWith('-rm') ? 'GPTNeoXForSequenceClassification' : undefined;
      if (expectedClass) expect(config.architectures).toEqual([expectedClass]);
      expect('pad_token_id' in config).toBe(true);
      model.dispose();
    }
  });

  it('loads a sharded checkpoint (model.safetensors.index.json) and base-model names without prefix', async () => {
    const source = join(FIXTURES, 'qwen2-tiny');
    const tensors = await readSafetensors(join(source, 'model.safetensors'));
    const names = Object.keys(tensors);
    const path = join(dir, 'sharded');
    const original = await loadModel(source);
    await saveModel(original, path);
    original.dispose();
    const shards = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      const part = Object.fromEntries(shard.map((n) => [n.replace(/^model\./, ''), tensors[n]]));
      await writeSafetensors(join(path, file), part);
      for (const n of shard) weightMap[n.replace(/^model\./, '')] = file;
    }
    await rm(join(path, 'model.safetensors'));
    await writeFile(
      join(path, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const sharded = await loadModel(path);
    const single = await loadModel(source);
    expect(Array.from(logitsOf(sharded))).toEqual(Array.from(logitsOf(single)));
    sharded.dispose();
    single.dispose();
  });

  it('adds a seeded score head on request and can skip the LM head', async () => {
    const a = await loadModel(join(FIXTURES, 'gpt-neox-tiny'), { scoreHead: true, lmHead: false, seed: 7 });
    const b = await loadModel(join(FIXTURES, 'gpt-neox-tiny'), { scoreHead: true, seed: 7 });
    expect(a.hasLmHead).toBe(false);
    expect(b.hasLmHead).toBe(true);
    const wa = a.variables()['score.weight'].dataSync() as Float32Array;
    expect(Array.from(wa)).toEqual(Array.from(b.variables()['score.weight'].dataSync()));
    const std = Math.sqrt(wa.reduce((s, v) => s + v * v, 0) / wa.length);
    expect(std).toBeGreaterThan(0.5 / Math.sqrt(65));
    expect(std).toBeLessThan(1.5 / Math.sqrt(65));
    expect(() => a.lmHeadLogits(tf.zeros([1, 1, 64]) as tf.Tensor3D)).toThrow(/no LM head/);
    a.dispose();
    b.dispose();
    await expect(loadModel(join(FIXTURES, 'gpt-neox-tiny-rm'), { lmHead: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
