import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy, SampleOptions, SampleResult } from '../../contracts/policy';
import { expectNoLeak } from '../expect-no-leak';
import {
  contractBatch,
  expectClose,
  expectDifferentiable,
  expectFinite,
  listFiles,
  ordinaryIds,
  perturb,
  repad,
  snapshotBatch,
  values,
  withTempDir,
} from './helpers';
import { checkSampleRows } from './sample-checks';

/** Options of {@link describePolicyContract}. */
export interface PolicyContractOptions {
  /** Prompts to sample from (unpadded ids). Default: 8 prompts of 1-3 ordinary ids. */
  prompts?: number[][];
  /** Response positions sampled (default 6). */
  maxNewTokens?: number;
  /** Absolute tolerance of log-prob comparisons (default 1e-4). */
  tolerance?: number;
  /** Loads what `save` wrote; when given, the suite checks the round trip. */
  load?: (dir: string) => Promise<Policy>;
  /** Check that extra left padding does not change log-probs (default true). */
  paddingInvariance?: boolean;
  /** Check that two seeds give different samples (default true; off for near-deterministic policies). */
  seedSensitivity?: boolean;
}

/**
 * A vitest suite every {@link Policy} implementation must pass: shapes, masks (1 through the first EOS, PAD and 0
 * after), `specificationVersion 'v1'`, seeded determinism, temperature 0 = argmax, sample/logProbs agreement (1e-4),
 * sampling in row ranges (`rows`), entropy and tokenStats bounds, differentiability, clone/freeze independence, no tensor leaks, no input mutation,
 * padding invariance, save (and load round trip).
 *
 * @param factory creates a fresh policy (called once, in `beforeAll`; disposed in `afterAll`).
 * @example
 * describePolicyContract('CausalLMPolicy', () => CausalLMPolicy.fromModel(createModel(...), { eosId: 0, padId: 0 }));
 */
