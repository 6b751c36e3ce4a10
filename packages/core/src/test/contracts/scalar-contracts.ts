import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewardModel, ValueModel } from '../../contracts/reward-model';
import type { TokenBatch } from '../../contracts/token-batch';
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

/** Options of {@link describeRewardModelContract} and {@link describeValueModelContract}. */
export interface ScalarModelContractOptions<M> {
  /** Vocabulary size of the model (test batches use ids below it). */
  vocabSize: number;
  /** EOS id used in test batches (default 1). */
  eosId?: number;
  /** PAD id used in test batches (default 0). */
  padId?: number;
  /** Absolute tolerance (default 1e-4). */
  tolerance?: number;
  /** Check that extra padding and junk ids under the mask change nothing (default true). */
  paddingInvariance?: boolean;
  /** Loads what `save` wrote; when given, the suite checks the round trip. */
  load?: (dir: string) => Promise<M>;
}

type Scalar = RewardModel | ValueModel;

/** Shared part of both suites: version, differentiability, clone/freeze independence, leaks, save. */
function describeTrainableChecks<M extends Scalar>(
  get: () => M,
  batch: () => TokenBatch,
  run: (model: M, batch: TokenBatch) => tf.Tensor,
  options: ScalarModelContractOptions<M>,
): void {
  const read = (m: M, b = batch()) => {
    const out = run(m, b);
    const data = values(out);
    out.dispose();
    return data;
  };

  it("declares specificationVersion 'v1'", () => {
    expect(get().specificationVersion).toBe('v1');
  });

  it('is differentiable with respect to trainableVariables()', () => {
    const vars = get().trainableVariables();
    if (Object.keys(vars).length === 0) return; // non-learning implementation
    expectDifferentiable(vars, () => tf.sum(run(get(), batch())) as tf.Scalar, 'output');
  });

  it('clone() and freeze() are independent deep copies', () => {
    const model = get();
    const original = read(model);
    const clone = model.clone() as M;
    const frozen = model.freeze() as M;
    try {
      expect(Object.keys(frozen.trainableVariables())).toEqual([]);
      expect(Object.keys(clone.trainableVariables())).toEqual(Object.keys(model.trainableVariables()));
      expectClose(read(clone), original, 1e-6, 'clone output');
      expectClose(read(frozen), original, 1e-6, 'frozen output');
      const vars = clone.trainableVariables();
      if (Object.keys(vars).length > 0) {
        perturb(vars);
        expect(
          read(clone).some((x, i) => Math.abs(x - (original[i] as number)) > 1e-4),
          'changing the clone changes it',
        ).toBe(true);
        expectClose(read(model), original, 0, 'original after changing the clone');
        expectClose(read(frozen), original, 0, 'frozen copy after changing the clone');
      }
    } finally {
      clone.dispose();
      frozen.dispose();
    }
    expectClose(read(model), original, 0, 'original after disposing its copies');
  });

  it('leaks no tensors and does not modify its input', async () => {
    const b = batch();
    const before = snapshotBatch(b);
    await expectNoLeak(() => run(get(), b), { label: 'forward' });
    await expectNoLeak(() => get().clone().dispose(), { label: 'clone + dispose' });
    await expectNoLeak(() => get().freeze().dispose(), { label: 'freeze + dispose' });
    expect(snapshotBatch(b)).toEqual(before);
  });

  it('save() writes files; load() round-trips when given', async () => {
    await withTempDir(async (dir) => {
      await get().save(dir);
      expect((await listFiles(dir)).length).toBeGreaterThan(0);
      if (!options.load) return;
      const loaded = await options.load(dir);
      try {
        expectClose(read(loaded), read(get()), 1e-6, 'loaded output');
      } finally {
        loaded.dispose();
      }
    });
  });
}

/**
 * A vitest suite every {@link RewardModel} must pass: `[B]` finite scores, deterministic, rows scored independently
 * of their batch, read at the last valid token (extra padding and junk ids under the mask change nothing),
 * differentiable, clone/freeze independence, no leaks, save (and load round trip).
 */
