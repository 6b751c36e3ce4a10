import { join } from 'node:path';
import { type PreferencePair, readJsonlAll, writeJsonAtomic } from '@ocrm/core';
import {
  computeSequenceLogProbs,
  importanceWeighting,
  recordedSamplerLogProbs,
  samplerDrift,
  weightingInput,
  writeWeightDiagnostics,
  writeWeightsJsonl,
} from '@ocrm/weighting';
import type { StageRunner } from '../run/context';
import { runPaths } from '../run/paths';
import { loadPolicy } from './models';

/**
 * `weights-k` (the OCRM step): summed log-probs of every labelled pair under policy_{k-1} and under SFT (the same
 * full-forward function, at the temperature the pairs were sampled with, `pairs.temperature`: the behaviour
 * distribution is the tempered SFT policy, and the target is policy_{k-1} sampled the same way; at 1.0 this is the
 * paper's π_{k-1}(y|x) / π_SFT(y|x)), then the weighting strategy's log-weights and their diagnostics.
 * Warns when the weights do nothing (ESS > 0.99) or are degenerate (ESS < 0.1).
 */
export const weightsStage: StageRunner = async (ctx, stage) => {
  const { config, run, task } = ctx;
  const paths = runPaths(run);
  const round = stage.round ?? 2;
  const pairs = await readJsonlAll<PreferencePair>(paths.labelled);
  const keepPerToken = config.weighting.truncateTokens !== null;
  const options = { temperature: config.pairs.temperature, keepPerToken, signal: ctx.signal };
  const sft = await loadPolicy(paths.sftModel, task, true);
  const sftSums = await computeSequenceLogProbs(sft, pairs, options).finally(() => sft.dispose());
  const current = await loadPolicy(paths.policy(`ppo-${round - 1}`), task, true);
  const policySums = await computeSequenceLogProbs(current, pairs, options).finally(() => current.dispose());
  const strategy =
    ctx.weighting ??
    importanceWeighting({
      ratioExponent: config.weighting.ratioExponent,
      alpha: config.weighting.alpha,
      truncateTokens: config.weighting.truncateTokens ?? undefined,
      clipLogWeight: config.weighting.clipLogWeight ?? undefined,
    });
  const { logWeights, diagnostics } = strategy.weigh(weightingInput(policySums, sftSums));
  const drift = samplerDrift(sftSums, recordedSamplerLogProbs(pairs));
  await writeWeightsJsonl(paths.weights(stage.name), pairs, logWeights);
  await writeWeightDiagnostics(paths.weightDiagnostics(stage.name), diagnostics);
  let meanLogRatio = 0;
  for (let i = 0; i < pairs.length; i++) {
    meanLogRatio +=
      policySums.chosen[i]! - sftSums.chosen[i]! + policySums.rejected[i]! - sftSums.rejected[i]!;
  }
  meanLogRatio /= Math.max(1, 2 * pairs.length);
  await writeJsonAtomic(join(run.stagePath(stage.name), 'log-probs.json'), {
    samplerDrift: drift,
    meanLogRatio,
  });
  for (const message of diagnostics.warnings)
    ctx.emit({ type: 'warning', stage: stage.name, message, time: Date.now() });
  return {
    'weights/ess_fraction': diagnostics.essFraction,
    'weights/min': diagnostics.min,
    'weights/max': diagnostics.max,
    'weights/fraction_moved': diagnostics.fractionMoved,
    'weights/sampler_drift': drift,
    'weights/mean_log_ratio': meanLogRatio,
  };
};
