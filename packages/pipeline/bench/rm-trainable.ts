/**
 * Reward-model training speed by `rewardModel.trainable` on the `quick` preset's model shape and the digest task's
 * sequences: seconds per epoch over the same pairs for `all`, `last-block` and `head` (the head's first epoch includes
 * computing and caching the frozen backbone's features; later epochs reuse them). Weights are random (timing only).
 * Not a test. Run: `npm run bench -w @ocrm/pipeline` (env: BENCH_PAIRS=2048, OCRM_BACKEND=wasm|cpu).
 */
import { initBackend } from '@ocrm/backend-wasm';
import type { PreferencePair } from '@ocrm/core';
import { createDigestTask } from '@ocrm/data';
import { createModel, parseHfConfig } from '@ocrm/models';
import { type RewardModelTrainable, ScalarRewardModel, trainRewardModel } from '@ocrm/reward-model';
import { PRESETS } from '../src/config/presets';

const backend = await initBackend({
  prefer: (process.env.OCRM_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm',
});
const preset = PRESETS.quick!.config;
const n = Number(process.env.BENCH_PAIRS ?? 2048);
const task = createDigestTask({ ...preset.task.options, numSftTrain: n + 1 });
const tok = task.tokenizer;
const demos = task.sftTrain;
// Pairs of real digest lengths: demonstration i against demonstration i + 1, on prompt i.
const pairs: PreferencePair[] = Array.from({ length: n }, (_, i) => ({
  id: `b${i}`,
  prompt: demos[i]!.prompt,
  chosen: demos[i]!.response,
  rejected: demos[i + 1]!.response,
  promptIds: tok.encode(demos[i]!.prompt),
  chosenIds: [...tok.encode(demos[i]!.response), tok.eosId],
  rejectedIds: [...tok.encode(demos[i + 1]!.response), tok.eosId],
}));
const modelConfig = parseHfConfig({
  vocab_size: tok.vocabSize,
  eos_token_id: tok.eosId,
  pad_token_id: tok.padId,
  ...(preset.model as { config: Record<string, unknown> }).config,
});
const rmConfig = preset.rewardModel as unknown as { batchSize: number; learningRate: number };

console.log(
  `Reward-model epochs on ${n} digest pairs, quick-preset model, batch ${rmConfig.batchSize}, ${backend.name}`,
);
console.log('| trainable | trained parameters | epoch 1 s | epoch 2 s | epoch 1 vs all | epoch 2 vs all |');
console.log('| --- | --- | --- | --- | --- | --- |');
let base: number[] = [];
for (const trainable of ['all', 'last-block', 'head'] as RewardModelTrainable[]) {
  const backbone = createModel(modelConfig, { seed: 1 });
  const rm = await ScalarRewardModel.fromBackbone(backbone, { seed: 2, trainable });
  backbone.dispose();
  const seconds: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    const t0 = performance.now();
    await trainRewardModel({
      rewardModel: rm,
      pairs,
      padId: tok.padId,
      config: { batchSize: rmConfig.batchSize, learningRate: rmConfig.learningRate, seed: epoch },
    });
    seconds.push((performance.now() - t0) / 1000);
  }
  if (trainable === 'all') base = seconds;
  const params = Object.values(rm.trainableVariables()).reduce((s, v) => s + v.size, 0);
  console.log(
    `| ${trainable} | ${params} | ${seconds[0]!.toFixed(2)} | ${seconds[1]!.toFixed(2)} | ` +
      `${(base[0]! / seconds[0]!).toFixed(1)}x | ${(base[1]! / seconds[1]!).toFixed(1)}x |`,
  );
  rm.dispose();
}
