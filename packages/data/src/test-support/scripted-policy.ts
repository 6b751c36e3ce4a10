import {
  type Policy,
  type SampleOptions,
  type SampleResult,
  SPECIFICATION_VERSION,
  type SpecificationVersion,
  type TokenBatch,
  UnsupportedError,
} from '@ocrm/core';
import type * as tf from '@tensorflow/tfjs';
import { Prng } from '../internal/prng';

/**
 * A host-only fake {@link Policy} for data tests: `sample` draws uniform ids in `[firstId, vocabSize)` per row
 * from `(seed, stream, row)`, ends a row with EOS with probability `eosProb` at a random position, and gives every
 * token log-prob -1 (so a response's sum is minus its length through the EOS). Records every call's options.
 */
export class ScriptedPolicy implements Policy {
  readonly specificationVersion: SpecificationVersion = SPECIFICATION_VERSION;
  readonly calls: { rows: number; options: SampleOptions }[] = [];

  constructor(
    readonly vocabSize: number,
    readonly eosId: number,
    readonly padId: number,
    private readonly firstId = 0,
    private readonly eosProb = 0.8,
  ) {}

  async sample(prompts: readonly ArrayLike<number>[], options: SampleOptions): Promise<SampleResult> {
    this.calls.push({ rows: prompts.length, options });
    const promptLength = Math.max(...prompts.map((p) => p.length));
    const seqLength = promptLength + options.maxNewTokens;
    const B = prompts.length;
    const ids = new Int32Array(B * seqLength).fill(this.padId);
    const mask = new Uint8Array(B * seqLength);
    const logProbs = new Float32Array(B * options.maxNewTokens);
    const logProbSums = new Float64Array(B);
    const hasEos = new Uint8Array(B);
    prompts.forEach((prompt, b) => {
      const rng = new Prng(options.seed, (options.stream ?? 0) * 1000 + b);
      const off = b * seqLength + promptLength - prompt.length;
      for (let t = 0; t < prompt.length; t++) {
        ids[off + t] = prompt[t] as number;
        mask[off + t] = 1;
      }
      const eosAt = rng.uniform() < this.eosProb ? rng.int(options.maxNewTokens) : -1;
      for (let t = 0; t < options.maxNewTokens; t++) {
        const pos = b * seqLength + promptLength + t;
        const id = t === eosAt ? this.eosId : this.firstId + rng.int(this.vocabSize - this.firstId);
        ids[pos] = id;
        if (eosAt >= 0 && t > eosAt) continue;
        mask[pos] = 1;
        logProbs[b * options.maxNewTokens + t] = -1;
        logProbSums[b] = (logProbSums[b] as number) - 1;
      }
      hasEos[b] = eosAt >= 0 ? 1 : 0;
    });
    const batch: TokenBatch = { ids, mask, batchSize: B, seqLength, promptLength };
    return { batch, logProbs, logProbSums, hasEos };
  }

  logProbs(_batch: TokenBatch): { logProbs: tf.Tensor2D } {
    throw new UnsupportedError('ScriptedPolicy.logProbs');
  }
  tokenStats(_batch: TokenBatch): { logProbs: tf.Tensor2D; logSumSquares: tf.Tensor2D } {
    throw new UnsupportedError('ScriptedPolicy.tokenStats');
  }
  trainableVariables() {
    return {};
  }
  async save(): Promise<void> {}
  clone(): Policy {
    return this;
  }
  freeze(): Policy {
    return this;
  }
  dispose(): void {}
}
