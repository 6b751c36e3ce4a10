import { join } from 'node:path';
import { writeJsonAtomic } from '@ocrm/core';
import { trainDpo } from '@ocrm/dpo';
import type { StageRunner } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { loadPolicy } from './models';
import { seedFor } from './seeds';

/**
 * `dpo` / `wpo`: the direct-preference baselines on the same gold-labelled SFT pairs as the reward models
 * (`maxPairs` null = every labelled pair the RMs train on), reference = the frozen SFT policy.
 */
export const dpoStage: StageRunner = async (ctx, stage) => {
  const { config, run, task } = ctx;
  const paths = runPaths(run);
  const pairs = await readPairs(paths.labelled);
  const heldout = await readPairs(paths.heldout);
  const policy = await loadPolicy(paths.sftModel, task);
  const reference = await loadPolicy(paths.sftModel, task, true);
  try {
    const result = await trainDpo({
      policy,
      reference,
      pairs,
      evalPairs: heldout,
      config: {
        seed: seedFor(config.seed, 'dpo'),
        ...config.dpo,
        weighting: config.method === 'wpo' ? 'wpo' : 'none',
      },
      checkpointDir: join(run.stagePath(stage.name), 'checkpoint'),
      stage: stage.name,
      signal: ctx.signal,
      onEvent: ctx.emit,
    });
    await policy.save(paths.policy(stage.name));
    await task.tokenizer.save?.(paths.policy(stage.name));
    const summary = { steps: result.steps, pairs: result.pairsUsed, ...result.metrics };
    await writeJsonAtomic(join(run.stagePath(stage.name), 'result.json'), summary);
    return summary;
  } finally {
    policy.dispose();
    reference.dispose();
  }
};
