import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTask } from '@ocrm/data';
import { createModel, saveModel, tinyModelConfig } from '@ocrm/models';
import { describe, expect, it } from 'vitest';
import { resolvePipelineConfig } from '../config/resolve';
import { initialPolicy } from './models';

describe('initialPolicy from a local folder', () => {
  it('a broken safetensors file fails with its specific cause, not a generic message', async () => {
    const task = await getTask('digest', {
      numSftTrain: 4,
      numTrainPrompts: 4,
      numEvalPrompts: 4,
      numSftEval: 4,
    });
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-local-'));
    const model = createModel(tinyModelConfig('gpt_neox', { vocabSize: task.tokenizer.vocabSize }), {
      seed: 1,
    });
    await saveModel(model, dir);
    model.dispose();
    const file = join(dir, 'model.safetensors');
    const bytes = await readFile(file);
    const config = resolvePipelineConfig({
      preset: 'smoke',
      overrides: { model: { source: 'local', path: dir } },
    });

    await writeFile(file, bytes.subarray(0, bytes.length - 100)); // truncated
    await expect(initialPolicy(config, task)).rejects.toThrow(
      /Cannot load the model folder .*: .*past the end of the file/,
    );

    const lying = Buffer.from(bytes);
    lying.writeBigUInt64LE(BigInt(bytes.length * 4), 0); // header length past the file
    await writeFile(file, lying);
    await expect(initialPolicy(config, task)).rejects.toMatchObject({
      code: 'INVALID_DATA',
      message: expect.stringMatching(/implausible header length|unexpected end of file/),
    });
  });
});
