/**
 * Speed of one PPO update on the default task's model (the `quick` preset's model shape and PPO config, on the
 * digest task): seconds per update, episodes per second, and the breakdown sampling / scoring / update.
 * Weights are random (timing only). Not a test. Run: `npm run bench -w @ocrm/pipeline`
 * (env: BENCH_UPDATES=4, OCRM_BACKEND=wasm|cpu).
 */
import { initBackend } from '@ocrm/backend-wasm';
import { createDigestTask } from '@ocrm/data';
import { createModel, parseHfConfig } from '@ocrm/models';
import { CausalLMPolicy } from '@ocrm/policy';
import { trainPpoIter } from '@ocrm/ppo';
import { ScalarRewardModel } from '@ocrm/reward-model';
import { PRESETS } from '../src/config/presets';

const backend = await initBackend({
  prefer: (process.env.OCRM_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm',
});
const preset = PRESETS.quick!.config;
const task = createDigestTask(preset.task.options);
const modelConfig = parseHfConfig({
  vocab_size: task.tokenizer.vocabSize,
  eos_token_id: task.tokenizer.eosId,
  pad_token_id: task.tokenizer.padId,
  ...(preset.model as { config: Record<string, unknown> }).config,
});
const ids = { eosId: task.tokenizer.eosId, padId: task.tokenizer.padId };
const policy = CausalLMPolicy.fromModel(createModel(modelConfig, { seed: 1 }), ids);
const reference = policy.freeze();
const rewardModel = ScalarRewardModel.fromModel(
  createModel(modelConfig, { seed: 2, scoreHead: true, lmHead: false }),
);
const critic = rewardModel.clone();
const updates = Number(process.env.BENCH_UPDATES ?? 4);
const config: Record<string, unknown> & { rolloutBatchSize?: number; maxNewTokens: number } = {
  ...preset.ppo,
  ...(process.env.BENCH_MICRO ? { microBatchSize: Number(process.env.BENCH_MICRO) } : {}),
  maxNewTokens: task.maxResponseTokens,
  totalUpdates: updates,
  evalEvery: 0,
  checkpointEvery: 0,
};

const rows: Record<string, number>[] = [];
for await (const event of trainPpoIter({
  policy,
  critic,
  rewardModel,
  reference,
  prompts: task.trainPrompts.map((p) => task.tokenizer.encode(p.prompt)),
  config,
})) {
  if (event.type === 'step-end') rows.push(event.metrics);
}
const median = (key: string) => {
  const xs = rows
    .slice(1)
    .map((r) => r[key] as number)
    .sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)] ?? Number.NaN;
};
const params = Object.values(policy.trainableVariables()).reduce((n, v) => n + v.size, 0);
console.log(`PPO on the digest task, quick-preset model (${params} parameters), backend ${backend.name}`);
console.log(
  `rollout batch ${config.rolloutBatchSize} x ${config.maxNewTokens} tokens; medians over updates 2..${updates}`,
);
console.log('| s/update | episodes/s | sampling s | scoring s | update s |');
console.log('| --- | --- | --- | --- | --- |');
console.log(
  `| ${median('time/total').toFixed(2)} | ${median('eps').toFixed(1)} | ${median('time/sampling').toFixed(2)} | ${median('time/scoring').toFixed(2)} | ${median('time/update').toFixed(2)} |`,
);
for (const m of [policy, reference, rewardModel, critic]) m.dispose();