export function describeRewardModelContract(
  name: string,
  factory: () => RewardModel | Promise<RewardModel>,
  options: ScalarModelContractOptions<RewardModel>,
): void {
  const tol = options.tolerance ?? 1e-4;
  const eosId = options.eosId ?? 1;
  const padId = options.padId ?? 0;
  describe(`RewardModel contract: ${name}`, () => {
    let model: RewardModel;
    beforeAll(async () => {
      model = await factory();
    });
    afterAll(() => model?.dispose());
    const batch = () => contractBatch(options.vocabSize, eosId, padId);
    const scores = (b: TokenBatch) => {
      const out = model.score(b);
      const data = values(out);
      out.dispose();
      return data;
    };

    it('score: [B] finite scores, deterministic', () => {
      const b = batch();
      const out = model.score(b);
      expect(out.shape).toEqual([b.batchSize]);
      out.dispose();
      const a = scores(b);
      expectFinite(a, 'scores');
      expectClose(scores(b), a, 0, 'repeated scores');
    });

    it('scores each row independently of the rest of the batch', () => {
      const b = batch();
      const all = scores(b);
      for (let r = 0; r < b.batchSize; r++) {
        const T = b.seqLength;
        const row: TokenBatch = {
          ...b,
          batchSize: 1,
          ids: b.ids.slice(r * T, (r + 1) * T),
          mask: b.mask.slice(r * T, (r + 1) * T),
        };
        expectClose(scores(row), [all[r] as number], tol, `row ${r} alone`);
      }
    });

    it.skipIf(options.paddingInvariance === false)(
      'extra padding and junk ids under the mask change no score',
      () => {
        const b = batch();
        const junk = ordinaryIds(options.vocabSize, [eosId, padId], 2)[1];
        expectClose(scores(repad(b, 2, 3, padId, junk)), scores(b), tol, 'scores with extra padding');
      },
    );

    describeTrainableChecks(
      () => model,
      batch,
      (m, b) => m.score(b),
      options,
    );
  });
}

/**
 * A vitest suite every {@link ValueModel} must pass: `[B, T_resp]` finite values, 0 at masked positions, causal with
 * the logits' shift (the value of response token t, read at position `promptLength - 1 + t`, does not depend on
 * response tokens ≥ t), padding invariance, differentiable, clone/freeze independence, no leaks, save.
 */
export function describeValueModelContract(
  name: string,
  factory: () => ValueModel | Promise<ValueModel>,
  options: ScalarModelContractOptions<ValueModel>,
): void {
  const tol = options.tolerance ?? 1e-4;
  const eosId = options.eosId ?? 1;
  const padId = options.padId ?? 0;
  describe(`ValueModel contract: ${name}`, () => {
    let model: ValueModel;
    beforeAll(async () => {
      model = await factory();
    });
    afterAll(() => model?.dispose());
    const batch = () => contractBatch(options.vocabSize, eosId, padId);
    const read = (b: TokenBatch) => {
      const out = model.values(b);
      const data = values(out);
      out.dispose();
      return data;
    };

    it('values: [B, T_resp] finite, 0 at masked positions, deterministic', () => {
      const b = batch();
      const R = b.seqLength - b.promptLength;
      const out = model.values(b);
      expect(out.shape).toEqual([b.batchSize, R]);
      out.dispose();
      const v = read(b);
      expectFinite(v, 'values');
      for (let r = 0; r < b.batchSize; r++) {
        for (let t = 0; t < R; t++) {
          if (!b.mask[r * b.seqLength + b.promptLength + t])
            expect(Math.abs(v[r * R + t] as number), `masked [${r}, ${t}]`).toBe(0);
        }
      }
      expectClose(read(b), v, 0, 'repeated values');
    });

    it('the value of response token t is read at position promptLength - 1 + t (does not see tokens ≥ t)', () => {
      const b = batch();
      const R = b.seqLength - b.promptLength;
      const v = read(b);
      // Row 1 has 4 valid response tokens; change its token at t = 2.
      const changed = { ...b, ids: b.ids.slice() };
      const i = 1 * b.seqLength + b.promptLength + 2;
      changed.ids[i] = ordinaryIds(options.vocabSize, [eosId, padId, b.ids[i] as number], 1)[0] as number;
      const w = read(changed);
      expectClose(w.subarray(R, R + 3), v.subarray(R, R + 3), tol, 'values at t ≤ 2 after changing token 2');
    });

    it.skipIf(options.paddingInvariance === false)(
      'extra padding and junk ids under the mask change no value',
      () => {
        const b = batch();
        const R = b.seqLength - b.promptLength;
        const junk = ordinaryIds(options.vocabSize, [eosId, padId], 2)[1];
        const padded = read(repad(b, 2, 1, padId, junk));
        const trimmed = new Float32Array(b.batchSize * R);
        for (let r = 0; r < b.batchSize; r++)
          trimmed.set(padded.subarray(r * (R + 1), r * (R + 1) + R), r * R);
        expectClose(trimmed, read(b), tol, 'values with extra padding');
      },
    );

    describeTrainableChecks(
      () => model,
      batch,
      (m, b) => m.values(b),
      options,
    );
  });
}
