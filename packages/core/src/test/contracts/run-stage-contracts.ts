import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Evaluator } from '../../contracts/evaluator';
import type { StageShard } from '../../contracts/pair-sampler';
import type { PairWeighter, PairWeightingRun, RunMemo } from '../../contracts/pair-weighter';
import type { EvaluationRun, RunEvaluator } from '../../contracts/run-evaluator';
import type { RunReporter } from '../../contracts/run-reporter';
import type { RunSummary } from '../../contracts/run-summary';
import { expectNoLeak } from '../expect-no-leak';
import { itDeclaresVersionAndName } from './helpers';
import { CountingLoader, stagePairs, stageTask } from './stage-fixtures';

const aborted = () => {
  const controller = new AbortController();
  controller.abort(new Error('contract abort'));
  return controller.signal;
};

/** An in-memory {@link RunMemo} that stores values as JSON (as the pipeline's file-backed one does). */
function jsonMemo(): { memo: RunMemo; entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const memo: RunMemo = async <T>(name: string, key: string, compute: () => Promise<T>) => {
    const id = `${name}\u0000${key}`;
    const stored = entries.get(id);
    if (stored !== undefined) return JSON.parse(stored) as T;
    const value = await compute();
    entries.set(id, JSON.stringify(value));
    return value;
  };
  return { memo, entries };
}

/**
 * A vitest suite every {@link PairWeighter} must pass, on eight character pairs sampled (in the suite's telling) from a
 * tiny policy and weighed toward another: one finite log-weight per pair and diagnostics of exactly those weights
 * (n, ESS/N); numeric metrics; deterministic (a rerun — also one reading the run memo a first run filled — gives the
 * same weights); an aborted signal rejects; every policy it loads is disposed and no tensors leak.
 */
