import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../contracts/events';
import type { Policy } from '../../contracts/policy';
import type { PolicyOptimizationRun, PolicyOptimizer } from '../../contracts/policy-optimizer';
import { expectNoLeak } from '../expect-no-leak';
import { MockRewardModel } from '../mocks/mock-reward-model';
import { createTinyPolicy } from '../tiny/tiny-policy';
import { createTinyValueModel } from '../tiny/tiny-scalar-model';
import { weightsSnapshot } from './helpers';

/** Options of {@link describePolicyOptimizerContract}. */
export interface PolicyOptimizerContractOptions {
  /** Updates of each contract run (default 3; at least 3 so an abort after update 1 leaves work to resume). */
  totalUpdates?: number;
  /** Response length of the runs (default 6). */
  maxNewTokens?: number;
}

/**
 * A vitest suite every {@link PolicyOptimizer} must pass, run on a tiny real policy (vocab 16) against a programmatic
 * reward model: declares its version, name, capabilities and temperature; trains the policy (and only the policy)
 * over `totalUpdates` updates with the events and `onEval` calls of the contract; the same seed gives the same
 * weights; an abort after update 1 saves a checkpoint and a rerun on that folder ends with the uninterrupted run's
 * weights; no tensors leak.
 * @param factory - builds the optimizer under test, configured small (rows per update ≲ 16).
 */
export function describePolicyOptimizerContract(
  name: string,
  factory: () => PolicyOptimizer | Promise<PolicyOptimizer>,
  options: PolicyOptimizerContractOptions = {},
): void {
  const totalUpdates = options.totalUpdates ?? 3;
  const maxNewTokens = options.maxNewTokens ?? 6;

  /** One run of the contract setup; returns the final policy weights and what the run reported. */
  async function run(o: { checkpointDir?: string; abortAfter?: number; seed?: number } = {}) {
    const optimizer = await factory();
    const policy = createTinyPolicy({ seed: 0, vocabSize: 16, hidden: 16, maxLength: 16 });
    const reference = policy.freeze();
    const rewardModel = new MockRewardModel({
      scoreFn: (response) => response.filter((id) => id === 5).length / Math.max(1, response.length),
    });
    const critic = optimizer.usesCritic
      ? createTinyValueModel({ seed: 1, vocabSize: 16, hidden: 16, maxLength: 16 })
      : undefined;
    const events: TrainEvent[] = [];
    const evals: number[] = [];
    const controller = new AbortController();
    const before = {
      reference: await weightsSnapshot(reference.trainableVariables()),
      policy: await weightsSnapshot(policy.trainableVariables()),
    };
    const input: PolicyOptimizationRun = {
      policy,
      reference,
      rewardModel,
      critic,
      prompts: Array.from({ length: 8 }, (_, i) => [2 + (i % 7), 3 + ((i * 5) % 11)]),
      maxNewTokens,
      totalUpdates,
      seed: o.seed ?? 0,
      evalEvery: 0,
      onEval: async (current: Policy, update: number) => {
        evals.push(update);
        expect(current).toBe(policy);
        return { 'eval/probe': update };
      },
      checkpointDir: o.checkpointDir ?? join(tmpdir(), `unused-${process.pid}-${Math.random()}`),
      stage: 'ppo-1',
      signal: controller.signal,
      onEvent: (event) => {
        events.push(event);
        if (event.type === 'step-end' && event.step === o.abortAfter)
          controller.abort(new Error('contract abort'));
      },
    };
    try {
      let result: Awaited<ReturnType<PolicyOptimizer['optimize']>> | undefined;
      let aborted = false;
      try {
        result = await optimizer.optimize(input);
      } catch (error) {
        if (!(error instanceof Error && error.message === 'contract abort')) throw error;
        aborted = true;
      }
      return {
        result,
        aborted,
        events,
        evals,
        before,
        weights: await weightsSnapshot(policy.trainableVariables()),
        referenceAfter: await weightsSnapshot(reference.trainableVariables()),
      };
    } finally {
      policy.dispose();
      reference.dispose();
      rewardModel.dispose();
      critic?.dispose();
    }
  }

  describe(`PolicyOptimizer contract: ${name}`, () => {
    it("declares specificationVersion 'v1', a name, its capabilities and a positive temperature", async () => {
      const optimizer = await factory();
      expect(optimizer.specificationVersion).toBe('v1');
      expect(typeof optimizer.name === 'string' && optimizer.name.length > 0).toBe(true);
      expect(typeof optimizer.usesCritic).toBe('boolean');
      expect(typeof optimizer.canContinue).toBe('boolean');
      expect(optimizer.temperature).toBeGreaterThan(0);
    });

    it('trains the policy only, reports every update and evaluates after the last; no tensors leak', async () => {
      const r = await expectNoLeak(() => run());
      expect(r.result?.updates).toBe(totalUpdates);
      expect(r.result?.episodes).toBeGreaterThan(0);
      expect(Number.isFinite(r.result?.metrics['objective/scores'])).toBe(true);
      expect(Number.isFinite(r.result?.metrics['objective/kl'])).toBe(true);
      expect(r.weights).not.toEqual(r.before.policy);
      expect(r.referenceAfter).toEqual(r.before.reference);
      expect(r.events[0]?.type).toBe('run-start');
      expect(r.events.filter((e) => e.type === 'step-end').map((e) => e.step)).toEqual(
        Array.from({ length: totalUpdates }, (_, i) => i + 1),
      );
      expect(r.events.at(-1)?.type).toBe('run-end');
      expect(r.evals).toEqual([totalUpdates]);
    });

    it('is deterministic under its seed and depends on it', async () => {
      const a = await run();
      expect((await run()).weights).toEqual(a.weights);
      expect((await run({ seed: 7 })).weights).not.toEqual(a.weights);
    });

    it('checkpoints on abort and resumes to the uninterrupted run’s weights', async () => {
      const straight = await run();
      const dir = await mkdtemp(join(tmpdir(), 'policy-optimizer-contract-'));
      try {
        const stopped = await run({ checkpointDir: dir, abortAfter: 1 });
        expect(stopped.aborted).toBe(true);
        expect(stopped.events.some((e) => e.type === 'checkpoint')).toBe(true);
        const resumed = await run({ checkpointDir: dir });
        expect(resumed.result?.updates).toBe(totalUpdates);
        expect(resumed.weights).toEqual(straight.weights);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
