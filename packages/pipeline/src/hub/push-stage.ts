import { existsSync } from 'node:fs';
import { InvalidArgumentError, OcrmError, RunDirectory, readJson } from '@ocrm/core';
import { hubOptionsFromEnv, type UploadedFolder, type UploadFolderOptions, uploadFolder } from '@ocrm/data';
import { parsePipelineConfig } from '../config/resolve';
import { runPaths } from '../run/paths';
import { planStages } from '../run/plan';
import { modelCard } from './model-card';

/** Stage kinds whose folder holds a model in the Hugging Face layout. */
const MODEL_STAGES = new Set(['sft', 'rm', 'ppo', 'dpo']);

/** What {@link pushStage} uploaded. */
export interface PushedStage extends UploadedFolder {
  /** The local model folder that was uploaded. */
  modelDir: string;
}

/**
 * Uploads one finished stage's model (`sft/model`, `rm-k/model`, `ppo-k/policy`, `dpo/policy`: config, safetensors
 * weights and tokenizer files) of a run directory to a Hugging Face model repo, with a generated `README.md` model card
 * (what the model is, the round's evaluation metrics, the run's config). See `uploadFolder` of `@ocrm/data` for the
 * options (token, hub address, visibility, branch); the token and hub address default to `HF_TOKEN` and `HF_ENDPOINT`.
 * @throws InvalidArgumentError when the stage is not in the run's plan or holds no model; OcrmError `RUN_DIRECTORY`
 *   when it is not done yet; what `uploadFolder` throws.
 */
export async function pushStage(
  runDir: string,
  stageName: string,
  repo: string,
  options: UploadFolderOptions = {},
): Promise<PushedStage> {
  const run = new RunDirectory(runDir);
  const config = parsePipelineConfig(await run.readConfig());
  const plan = planStages(config);
  const stage = plan.find((s) => s.name === stageName);
  const pushable = plan.filter((s) => MODEL_STAGES.has(s.kind)).map((s) => s.name);
  if (!stage || !MODEL_STAGES.has(stage.kind)) {
    throw new InvalidArgumentError(
      `stage \`${stageName}\` of ${run.root} has no model to push; stages with one: ${pushable.join(', ')}.`,
    );
  }
  if (!(await run.isDone(stage.name))) {
    throw new OcrmError('RUN_DIRECTORY', `stage ${stage.name} of ${run.root} is not done yet.`, {
      hint: `finish the run first (rerun the same ocrm run command), then push.`,
    });
  }
  const paths = runPaths(run);
  const modelDir =
    stage.kind === 'sft'
      ? paths.sftModel
      : stage.kind === 'rm'
        ? paths.rewardModel(stage.name)
        : paths.policy(stage.name);
  const results = existsSync(paths.evalResults)
    ? await readJson<{ stage: string; metrics: Record<string, number> }[]>(paths.evalResults)
    : [];
  // A reward model's round is evaluated with the policy it was used with (the PPO stage of its round).
  const evaluated = stage.kind === 'rm' ? `ppo-${stage.round ?? 1}` : stage.name;
  const metrics = results.find((r) => r.stage === evaluated)?.metrics;
  const env = hubOptionsFromEnv();
  const uploaded = await uploadFolder(repo, modelDir, {
    accessToken: env.accessToken,
    hubUrl: env.hubUrl,
    commitTitle: `${stage.name} of an ocrm ${config.method} run (seed ${config.seed})`,
    ...options,
    extraFiles: [{ path: 'README.md', content: modelCard({ config, stage, metrics }) }],
  });
  return { ...uploaded, modelDir };
}
