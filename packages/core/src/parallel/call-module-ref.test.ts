import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { callModuleRef } from './call-module-ref';

const fixture = fileURLToPath(new URL('./fixtures/mlp-replica.mjs', import.meta.url));

describe('callModuleRef', () => {
  it('imports a module by absolute path or file URL and calls the named export with the options', async () => {
    for (const module of [fixture, pathToFileURL(fixture).href]) {
      const replica = await callModuleRef<{ weights: Record<string, tf.Variable>; dispose(): void }>({
        module,
        export: 'createMlpReplica',
        options: { seed: 1, hidden: 3 },
      });
      expect(replica.weights.w1!.shape).toEqual([4, 3]);
      replica.dispose();
    }
  });

  it('names the module and export when the export is not a function', async () => {
    const error = await callModuleRef({ module: fixture, export: 'nothing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/mlp-replica\.mjs does not export a function `nothing`/);
  });
});
