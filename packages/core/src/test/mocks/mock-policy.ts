import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SPECIFICATION_VERSION } from '../../contracts/common';
import type {
  LogProbOptions,
  Policy,
  ResponseLogProbs,
  SampleOptions,
  SampleResult,
  TokenStats,
} from '../../contracts/policy';
import type { TokenBatch } from '../../contracts/token-batch';
import type { NamedVariables } from '../../contracts/trainable';
import { InvalidArgumentError } from '../../errors';
import { writeJsonAtomic } from '../../run-io/atomic';
import { runSampling } from '../sampling';

/** Options of {@link MockPolicy}. */
export interface MockPolicyOptions {
  /** V (default 8). */
  vocabSize?: number;
  /** Default 1. */
  eosId?: number;
  /** Default 0. */
  padId?: number;
  /**
   * Next-token probabilities for response position t (`[V]`, summing to 1; the last row is reused for later
   * positions). Default: EOS with probability `eosProb`, the rest uniform over the other ids.
   */
  distributions?: readonly (readonly number[])[];
  /** EOS probability of the default distribution (default 0.25). */
  eosProb?: number;
}

/** Counts of calls, for tests that check how a stage uses its policy. */
export interface MockPolicyCalls {
  sample: number;
  logProbs: number;
  tokenStats: number;
}

/**
 * A deterministic, non-learning {@link Policy}: the next-token distribution depends only on the response position
 * t (fixed per-position probabilities), never on the prompt or earlier tokens. Log-probs are therefore known in
 * closed form: `log p_t(y_t)` (at temperature τ: `log softmax(log p_t / τ)[y_t]`). No variables
 * (`trainableVariables()` is `{}`); `logProbs` returns constant (non-differentiable) tensors.
 *
 * @example
 * const policy = new MockPolicy({ vocabSize: 4, distributions: [[0.1, 0.5, 0.2, 0.2]] });
 */
export class MockPolicy implements Policy {
  readonly specificationVersion = SPECIFICATION_VERSION;
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  /** Per position log-probabilities `[positions][V]` (float64). */
  readonly logDistributions: readonly Float64Array[];
  readonly calls: MockPolicyCalls = { sample: 0, logProbs: 0, tokenStats: 0 };
  private readonly options: MockPolicyOptions;

  constructor(options: MockPolicyOptions = {}) {
    this.options = options;
    this.vocabSize = options.vocabSize ?? 8;
    this.eosId = options.eosId ?? 1;
    this.padId = options.padId ?? 0;
    const V = this.vocabSize;
    if (!Number.isInteger(V) || V < 2) throw new InvalidArgumentError('MockPolicy: `vocabSize` must be ≥ 2.');
    if (this.eosId < 0 || this.eosId >= V)
      throw new InvalidArgumentError('MockPolicy: `eosId` must be in [0, V).');
    const eosProb = options.eosProb ?? 0.25;
    const fallback = Array.from({ length: V }, (_, v) =>
      v === this.eosId ? eosProb : (1 - eosProb) / (V - 1),
    );
    const rows = options.distributions ?? [fallback];
    if (rows.length === 0)
      throw new InvalidArgumentError('MockPolicy: `distributions` needs at least one row.');
    this.logDistributions = rows.map((row, t) => {
      const sum = row.reduce((a, b) => a + b, 0);
      if (row.length !== V || row.some((p) => !(p >= 0)) || Math.abs(sum - 1) > 1e-6) {
        throw new InvalidArgumentError(
          `MockPolicy: distributions[${t}] must be ${V} probabilities summing to 1.`,
        );
      }
      return Float64Array.from(row, (p) => Math.log(p));
    });
  }

  /** Log-probabilities `[V]` of response position t at temperature τ (float64). */
  logDistribution(t: number, temperature = 1): Float64Array {
    const base = this.logDistributions[Math.min(t, this.logDistributions.length - 1)] as Float64Array;
    if (temperature === 1) return base;
    const scaled = base.map((l) => l / temperature);
    const max = Math.max(...scaled);
    const lse = max + Math.log(scaled.reduce((s, l) => s + Math.exp(l - max), 0));
    return scaled.map((l) => l - lse);
  }

  sample(prompts: readonly ArrayLike<number>[], options: SampleOptions): Promise<SampleResult> {
    this.calls.sample++;
    return runSampling(prompts, options, this, (batch) => {
      const t = batch.seqLength - batch.promptLength; // position of the next response token
      const logits = new Float32Array(batch.batchSize * this.vocabSize);
      const row = this.logDistribution(t);
      for (let b = 0; b < batch.batchSize; b++) logits.set(row, b * this.vocabSize);
      return logits;
    });
  }

  /** Host `[B, R]` log-probs at temperature τ (0 where masked) and optionally entropies. */
  hostLogProbs(
    batch: TokenBatch,
    temperature: number,
  ): { logProbs: Float32Array; entropy: Float32Array; lss: Float32Array } {
    const { batchSize: B, seqLength: T, promptLength: P } = batch;
    const R = T - P;
    const logProbs = new Float32Array(B * R);
    const entropy = new Float32Array(B * R);
    const lss = new Float32Array(B * R);
    for (let t = 0; t < R; t++) {
      const logp = this.logDistribution(t, temperature);
      const h = -logp.reduce((s, l) => s + (Number.isFinite(l) ? Math.exp(l) * l : 0), 0);
      const sq = Math.log(logp.reduce((s, l) => s + Math.exp(2 * l), 0));
      for (let b = 0; b < B; b++) {
        const i = b * T + P + t;
        if (!batch.mask[i]) continue;
        const id = batch.ids[i] as number;
        if (id < 0 || id >= this.vocabSize)
          throw new InvalidArgumentError(`MockPolicy: token id ${id} out of range.`);
        logProbs[b * R + t] = logp[id] as number;
        entropy[b * R + t] = h;
        lss[b * R + t] = sq;
      }
    }
    return { logProbs, entropy, lss };
  }

  logProbs(batch: TokenBatch, options: LogProbOptions): ResponseLogProbs {
    this.calls.logProbs++;
    if (!(options.temperature > 0)) throw new InvalidArgumentError('logProbs: `temperature` must be > 0.');
    const R = batch.seqLength - batch.promptLength;
    const host = this.hostLogProbs(batch, options.temperature);
    const logProbs = tf.tensor2d(host.logProbs, [batch.batchSize, R]);
    return options.withEntropy
      ? { logProbs, entropy: tf.tensor2d(host.entropy, [batch.batchSize, R]) }
      : { logProbs };
  }

  tokenStats(batch: TokenBatch): TokenStats {
    this.calls.tokenStats++;
    const R = batch.seqLength - batch.promptLength;
    const host = this.hostLogProbs(batch, 1);
    return {
      logProbs: tf.tensor2d(host.logProbs, [batch.batchSize, R]),
      logSumSquares: tf.tensor2d(host.lss, [batch.batchSize, R]),
    };
  }

  trainableVariables(): NamedVariables {
    return {};
  }

  /** Writes `mock-policy.json` (its options). */
  async save(dir: string): Promise<void> {
    await writeJsonAtomic(join(dir, 'mock-policy.json'), this.options);
  }

  clone(): MockPolicy {
    return new MockPolicy(this.options);
  }

  freeze(): MockPolicy {
    return new MockPolicy(this.options);
  }

  dispose(): void {}
}
