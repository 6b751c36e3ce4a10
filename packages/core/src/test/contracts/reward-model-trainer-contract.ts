import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTokenBatch } from '../../batch/build-token-batch';
import type { TrainEvent } from '../../contracts/events';
import type { PreferencePair } from '../../contracts/records';
import type { RewardModelTrainer, RewardModelTrainingRun } from '../../contracts/reward-model-trainer';
import { expectNoLeak } from '../expect-no-leak';
import { makePair } from '../make-pair';
import { itDeclaresVersionAndName, ordinaryIds } from './helpers';

/** What {@link describeRewardModelTrainerContract} needs to know of the implementation's models. */
export interface RewardModelTrainerContractOptions {
  /** An SFT model folder the trainer starts from (Hugging Face layout; whatever `train` reads as `initModelDir`). */
  initModelDir: () => Promise<string> | string;
  /** Vocabulary size and special ids of that model. */
  vocabSize: number;
  eosId: number;
  padId: number;
  /** Whether the trained model depends on the run's seed (default true; false for a fixed, served model). */
  seedMatters?: boolean;
  /** Whether the pairs' `logWeight` changes the trained model (default true; false for a model that does not train). */
  weightsMatter?: boolean;
}

/**
 * A vitest suite every {@link RewardModelTrainer} must pass: declares its version and name; `train` returns a finite
 * `rm/heldout_accuracy` in [0, 1] and `load` gives a frozen reward model with one finite score per row (and
 * `loadCritic`, when present, a trainable value model of shape `[B, T_resp]`); the same seed trains the same model,
 * another seed (and other pair weights) another; an aborted `train` rejects, and a rerun in the same folder ends
 * with the uninterrupted run's scores; no tensors leak.
 */
export function describeRewardModelTrainerContract(
  name: string,
  factory: () => RewardModelTrainer | Promise<RewardModelTrainer>,
  options: RewardModelTrainerContractOptions,
): void {
  const ids = ordinaryIds(options.vocabSize, [options.eosId, options.padId], 8);
  const [good, bad, a, b, c, d] = ids as [number, number, number, number, number, number];
  const eos = options.eosId;
  // Chosen responses say `good` more often: a preference a reward model can learn from 48 pairs.
  const pairs: PreferencePair[] = Array.from({ length: 48 }, (_, i) =>
    makePair(`p${i}`, [a, i % 2 ? b : c], [good, i % 3 ? d : good, eos], [bad, i % 3 ? d : bad, eos]),
  );
  const evalPairs = pairs.slice(0, 8).map((p) => ({ ...p, id: `e-${p.id}` }));
  const batch = buildTokenBatch({
    prompts: [[a, b], [c], [a, d]],
    responses: [[good, good, eos], [bad, eos], [d]],
    padId: options.padId,
  });

  async function trainAndScore(
    o: { seed?: number; weighted?: boolean; dir?: string; abortAfter?: number } = {},
  ) {
    const trainer = await factory();
    const dir = o.dir ?? (await mkdtemp(join(tmpdir(), 'rm-trainer-contract-')));
    const controller = new AbortController();
    if (o.abortAfter === 0) controller.abort(new Error('contract abort'));
    const run: RewardModelTrainingRun = {
      // Up-weights the pairs whose responses repeat their token (i % 3 = 0): another objective, not a rescaled one.
      pairs: o.weighted ? pairs.map((p, i) => ({ ...p, logWeight: i % 3 === 0 ? 2 : -2 })) : pairs,
      evalPairs,
      initModelDir: await options.initModelDir(),
      seed: o.seed ?? 0,
      round: o.weighted ? 2 : 1,
      dir,
      references: {
        prompts: [[a], [b]],
        responses: [
          [d, eos],
          [good, eos],
        ],
      },
      padId: options.padId,
      stage: 'rm-1',
      signal: controller.signal,
      onEvent: (event: TrainEvent) => {
        if (event.type === 'step-end' && event.step === o.abortAfter)
          controller.abort(new Error('contract abort'));
      },
    };
    try {
      const summary = await trainer.train(run);
      const model = await trainer.load(dir);
      try {
        const scored = model.score(batch);
        const scores = Array.from(await scored.data());
        scored.dispose();
        return {
          summary,
          scores,
          frozen: Object.keys(model.trainableVariables()).length === 0,
          trainer,
          dir,
        };
      } finally {
        model.dispose();
      }
    } finally {
      if (!o.dir) await rm(dir, { recursive: true, force: true });
    }
  }

  describe(`RewardModelTrainer contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('trains, reports held-out accuracy, and loads a frozen model with one finite score per row; no leaks', async () => {
      const r = await expectNoLeak(() => trainAndScore());
      const accuracy = r.summary['rm/heldout_accuracy'] as number;
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
      expect(r.scores).toHaveLength(3);
      for (const s of r.scores) expect(Number.isFinite(s)).toBe(true);
      expect(r.frozen).toBe(true);
    });

    it('loadCritic, when present, gives a trainable value model with [B, T_resp] values', async () => {
      const trainer = await factory();
      if (!trainer.loadCritic) return;
      const dir = await mkdtemp(join(tmpdir(), 'rm-trainer-contract-'));
      try {
        await trainAndScore({ dir });
        const critic = await trainer.loadCritic(dir);
        try {
          const values = critic.values(batch);
          expect(values.shape).toEqual([3, batch.seqLength - batch.promptLength]);
          values.dispose();
          expect(Object.keys(critic.trainableVariables()).length).toBeGreaterThan(0);
        } finally {
          critic.dispose();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('the same seed trains the same model; the seed and the pair weights change it', async () => {
      const first = await trainAndScore();
      expect((await trainAndScore()).scores).toEqual(first.scores);
      if (options.seedMatters ?? true)
        expect((await trainAndScore({ seed: 3 })).scores).not.toEqual(first.scores);
      if (options.weightsMatter ?? true)
        expect((await trainAndScore({ weighted: true })).scores).not.toEqual(first.scores);
    });

    it('an aborted train rejects; a rerun in the same folder ends with the uninterrupted scores', async () => {
      const straight = await trainAndScore();
      const dir = await mkdtemp(join(tmpdir(), 'rm-trainer-contract-'));
      try {
        // Aborted before it starts (every trainer), then after its first step (trainers that report steps).
        await expect(trainAndScore({ dir, abortAfter: 0 })).rejects.toThrow();
        await trainAndScore({ dir, abortAfter: 1 }).then(
          () => undefined,
          (error: Error) => expect(error.message).toMatch(/abort/i),
        );
        expect((await trainAndScore({ dir })).scores).toEqual(straight.scores);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
