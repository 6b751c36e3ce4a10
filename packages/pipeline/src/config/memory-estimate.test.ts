import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHfConfig } from '@ocrm/models';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../run/run-pipeline';
import { checkModelFitsBackend, estimatePpoMemory, estimateSftMemory } from './memory-estimate';
import { resolvePipelineConfig } from './resolve';

const task = { tokenizer: { vocabSize: 101 }, maxPromptTokens: 26, maxResponseTokens: 13 };

describe('the wasm memory check', () => {
  it('counts weights, gradients and moments of the four PPO models and one micro-batch of activations', () => {
    const model = parseHfConfig({
      model_type: 'gpt_neox',
      vocab_size: 101,
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 256,
      max_position_embeddings: 64,
      tie_word_embeddings: false,
    });
    const e = estimatePpoMemory(model, { microBatchSize: 32, sequenceLength: 39 });
    expect(e.modelBytes).toBe(4 * (5 * e.policyParams + 5 * e.rewardParams));
    expect(e.activationBytes).toBe(4 * 32 * 39 * (2 * (16 * 64 + 4 * 39) + 2 * 101));
    expect(e.bytes).toBeLessThan(50 * 1024 ** 2); // the quick preset: tens of MiB
  });

  it('the quick preset passes; a 1.3B-parameter scratch model fails before anything is written, naming fields', async () => {
    expect(checkModelFitsBackend(resolvePipelineConfig({ preset: 'quick' }), task, 'wasm')).toBeDefined();
    const huge = resolvePipelineConfig({
      preset: 'smoke',
      overrides: {
        model: {
          source: 'scratch',
          config: {
            model_type: 'gpt_neox',
            hidden_size: 2048,
            num_hidden_layers: 24,
            num_attention_heads: 16,
          },
        },
      },
    });
    expect(() => checkModelFitsBackend(huge, task, 'wasm')).toThrow(
      /`model\.config`: the model needs at least [\d.]+ GiB in PPO .* more than the wasm backend's 4 GiB heap/,
    );
    expect(checkModelFitsBackend(huge, task, 'tensorflow')).toBeUndefined();
    const out = join(await mkdtemp(join(tmpdir(), 'ocrm-mem-')), 'run');
    await expect(runPipeline(huge, { outDir: out })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    expect(existsSync(out)).toBe(false);
  });
});

describe('the wasm memory check of SFT', () => {
  const tldr = { tokenizer: { vocabSize: 50_277 }, maxPromptTokens: 512, maxResponseTokens: 53 };

  it('counts 3·V floats a token for the logits, their log-softmax and its gradient', () => {
    const model = parseHfConfig({
      model_type: 'gpt_neox',
      vocab_size: 50_277,
      hidden_size: 16,
      num_hidden_layers: 1,
      num_attention_heads: 2,
    });
    const e = estimateSftMemory(model, { microBatchSize: 32, sequenceLength: 566 });
    expect(e.activationBytes).toBe(4 * 32 * 566 * (16 * 16 + 2 * 566 + 3 * 50_277));
    expect(e.bytes / 1024 ** 3).toBeGreaterThan(10); // what made `--preset smoke --task tldr-mini` die in SFT
  });

  it('refuses SFT micro-batches of long 50k-vocabulary rows, naming the field and a size that fits', () => {
    const smoke = resolvePipelineConfig({ preset: 'smoke', overrides: { task: { name: 'tldr-mini' } } });
    expect(() => checkModelFitsBackend(smoke, tldr, 'wasm')).toThrow(
      /`sft\.microBatchSize`: SFT needs at least [\d.]+ GiB .*32 rows of up to 566 tokens with a 50277-token vocabulary/,
    );
    try {
      checkModelFitsBackend(smoke, tldr, 'wasm');
    } catch (error) {
      expect((error as { hint?: string }).hint).toMatch(
        /lower sft\.microBatchSize to 8 or less \(a divisor of sft\.batchSize/,
      );
    }
    // The size it names passes the check (a lower bound: passing does not promise a fit); the native backend is not
    // checked.
    const fixed = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { task: { name: 'tldr-mini' }, sft: { microBatchSize: 8 } },
    });
    expect(checkModelFitsBackend(fixed, tldr, 'wasm')).toBeDefined();
    expect(checkModelFitsBackend(smoke, tldr, 'tensorflow')).toBeUndefined();
  });
});
