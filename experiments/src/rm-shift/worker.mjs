#!/usr/bin/env node
// @ts-check
/**
 * One seed of the `rm-shift` study on one finished base run (`node worker.mjs <baseDir> <studyDir> <profile>`):
 * 1. fresh pairs from π_1 (`ppo-1/policy`) at PPO's temperature, gold-labelled: validation and test sets on the task's
 *    held-out prompts, an on-policy training pool on the training prompts (as many pairs as the SFT set);
 * 2. the SFT pairs' summed log-probs under π_1 (PPO's temperature) and π_SFT (the pairs' temperature), once;
 * 3. every reward-model arm of `design.mjs`, seed-paired with RM-1 (its seed, head initialisation and data order),
 *    scored on the validation and test sets.
 * Each step writes its file atomically and is skipped when the file exists, so a killed worker resumes.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { initBackend } from '@ocrm/backend-wasm';
import { permutation, readJson, readJsonlAll, rng, writeJsonAtomic, writeJsonl } from '@ocrm/core';
import { getTask, labelPairs, samplePairs } from '@ocrm/data';
import { rewardModelSeed, seedFor } from '@ocrm/pipeline';
import { CausalLMPolicy } from '@ocrm/policy';
import { resolvePpoConfig } from '@ocrm/ppo';
import { FeatureCache, ScalarRewardModel, trainRewardModel } from '@ocrm/reward-model';
import {
  adaptiveImportanceWeighting,
  computeSequenceLogProbs,
  importanceWeighting,
  normalizeLogWeights,
  recordedSamplerTemperature,
  weightingInput,
} from '@ocrm/weighting';
import { EVAL_SIZES, VARIANTS, variantArms } from './design.mjs';
import { scoreArm } from './score-arm.mjs';

/** @typedef {import('@ocrm/core').PreferencePair} PreferencePair */
/** @typedef {import('./design.mjs').RmArm} RmArm */

/**
 * @param {string} baseDir a finished base run (one OCRM round)
 * @param {string} studyDir where this seed's study files go
 * @param {'full' | 'quick' | 'smoke'} profile
 * @param {(line: string) => void} [log]
 */
