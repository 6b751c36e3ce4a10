import { join } from 'node:path';
import { writeJsonAtomic } from '@ocrm/core';
import {
  adaptiveImportanceWeighting,
  computeSequenceLogProbs,
  importanceWeighting,
  recordedSamplerLogProbs,
  recordedSamplerTemperature,
  samplerDrift,
  weightingInput,
  writeWeightDiagnostics,
  writeWeightsJsonl,
} from '@ocrm/weighting';
import type { StageRunner } from '../run/context';
import { readPairs } from '../run/pair-records';
import { runPaths } from '../run/paths';
import { cachedSftLogProbs } from '../run/sft-log-prob-cache';
import { loadPolicy } from './models';

/**
 * `weights-k` (the OCRM step): summed log-probs of every labelled pair under policy_{k-1} and under SFT (the same
 * full-forward function), each at its own temperature: the numerator π_{k−1} at the policy optimizer's rollout temperature
 * (`ppo.temperature` for PPO, the distribution PPO samples from and the RM will meet), the denominator π_SFT at the
 * temperature the pairs were sampled with (recorded on the pairs; `pairs.temperature` for pairs that do not record
 * one) — the exact behaviour density. Then the weighting strategy's log-weights (fixed λ = `ratioExponent`, or λ
 * chosen for `targetEss`, recorded as `weights/ratio_exponent`) and their diagnostics.
 * Warns when the weights do nothing (ESS > 0.99) or are degenerate (ESS < 0.1).
 */
export const weightsStage: StageRunner = async (ctx, stage) => {
  const { config, run, task } = ctx;
  const paths = runPaths(run);
  const round = stage.round ?? 2;
  const pairs = await readPairs(paths.labelled);
  const keepPerToken = config.weighting.truncateTokens !== null;
  const temperatures = {
    policy: ctx.policyOptimizer.temperature,
    sampler: recordedSamplerTemperature(pairs) ?? config.pairs.temperature,
  };
  const options = { keepPerToken, signal: ctx.signal };
  const computeSft = async () => {
    const sft = await loadPolicy(paths.sftModel, task, true);
    return computeSequenceLogProbs(sft, pairs, { ...options, temperature: temperatures.sampler }).finally(
      () => sft.dispose(),
    );
  };
  // π_SFT's sums are the same in every round: computed once (per-token runs keep their own pass).
  const sftSums = keepPerToken
    ? await computeSft()
    : await cachedSftLogProbs(run, pairs.length, temperatures.sampler, computeSft);
  const current = await loadPolicy(paths.policy(`ppo-${round - 1}`), task, true);
  const policySums = await computeSequenceLogProbs(current, pairs, {
    ...options,
    temperature: temperatures.policy,
  }).finally(() => current.dispose());
  const w = config.weighting;
  const shared = {
    alpha: w.alpha,
    truncateTokens: w.truncateTokens ?? undefined,
    clipLogWeight: w.clipLogWeight ?? undefined,
  };
  const strategy =
    ctx.weighting ??
    (w.targetEss !== null
      ? adaptiveImportanceWeighting({ ...shared, targetEss: w.targetEss })
      : importanceWeighting({ ...shared, ratioExponent: w.ratioExponent ?? 0 }));
  const weighed = strategy.weigh(weightingInput(policySums, sftSums));
  const { logWeights, diagnostics } = weighed;
  const ratioExponent =
    'ratioExponent' in weighed && typeof weighed.ratioExponent === 'number'
      ? weighed.ratioExponent
      : ctx.weighting
        ? Number.NaN
        : (w.ratioExponent ?? Number.NaN);
  // Drift against the sums recorded at sampling: only meaningful at the sampling temperature (the denominator's).
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
    temperatures,
    ratioExponent,
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
    'weights/ratio_exponent': ratioExponent,
  };
};