export function describePolicyContract(
  name: string,
  factory: () => Policy | Promise<Policy>,
  options: PolicyContractOptions = {},
): void {
  const maxNewTokens = options.maxNewTokens ?? 6;
  const tol = options.tolerance ?? 1e-4;
  describe(`Policy contract: ${name}`, () => {
    let policy: Policy;
    let prompts: number[][];
    let fixed: SampleResult;
    const sample = (o: Partial<SampleOptions> = {}) =>
      policy.sample(prompts, { temperature: 1, maxNewTokens, seed: 1, lengthMode: 'fixed', ...o });

    beforeAll(async () => {
      policy = await factory();
      const ids = ordinaryIds(policy.vocabSize, [policy.eosId, policy.padId], 16);
      prompts = options.prompts ?? Array.from({ length: 8 }, (_, i) => ids.slice(i, i + 1 + (i % 3)));
      fixed = await sample();
    });
    afterAll(() => policy?.dispose());

    it("declares specificationVersion 'v1' and integer vocabSize, eosId, padId", () => {
      expect(policy.specificationVersion).toBe('v1');
      expect(Number.isInteger(policy.vocabSize) && policy.vocabSize > 1).toBe(true);
      expect(Number.isInteger(policy.eosId) && policy.eosId >= 0 && policy.eosId < policy.vocabSize).toBe(
        true,
      );
      expect(Number.isInteger(policy.padId) && policy.padId >= 0).toBe(true);
    });

    it('sample (fixed): shapes, left-padded prompts, mask 1 through the first EOS, PAD and 0 after', () => {
      const { batch, logProbs, logProbSums, hasEos } = fixed;
      const B = prompts.length;
      const P = Math.max(...prompts.map((p) => p.length));
      expect([batch.batchSize, batch.promptLength, batch.seqLength]).toEqual([B, P, P + maxNewTokens]);
      expect(batch.ids).toBeInstanceOf(Int32Array);
      expect(batch.mask).toBeInstanceOf(Uint8Array);
      expect([logProbs.length, logProbSums.length, hasEos.length]).toEqual([B * maxNewTokens, B, B]);
      checkSampleRows(policy, prompts, fixed, tol);
    });

    it('sample (stopAtEos): at most maxNewTokens positions, as many as the longest response', async () => {
      const res = await sample({ lengthMode: 'stopAtEos' });
      const R = res.batch.seqLength - res.batch.promptLength;
      expect(R).toBeLessThanOrEqual(maxNewTokens);
      checkSampleRows(policy, prompts, res, tol);
      let longest = 0;
      for (let b = 0; b < res.batch.batchSize; b++) {
        let n = 0;
        for (let t = 0; t < R; t++)
          n += res.batch.mask[b * res.batch.seqLength + res.batch.promptLength + t] as number;
        longest = Math.max(longest, n);
      }
      expect(R).toBe(longest);
      if (res.hasEos.some((e) => e === 0)) expect(R).toBe(maxNewTokens);
    });

    it('is deterministic for a seed, and the seed matters', async () => {
      const again = await sample();
      expect(Array.from(again.batch.ids)).toEqual(Array.from(fixed.batch.ids));
      expectClose(again.logProbs, fixed.logProbs, 0, 'logProbs of a repeated sample');
      if (options.seedSensitivity ?? true) {
        const other = await sample({ seed: 2 });
        expect(Array.from(other.batch.ids)).not.toEqual(Array.from(fixed.batch.ids));
      }
    });

    it('sample with `rows` gives exactly those rows of the whole call (padding, random numbers), bit for bit', async () => {
      // Rows without the longest prompt where there are some: they must still be padded to the longest.
      const B = prompts.length;
      const longest = Math.max(...prompts.map((p) => p.length));
      const last = prompts.length - 1 - [...prompts].reverse().findIndex((p) => p.length === longest);
      const first = prompts.findIndex((p) => p.length === longest);
      const [start, end] = last < B - 1 ? [last + 1, B] : first > 0 ? [0, first] : [1, B];
      const part = await sample({ rows: { start, end }, microBatchSize: 2 });
      const whole = await sample({ microBatchSize: 2 });
      const T = whole.batch.seqLength;
      const R = T - whole.batch.promptLength;
      expect([part.batch.batchSize, part.batch.seqLength, part.batch.promptLength]).toEqual([
        end - start,
        T,
        whole.batch.promptLength,
      ]);
      expect(Array.from(part.batch.ids)).toEqual(Array.from(whole.batch.ids.subarray(start * T, end * T)));
      expect(Array.from(part.batch.mask)).toEqual(Array.from(whole.batch.mask.subarray(start * T, end * T)));
      expectClose(part.logProbs, whole.logProbs.subarray(start * R, end * R), 0, 'logProbs of the rows');
      expect(Array.from(part.hasEos)).toEqual(Array.from(whole.hasEos.subarray(start, end)));
      await expect(sample({ rows: { start: 1, end: 1 } })).rejects.toThrow(/rows/);
    });

    it('temperature 0 is argmax: independent of the seed, each token has probability ≥ 1/V', async () => {
      const a = await sample({ temperature: 0, seed: 1 });
      const b = await sample({ temperature: 0, seed: 2 });
      expect(Array.from(a.batch.ids)).toEqual(Array.from(b.batch.ids));
      const lp = policy.logProbs(a.batch, { temperature: 1 });
      const data = values(lp.logProbs);
      lp.logProbs.dispose();
      const floor = -Math.log(policy.vocabSize) - tol;
      for (let i = 0; i < data.length; i++) expect(data[i] as number).toBeGreaterThanOrEqual(floor);
    });

    it('logProbs agrees with the sampling log-probs at temperatures 1 and 0.7', async () => {
      for (const temperature of [1, 0.7]) {
        const res = temperature === 1 ? fixed : await sample({ temperature, seed: 5 });
        const lp = policy.logProbs(res.batch, { temperature });
        expect(lp.logProbs.shape).toEqual([
          res.batch.batchSize,
          res.batch.seqLength - res.batch.promptLength,
        ]);
        expectClose(
          values(lp.logProbs),
          res.logProbs,
          tol,
          `logProbs vs sample at temperature ${temperature}`,
        );
        lp.logProbs.dispose();
      }
    });

    it('logProbs: [B, T_resp], 0 at masked positions; entropy in [0, log V], 0 at masked positions', () => {
      const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
      const R = batch.seqLength - batch.promptLength;
      const out = policy.logProbs(batch, { temperature: 0.8, withEntropy: true });
      try {
        expect(out.logProbs.shape).toEqual([batch.batchSize, R]);
        expect(out.entropy?.shape).toEqual([batch.batchSize, R]);
        const lp = values(out.logProbs);
        const ent = values(out.entropy as tf.Tensor);
        expectFinite(lp, 'logProbs');
        expectFinite(ent, 'entropy');
        for (let b = 0; b < batch.batchSize; b++) {
          for (let t = 0; t < R; t++) {
            const valid = batch.mask[b * batch.seqLength + batch.promptLength + t];
            const i = b * R + t;
            if (!valid) expect([lp[i], ent[i]], `masked position [${b}, ${t}]`).toEqual([0, 0]);
            else {
              expect(lp[i] as number).toBeLessThanOrEqual(tol);
              expect(ent[i] as number).toBeGreaterThanOrEqual(-tol);
              expect(ent[i] as number).toBeLessThanOrEqual(Math.log(policy.vocabSize) + tol);
            }
          }
        }
      } finally {
        tf.dispose([out.logProbs, out.entropy as tf.Tensor]);
      }
    });

    it('tokenStats: log-probs equal logProbs at temperature 1; 2·log π(y) ≤ log Σπ² ≤ 0', () => {
      const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
      const stats = policy.tokenStats(batch);
      const lp = policy.logProbs(batch, { temperature: 1 });
      try {
        const R = batch.seqLength - batch.promptLength;
        expect(stats.logProbs.shape).toEqual([batch.batchSize, R]);
        expect(stats.logSumSquares.shape).toEqual([batch.batchSize, R]);
        const a = values(stats.logProbs);
        const lss = values(stats.logSumSquares);
        expectClose(a, values(lp.logProbs), tol, 'tokenStats.logProbs vs logProbs');
        for (let b = 0; b < batch.batchSize; b++) {
          for (let t = 0; t < R; t++) {
            const i = b * R + t;
            if (!batch.mask[b * batch.seqLength + batch.promptLength + t]) {
              expect(Math.abs(lss[i] as number)).toBe(0);
              continue;
            }
            expect(lss[i] as number).toBeLessThanOrEqual(tol);
            expect(lss[i] as number).toBeGreaterThanOrEqual(
              Math.max(2 * (a[i] as number), -Math.log(policy.vocabSize)) - tol,
            );
          }
        }
      } finally {
        tf.dispose([stats.logProbs, stats.logSumSquares, lp.logProbs]);
      }
    });

    it('logProbs is differentiable with respect to trainableVariables()', () => {
      const vars = policy.trainableVariables();
      if (Object.keys(vars).length === 0) return; // non-learning implementation
      const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
      expectDifferentiable(
        vars,
        () => tf.sum(policy.logProbs(batch, { temperature: 1 }).logProbs) as tf.Scalar,
        'logProbs',
      );
    });

    it('clone() and freeze() are independent deep copies', () => {
      const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
      const read = (p: Policy) => {
        const out = p.logProbs(batch, { temperature: 1 });
        const data = values(out.logProbs);
        out.logProbs.dispose();
        return data;
      };
      const original = read(policy);
      const clone = policy.clone();
      const frozen = policy.freeze();
      try {
        expect(Object.keys(frozen.trainableVariables())).toEqual([]);
        expect(Object.keys(clone.trainableVariables())).toEqual(Object.keys(policy.trainableVariables()));
        expectClose(read(clone), original, 1e-6, 'clone log-probs');
        expectClose(read(frozen), original, 1e-6, 'frozen log-probs');
        const cloneVars = clone.trainableVariables();
        if (Object.keys(cloneVars).length > 0) {
          perturb(cloneVars);
          const changed = read(clone);
          expect(
            changed.some((x, i) => Math.abs(x - (original[i] as number)) > 1e-4),
            'changing the clone changes it',
          ).toBe(true);
          expectClose(read(policy), original, 0, 'original after changing the clone');
          expectClose(read(frozen), original, 0, 'frozen copy after changing the clone');
        }
      } finally {
        clone.dispose();
        frozen.dispose();
      }
      expectClose(read(policy), original, 0, 'original after disposing its copies');
    });

    it('leaks no tensors (sample, logProbs, tokenStats, clone, freeze)', async () => {
      const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
      await expectNoLeak(() => sample({ seed: 9 }), { label: 'sample' });
      await expectNoLeak(() => policy.logProbs(batch, { temperature: 0.7, withEntropy: true }), {
        label: 'logProbs',
      });
      await expectNoLeak(() => policy.tokenStats(batch), { label: 'tokenStats' });
      await expectNoLeak(() => policy.clone().dispose(), { label: 'clone + dispose' });
      await expectNoLeak(() => policy.freeze().dispose(), { label: 'freeze + dispose' });
    });

    it('does not modify its inputs', async () => {
      const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
      const before = snapshotBatch(batch);
      const promptsBefore = JSON.stringify(prompts);
      tf.dispose(Object.values(policy.logProbs(batch, { temperature: 1, withEntropy: true })));
      tf.dispose(Object.values(policy.tokenStats(batch)));
      await sample({ seed: 3 });
      expect(snapshotBatch(batch)).toEqual(before);
      expect(JSON.stringify(prompts)).toBe(promptsBefore);
    });

    it.skipIf(options.paddingInvariance === false)(
      'extra padding (and junk ids under the mask) change no log-prob',
      () => {
        const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
        const junk = ordinaryIds(policy.vocabSize, [policy.eosId, policy.padId], 1)[0];
        const padded = repad(batch, 2, 1, policy.padId, junk);
        const a = policy.logProbs(batch, { temperature: 1 });
        const b = policy.logProbs(padded, { temperature: 1 });
        try {
          const R = batch.seqLength - batch.promptLength;
          const bData = values(b.logProbs);
          const trimmed = new Float32Array(batch.batchSize * R);
          for (let r = 0; r < batch.batchSize; r++)
            trimmed.set(bData.subarray(r * (R + 1), r * (R + 1) + R), r * R);
          expectClose(trimmed, values(a.logProbs), tol, 'log-probs with extra padding');
        } finally {
          tf.dispose([a.logProbs, b.logProbs]);
        }
      },
    );

    it('save() writes files; load() round-trips when given', async () => {
      await withTempDir(async (dir) => {
        await policy.save(dir);
        expect((await listFiles(dir)).length).toBeGreaterThan(0);
        if (!options.load) return;
        const loaded = await options.load(dir);
        const batch = contractBatch(policy.vocabSize, policy.eosId, policy.padId);
        const a = policy.logProbs(batch, { temperature: 1 });
        const b = loaded.logProbs(batch, { temperature: 1 });
        try {
          expect([loaded.vocabSize, loaded.eosId, loaded.padId]).toEqual([
            policy.vocabSize,
            policy.eosId,
            policy.padId,
          ]);
          expectClose(values(b.logProbs), values(a.logProbs), 1e-6, 'loaded log-probs');
        } finally {
          tf.dispose([a.logProbs, b.logProbs]);
          loaded.dispose();
        }
      });
    });
  });
}