export async function runRmShiftSeed(baseDir, studyDir, profile, log = () => {}) {
  await initBackend({ prefer: 'wasm' });
  const config = /** @type {any} */ (await readJson(join(baseDir, 'config.json')));
  const task = await getTask(config.task.name, config.task.options);
  const ids = { eosId: task.tokenizer.eosId, padId: task.tokenizer.padId };
  const ppoTemperature = resolvePpoConfig(config.ppo).temperature;
  const sftPairs = /** @type {PreferencePair[]} */ (await readJsonlAll(join(baseDir, 'labels/pairs.jsonl')));
  const sizes = EVAL_SIZES[profile];
  await mkdir(join(studyDir, 'arms'), { recursive: true });

  // 1. Fresh π_1 pairs, gold-labelled.
  const onPolicyFile = join(studyDir, 'on-policy.json');
  if (!existsSync(onPolicyFile)) {
    const policy = await CausalLMPolicy.load(join(baseDir, 'ppo-1/policy'), { ...ids, frozen: true });
    try {
      /**
       * @param {readonly import('@ocrm/core').PromptExample[]} prompts
       * @param {number} n pairs wanted
       * @param {number} purpose 1 held-out, 2 the training pool (a seed offset)
       */
      const draw = async (prompts, n, purpose) => {
        const passes = Math.max(1, Math.ceil(n / prompts.length));
        const sampled = await samplePairs(policy, prompts, task.tokenizer, {
          maxNewTokens: task.maxResponseTokens,
          passes,
          temperature: ppoTemperature,
          seed: config.seed * 1000 + 900 + purpose,
          microBatchSize: config.pairs.microBatchSize,
        });
        const { pairs } = await labelPairs(sampled.slice(0, n), task.judge, { eosId: task.tokenizer.eosId });
        return pairs;
      };
      const heldout = await draw(task.evalPrompts, sizes.validation + sizes.test, 1);
      const trainPrompts =
        config.pairs.maxPrompts === null
          ? task.trainPrompts
          : task.trainPrompts.slice(0, config.pairs.maxPrompts);
      const pool = await draw(trainPrompts, sftPairs.length, 2);
      await writeJsonl(join(studyDir, 'validation.jsonl'), heldout.slice(0, sizes.validation));
      await writeJsonl(join(studyDir, 'test.jsonl'), heldout.slice(sizes.validation));
      await writeJsonl(join(studyDir, 'pool.jsonl'), pool);
      await writeJsonAtomic(onPolicyFile, {
        validation: sizes.validation,
        test: sizes.test,
        pool: pool.length,
      });
      log(`sampled ${heldout.length} held-out and ${pool.length} pool pairs from π_1`);
    } finally {
      policy.dispose();
    }
  }
  const validation = /** @type {PreferencePair[]} */ (await readJsonlAll(join(studyDir, 'validation.jsonl')));
  const test = /** @type {PreferencePair[]} */ (await readJsonlAll(join(studyDir, 'test.jsonl')));
  const pool = /** @type {PreferencePair[]} */ (await readJsonlAll(join(studyDir, 'pool.jsonl')));

  // 2. The SFT pairs' sums under π_1 and π_SFT (the exact behaviour density).
  const sumsFile = join(studyDir, 'sums.json');
  if (!existsSync(sumsFile)) {
    const temperatures = {
      policy: ppoTemperature,
      sampler: recordedSamplerTemperature(sftPairs) ?? config.pairs.temperature,
    };
    /** @type {Record<string, { chosen: number[], rejected: number[] }>} */
    const sums = {};
    for (const [name, dir, temperature] of /** @type {const} */ ([
      ['policy', 'ppo-1/policy', temperatures.policy],
      ['sampler', 'sft/model', temperatures.sampler],
    ])) {
      const model = await CausalLMPolicy.load(join(baseDir, dir), { ...ids, frozen: true });
      try {
        const s = await computeSequenceLogProbs(model, sftPairs, { temperature, microBatchSize: 64 });
        sums[name] = { chosen: Array.from(s.chosen), rejected: Array.from(s.rejected) };
      } finally {
        model.dispose();
      }
    }
    await writeJsonAtomic(sumsFile, { temperatures, ...sums });
    log('log-prob sums written');
  }
  const sums = /** @type {any} */ (await readJson(sumsFile));
  const input = weightingInput(
    { chosen: Float64Array.from(sums.policy.chosen), rejected: Float64Array.from(sums.policy.rejected) },
    { chosen: Float64Array.from(sums.sampler.chosen), rejected: Float64Array.from(sums.sampler.rejected) },
  );

  // 3. The arms.
  const { seedPolicy: _s, trainable, ...trainer } = config.rewardModel;
  const seed = rewardModelSeed(config, 1);
  // Every arm's RM starts from the same frozen SFT backbone: with a trainable head alone, its features are computed
  // once for all of them.
  const sftConfig = /** @type {{ hidden_size: number }} */ (
    await readJson(join(baseDir, 'sft/model/config.json'))
  );
  const sharedFeatures = trainable === 'head' ? new FeatureCache(sftConfig.hidden_size) : undefined;
  const arms = variantArms(variantOf(baseDir), profile);
  for (const arm of arms) {
    const file = join(studyDir, 'arms', `${arm.key}.json`);
    if (existsSync(file)) continue;
    const t0 = Date.now();
    /** @type {Record<string, number>} */
    const extra = {};
    let rm;
    if (arm.kind === 'rm1') {
      rm = await ScalarRewardModel.load(join(baseDir, 'rm-1/model'), { frozen: true });
    } else {
      /** @type {PreferencePair[]} */
      let pairs;
      if (arm.kind === 'weighted' || arm.kind === 'placebo') {
        const strategy =
          arm.targetEss !== undefined
            ? adaptiveImportanceWeighting({ targetEss: arm.targetEss, alpha: arm.alpha ?? 0.1 })
            : importanceWeighting({ ratioExponent: arm.lambda ?? 0, alpha: arm.alpha ?? 0.1 });
        const result = strategy.weigh(input);
        let raw = Array.from(result.logWeights);
        if (arm.kind === 'placebo') {
          // The same weights on other pairs: a fixed seeded permutation.
          const order = permutation(raw.length, rng(config.seed * 1000 + 950, 0, 0));
          raw = Array.from(order, (j) => raw[j] ?? 0);
        }
        const logWeights = normalizeLogWeights(raw);
        pairs = sftPairs.map((p, i) => ({ ...p, logWeight: logWeights[i] }));
        extra.essFraction = result.diagnostics.essFraction;
        extra.lambda = 'ratioExponent' in result ? Number(result.ratioExponent) : (arm.lambda ?? 0);
        extra.maxWeight = Math.exp(Math.max(...logWeights));
      } else if (arm.kind === 'redraw') {
        pairs = sftPairs;
      } else {
        const n = arm.onPolicy === 'all' ? pool.length : Math.min(pool.length, arm.onPolicy ?? 0);
        pairs = arm.kind === 'oracle' ? pool.slice(0, n) : [...sftPairs, ...pool.slice(0, n)];
        extra.trainPairs = pairs.length;
      }
      // The re-draw control is the one arm with another seed (head initialisation and data order): round 2's.
      const armSeed = arm.kind === 'redraw' ? seedFor(config.seed, 'rm', 2) : seed;
      rm = await ScalarRewardModel.fromBackbone(join(baseDir, 'sft/model'), {
        seed: armSeed,
        trainable,
        featureCache: sharedFeatures,
      });
      await trainRewardModel({
        rewardModel: rm,
        pairs,
        padId: task.tokenizer.padId,
        config: { seed: armSeed, weightNormalization: 'none', ...trainer },
      });
    }
    try {
      const scores = await scoreArm(rm, { validation, test }, task);
      await writeJsonAtomic(file, { arm, ...extra, ...scores, seconds: (Date.now() - t0) / 1000 });
      log(
        `${arm.key}: test accuracy ${scores.test.accuracy.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      );
    } finally {
      rm.dispose();
    }
  }
  await writeJsonAtomic(join(studyDir, 'done.json'), { arms: arms.length, time: Date.now() });
}

/** The variant of a base run folder (`…/s<seed>/<variant>`). @param {string} baseDir */
function variantOf(baseDir) {
  const key = baseDir.replace(/\/+$/, '').split('/').pop();
  const variant = VARIANTS.find((v) => v.key === key);
  if (!variant)
    throw new Error(`${baseDir} is not a run folder of a known variant (${VARIANTS.map((v) => v.key)})`);
  return variant;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const [baseDir, studyDir, profile] = process.argv.slice(2);
  if (!baseDir || !studyDir || !['full', 'quick', 'smoke'].includes(profile ?? '')) {
    console.error('usage: worker.mjs <baseDir> <studyDir> <full|quick|smoke>');
    process.exit(2);
  }
  const log = (/** @type {string} */ line) =>
    console.log(`[rm-shift ${new Date().toISOString().slice(11, 19)}] ${line}`);
  runRmShiftSeed(baseDir, studyDir, /** @type {any} */ (profile), log).then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
