/**
 * Max |Δlogits| against the transformers fixtures, per model and backend (a development aid for speed work).
 * Run: npx vite-node -c vitest.config.ts bench/parity-delta.ts
 */
import { join } from 'node:path';
import { installWasmFixes } from '@ocrm/backend-wasm';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadModel } from '../src/index';
import { FIXTURES, readExpected, rows } from '../src/test-support/fixtures';

for (const backend of ['cpu', 'wasm']) {
  await tf.setBackend(backend);
  tf.enableProdMode();
  installWasmFixes();
  for (const name of ['gpt-neox-tiny', 'gpt2-tiny', 'qwen2-tiny']) {
    const model = await loadModel(join(FIXTURES, name));
    const expected = await readExpected(name);
    const mask = expected.attention_mask.data as Int32Array;
    const logits = tf.tidy(
      () =>
        model
          .forward({
            inputIds: rows(expected.input_ids),
            attentionMask: rows(expected.attention_mask),
            logits: true,
          })
          .logits!.dataSync() as Float32Array,
    );
    const want = expected.logits.data as Float32Array;
    const V = expected.logits.shape[2];
    let worst = 0;
    for (let p = 0; p < mask.length; p++) {
      if (!mask[p]) continue;
      for (let j = p * V; j < (p + 1) * V; j++) worst = Math.max(worst, Math.abs(logits[j] - want[j]));
    }
    console.log(`${backend} ${name}: max |Δlogits| ${worst.toExponential(2)}`);
    model.dispose();
  }
}
