/**
 * Speed benchmark of @ocrm/ppo: seconds per update and episodes per second, with the breakdown sampling / scoring
 * (old, reference, value and reward forwards) / update (PPO epochs). Not a test.
 * Run: `npm run bench -w @ocrm/ppo` (env: BENCH_UPDATES=6, BENCH_BATCH=64, BENCH_TOKENS=16, BENCH_MICRO=16,
 * OCRM_BACKEND=wasm|cpu). The first update (kernel warm-up) is reported apart; medians over the rest.
 *
 * `benchPpo(models, config)` takes any Policy / ValueModel / RewardModel, so the same numbers can be taken on a real
 * model (e.g. the digest task's SFT policy and reward model) by calling it with those.
 */
import { initBackend } from '@ocrm/backend-wasm';
import type { Policy, RewardModel, ValueModel } from '@ocrm/core';
// Direct source paths: the `@ocrm/core/test` index imports vitest, which cannot load outside a test run.
import { MockRewardModel } from '../../core/src/test/mocks/mock-reward-model';
import { createTinyPolicy } from '../../core/src/test/tiny/tiny-policy';
import { createTinyValueModel } from '../../core/src/test/tiny/tiny-scalar-model';
import { type PpoConfig, trainPpoIter } from '../src/index';

/** Models and prompts of a benchmark run. */
export interface BenchModels {
  policy: Policy;
  reference: Policy;
  critic: ValueModel;
  rewardModel: RewardModel;
  prompts: number[][];
}

/** Per-update timings (seconds). */
export interface BenchRow {
  update: number;
  total: number;
  sampling: number;
  scoring: number;
  optimisation: number;
  eps: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : ((s[(s.length - 1) >> 1] as number) + (s[s.length >> 1] as number)) / 2;
};

/** Runs `config.totalUpdates` PPO updates and returns one timing row per update. */
export async function benchPpo(models: BenchModels, config: Partial<PpoConfig>): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for await (const event of trainPpoIter({ ...models, config })) {
    if (event.type !== 'step-end') continue;
    const m = event.metrics;
    rows.push({
      update: event.step,
      total: m['time/total'] as number,
      sampling: m['time/sampling'] as number,
      scoring: m['time/scoring'] as number,
      optimisation: m['time/update'] as number,
      eps: m.eps as number,
    });
  }
  return rows;
}

/** Prints a Markdown table: warm-up update, then medians of the others. */
export function report(title: string, rows: BenchRow[]): void {
  const rest = rows.slice(1);
  const fmt = (x: number) => x.toFixed(3);
  const line = (label: string, r: Omit<BenchRow, 'update'>) =>
    `| ${label} | ${fmt(r.total)} | ${fmt(r.sampling)} | ${fmt(r.scoring)} | ${fmt(r.optimisation)} | ${r.eps.toFixed(1)} |`;
  console.log(`\n### ${title}\n`);
  console.log('| update | s/update | sampling s | scoring s | update s | episodes/s |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  if (rows[0]) console.log(line('first (warm-up)', rows[0]));
  console.log(
    line(`median of ${rest.length}`, {
      total: median(rest.map((r) => r.total)),
      sampling: median(rest.map((r) => r.sampling)),
      scoring: median(rest.map((r) => r.scoring)),
      optimisation: median(rest.map((r) => r.optimisation)),
      eps: median(rest.map((r) => r.eps)),
    }),
  );
}

async function main(): Promise<void> {
  const backend = await initBackend();
  const updates = Number(process.env.BENCH_UPDATES ?? 6);
  const batch = Number(process.env.BENCH_BATCH ?? 64);
  const tokens = Number(process.env.BENCH_TOKENS ?? 16);
  const micro = Number(process.env.BENCH_MICRO ?? 16);
  const vocabSize = 64;
  const hidden = 32;
  const maxLength = 16 + tokens;
  const policy = createTinyPolicy({ seed: 0, vocabSize, hidden, maxLength });
  const reference = policy.freeze();
  const critic = createTinyValueModel({ seed: 1, vocabSize, hidden, maxLength });
  const rewardModel = new MockRewardModel({ targetId: 5 });
  const prompts = Array.from({ length: 256 }, (_, i) =>
    Array.from({ length: 4 + (i % 8) }, (_, t) => 2 + ((i * 7 + t * 3) % 60)),
  );
  const config: Partial<PpoConfig> = {
    rolloutBatchSize: batch,
    maxNewTokens: tokens,
    microBatchSize: micro,
    totalUpdates: updates,
    learningRate: 1e-3,
    evalEvery: 0,
    checkpointEvery: 0,
  };
  const rows = await benchPpo({ policy, reference, critic, rewardModel, prompts }, config);
  report(
    `PPO on the tiny policy (${backend.name}; V ${vocabSize}, H ${hidden}; ${batch} episodes x ${tokens} tokens, ` +
      `4 epochs, micro-batch ${micro})`,
    rows,
  );
  for (const m of [policy, reference, critic, rewardModel]) m.dispose();
}

await main();