export function describePairWeighterContract(
  name: string,
  factory: () => PairWeighter | Promise<PairWeighter>,
): void {
  async function weigh(o: { memo?: RunMemo; signal?: AbortSignal; shards?: number } = {}) {
    const loader = new CountingLoader();
    const sampler = await loader.policy(0)();
    const pairs = await stagePairs(sampler).finally(() => sampler.dispose());
    const weighter = await factory();
    const base: PairWeightingRun = {
      pairs,
      round: 2,
      policy: loader.policy(7),
      sampler: loader.policy(0),
      temperatures: { policy: 0.7, sampler: 1 },
      memo: o.memo,
      stage: 'weights-2',
      signal: o.signal,
    };
    let run = base;
    if (o.shards && weighter.shardable && weighter.weighShard) {
      // What the stage does: every shard's result through a JSON file, then the merge.
      const shardResults = [];
      for (let index = 0; index < o.shards; index++)
        shardResults.push(
          JSON.parse(JSON.stringify(await weighter.weighShard(base, { index, count: o.shards }))),
        );
      run = { ...base, shardResults };
    }
    const result = await weighter.weighPairs(run);
    return { result, pairs, loader };
  }

  describe(`PairWeighter contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('one finite log-weight per pair, diagnostics of those weights; disposes what it loads, no leaks', async () => {
      const { result, pairs, loader } = await expectNoLeak(() => weigh());
      expect(result.logWeights).toBeInstanceOf(Float64Array);
      expect(result.logWeights).toHaveLength(pairs.length);
      for (const w of result.logWeights) expect(Number.isFinite(w)).toBe(true);
      const weights = Array.from(result.logWeights, Math.exp);
      const sum = weights.reduce((a, b) => a + b, 0);
      const ess = (sum * sum) / weights.reduce((a, b) => a + b * b, 0);
      expect(result.diagnostics.n).toBe(pairs.length);
      expect(result.diagnostics.essFraction).toBeCloseTo(ess / pairs.length, 6);
      for (const [key, value] of Object.entries(result.metrics)) {
        expect(key, 'metric names are slash-named').toMatch(/\//);
        expect(typeof value, key).toBe('number');
      }
      expect(loader.disposed, 'policies disposed').toBe(loader.loaded);
    });

    it('is deterministic, also when a run memo from an earlier round is read', async () => {
      const first = (await weigh()).result.logWeights;
      expect((await weigh()).result.logWeights).toEqual(first);
      const { memo } = jsonMemo();
      expect((await weigh({ memo })).result.logWeights).toEqual(first);
      const again = await weigh({ memo });
      expect(again.result.logWeights).toEqual(first);
      expect(again.loader.disposed).toBe(again.loader.loaded);
    });

    it('when shardable: every shard count gives the unsharded weights, disposing what the shards load', async () => {
      if (!(await factory()).shardable) return;
      const whole = (await weigh()).result;
      for (const shards of [2, 3]) {
        const { result, loader } = await expectNoLeak(() => weigh({ shards }));
        expect(result.logWeights).toEqual(whole.logWeights);
        expect(result.metrics).toEqual(whole.metrics);
        expect(loader.disposed).toBe(loader.loaded);
      }
    });

    it('an aborted signal rejects and leaves nothing loaded', async () => {
      const loader = new CountingLoader();
      const weighter = await factory();
      const sampler = await loader.policy(0)();
      const pairs = await stagePairs(sampler);
      sampler.dispose();
      await expect(
        weighter.weighPairs({
          pairs,
          round: 2,
          policy: loader.policy(7),
          sampler: loader.policy(0),
          temperatures: { policy: 0.7, sampler: 1 },
          stage: 'weights-2',
          signal: aborted(),
        }),
      ).rejects.toThrow();
      expect(loader.disposed).toBe(loader.loaded);
    });
  });
}

/**
 * A vitest suite every {@link RunEvaluator} must pass, on two tiny policies (SFT and one round) with tiny reward models,
 * a mock gold judge and a small held-out task: one entry per target in order (round and stage), numeric slash-named
 * metrics including the extra evaluators'; the same seed gives the same metrics; an aborted signal rejects; every
 * model it loads is disposed and no tensors leak.
 */
export function describeRunEvaluatorContract(
  name: string,
  factory: () => RunEvaluator | Promise<RunEvaluator>,
): void {
  const extra: Evaluator = {
    specificationVersion: 'v1',
    name: 'contract-extra',
    evaluate: async (_policy, context) => ({ 'contract/round': context.round ?? -1 }),
  };

  async function evaluate(o: { signal?: AbortSignal; loader?: CountingLoader; shard?: StageShard } = {}) {
    const loader = o.loader ?? new CountingLoader();
    const pairs = await stagePairs();
    const task = stageTask();
    const run: EvaluationRun = {
      targets: [
        { round: 0, stage: 'sft', policy: loader.policy(0), rewardModel: loader.rewardModel(1) },
        { round: 1, stage: 'ppo-1', policy: loader.policy(7), rewardModel: loader.rewardModel(1) },
      ],
      reference: loader.policy(0),
      task,
      judge: task.judge,
      heldoutPairs: pairs.slice(0, 4),
      onPolicyPairs: async (_policy, round, count) => pairs.slice(round, round + count),
      rolloutTemperature: 0.7,
      seed: 0,
      evaluators: [extra],
      stage: 'eval',
      signal: o.signal,
      shard: o.shard,
    };
    const results = await (await factory()).evaluateRun(run);
    return { results, loader };
  }

  describe(`RunEvaluator contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('one entry per target in order, numeric metrics with the extra evaluators’; disposes, no leaks', async () => {
      const { results, loader } = await expectNoLeak(() => evaluate());
      expect(results.map((r) => [r.round, r.stage])).toEqual([
        [0, 'sft'],
        [1, 'ppo-1'],
      ]);
      for (const entry of results) {
        expect(entry.metrics['contract/round']).toBe(entry.round);
        for (const [key, value] of Object.entries(entry.metrics)) {
          expect(key).toMatch(/\//);
          expect(typeof value, key).toBe('number');
        }
      }
      expect(loader.disposed, 'models disposed').toBe(loader.loaded);
    });

    it('the same seed gives the same metrics', async () => {
      const a = (await evaluate()).results;
      expect((await evaluate()).results).toEqual(a);
    });

    it('when shardable: the shards’ entries, concatenated in order, are the unsharded entries', async () => {
      if (!(await factory()).shardable) return;
      const whole = (await evaluate()).results;
      for (const count of [2, 3]) {
        const parts = [];
        for (let index = 0; index < count; index++) {
          const loader = new CountingLoader();
          parts.push(...(await evaluate({ loader, shard: { index, count } })).results);
          expect(loader.disposed).toBe(loader.loaded);
        }
        expect(parts).toEqual(whole);
      }
    });

    it('an aborted signal rejects and leaves nothing loaded', async () => {
      const loader = new CountingLoader();
      await expect(evaluate({ signal: aborted(), loader })).rejects.toThrow();
      expect(loader.disposed).toBe(loader.loaded);
    });
  });
}

