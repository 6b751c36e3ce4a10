import type { StageRunner } from '../run/context';
import { stageDataParallel } from '../run/data-parallel-stages';
import { runPaths } from '../run/paths';
import { initialPolicy } from './models';

/**
 * `sft`: supervised fine-tuning of the initial model on the task's demonstrations through the context's `SftTrainer`
 * (by default `sftTrainer(config.sft)`), seeded by the run seed, checkpoints in `sft/checkpoint`; saves `sft/model`.
 */
export const sftStage: StageRunner = async (ctx, stage) => {
  const { config, task, run } = ctx;
  const policy = await initialPolicy(config, task, ctx.signal);
  try {
    const summary = await ctx.sftTrainer.train({
      policy,
      tokenizer: task.tokenizer,
      train: task.sftTrain,
      eval: task.sftEval,
      seed: config.seed,
      dir: run.stagePath(stage.name),
      stage: stage.name,
      signal: ctx.signal,
      onEvent: ctx.emit,
      dataParallel: stageDataParallel(ctx, 'sft', stage.name),
    });
    await policy.save(runPaths(run).sftModel);
    // A complete Hugging Face folder: AutoTokenizer.from_pretrained(sft/model) works.
    await task.tokenizer.save?.(runPaths(run).sftModel);
    return summary;
  } finally {
    policy.dispose();
  }
};
