import { trainSft } from '@ocrm/policy';
import type { StageRunner } from '../run/context';
import { runPaths } from '../run/paths';
import { initialPolicy } from './models';

/** `sft`: supervised fine-tuning of the initial model on the task's demonstrations; saves `sft/model`. */
export const sftStage: StageRunner = async (ctx, stage) => {
  const { config, task, run } = ctx;
  const policy = await initialPolicy(config, task, ctx.signal);
  try {
    const result = await trainSft({
      policy,
      tokenizer: task.tokenizer,
      train: task.sftTrain,
      eval: task.sftEval,
      config: { seed: config.seed, ...config.sft },
      checkpointDir: `${run.stagePath(stage.name)}/checkpoint`,
      stage: stage.name,
      signal: ctx.signal,
      onEvent: ctx.emit,
    });
    await policy.save(runPaths(run).sftModel);
    return { steps: result.steps, 'loss/train': result.trainLoss, 'loss/eval': result.evalLoss };
  } finally {
    policy.dispose();
  }
};