/** A two-round run summary, all plain numbers (what the pipeline's `summarizeRun` builds). */
function exampleSummary(seed: number): RunSummary {
  return {
    method: 'ocrm',
    seed,
    label: `ocrm (seed ${seed})`,
    rounds: [1, 2].map((round) => ({
      round,
      metrics: { 'eval/gold': 0.4 + 0.05 * round + 0.01 * seed, 'eval/kl_sft': 0.2 * round },
      rmAccuracy: { accuracy: 0.6 + 0.02 * round },
    })),
    curve: [1, 2, 3, 4].map((update) => ({
      round: update <= 2 ? 1 : 2,
      update,
      metrics: { 'eval/gold': 0.3 + 0.04 * update, 'eval/proxy': 0.5 * update, 'eval/kl_sft': 0.1 * update },
    })),
    config: { seed },
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/**
 * A vitest suite every {@link RunReporter} must pass: writes at least one non-empty file, only inside `outDir`
 * (created when missing), and returns their paths; the same runs give the same bytes; an aborted signal rejects and
 * writes nothing.
 */
export function describeRunReporterContract(
  name: string,
  factory: () => RunReporter | Promise<RunReporter>,
): void {
  async function report(o: { signal?: AbortSignal } = {}) {
    const root = await mkdtemp(join(tmpdir(), 'reporter-contract-'));
    const outDir = join(root, 'nested', 'out');
    try {
      const reporter = await factory();
      const paths = await reporter.writeReport({
        runs: [exampleSummary(1), exampleSummary(2)],
        outDir,
        title: 'contract report',
        signal: o.signal,
      });
      const files = await filesUnder(root);
      const bytes = await Promise.all(files.map((f) => readFile(join(root, f))));
      return { paths, files, bytes, outDir, root };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }

  describe(`RunReporter contract: ${name}`, () => {
    itDeclaresVersionAndName(factory);

    it('writes non-empty files only inside outDir and returns their paths', async () => {
      const { paths, files, bytes, outDir, root } = await report();
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(resolve(root, f).startsWith(`${outDir}/`), f).toBe(true);
      for (const b of bytes) expect(b.length).toBeGreaterThan(0);
      expect(paths.map((p) => relative(root, resolve(p))).sort()).toEqual(files);
    });

    it('the same runs give the same bytes', async () => {
      const a = await report();
      const b = await report();
      expect(b.files).toEqual(a.files);
      expect(b.bytes).toEqual(a.bytes);
    });

    it('an aborted signal rejects and writes nothing', async () => {
      const root = await mkdtemp(join(tmpdir(), 'reporter-contract-'));
      try {
        const reporter = await factory();
        await expect(
          reporter.writeReport({ runs: [exampleSummary(1)], outDir: root, title: 't', signal: aborted() }),
        ).rejects.toThrow();
        expect(await filesUnder(root)).toEqual([]);
        expect((await stat(root)).isDirectory()).toBe(true);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  });
}
