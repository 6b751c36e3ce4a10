// @ts-check
/**
 * The `rm-shift` study's design (issue 19, E0/E1 of the science audit): the settings ("variants") whose base runs
 * produce each seed's SFT, labelled SFT pairs, RM-1 and π_1, and the reward-model arms trained on them. Everything
 * here is data; `worker.mjs` runs it and `analyze.mjs` reads it back.
 */

/**
 * @typedef {object} Variant
 * @property {string} key     run folder name
 * @property {string} label
 * @property {string} why     what the variant is for
 * @property {Record<string, unknown>} overrides partial pipeline config laid over the `quick` preset
 * @property {boolean} [reducedArms] the full profile runs the reduced arm set (fully fine-tuned RMs: slow arms)
 */

/** The arms of a variant under a profile. @param {Variant} v @param {'full' | 'quick' | 'smoke'} profile */
export const variantArms = (v, profile) => rmArms(profile, { reduced: v.reducedArms === true });

/**
 * The settings. Every base run is one OCRM round of the `quick` preset (SFT → pairs → labels → RM-1 → PPO-1 → eval)
 * with `seedPolicy: same`, so that the λ = 0 arm is RM-1 itself.
 * @type {Variant[]}
 */
export const VARIANTS = [
  {
    key: 'digest',
    label: 'digest as in the appendix (fully fine-tuned RM, 16k pairs at T 0.7)',
    why: 'today’s setting: an RM that can represent gold, sample-limited (the audit predicts no headroom for IW)',
    overrides: {},
    reducedArms: true,
  },
  {
    key: 'digest-head',
    label: 'digest, linear head on the frozen SFT backbone, 32k pairs at T 1.0',
    why:
      'misspecified RM (a linear head on fixed features cannot fit gold’s saturating coverage and its length ' +
      'penalty past 6 words at once, so its best fit depends on where the responses are) and broader SFT support',
    overrides: {
      pairs: { temperature: 1, passes: 4 },
      rewardModel: { trainable: 'head', learningRate: 3e-3 },
    },
  },
];

/** What every base run shares: one round, official RM seeds, and no on-policy eval pairs (the study samples its own). */
export const BASE_OVERRIDES = {
  method: 'ocrm',
  rounds: 1,
  rewardModel: { seedPolicy: 'same' },
  eval: { onPolicyPairs: 0 },
};

/**
 * @typedef {object} RmArm
 * @property {string} key
 * @property {string} label
 * @property {'weighted' | 'oracle' | 'mix' | 'rm1' | 'redraw' | 'placebo'} kind
 * @property {number} [lambda]      fixed λ (weighted)
 * @property {number} [targetEss]   adaptive λ (weighted)
 * @property {number} [alpha]       α (weighted)
 * @property {number | 'all'} [onPolicy] on-policy training pairs (oracle: instead of the SFT pairs; mix: added to them)
 */

/**
 * The two controls for the selection effect (π_1 was optimised against RM-1, so on π_1's pairs RM-1 is worse than any
 * RM whose errors differ from its own, weighted or not): `redraw`, an unweighted RM with another seed; `placebo`, the
 * ESS 0.3 weights shuffled across pairs (the same weight distribution, not aligned with π_1). A weighted arm beats
 * the mechanism's null only if it beats these, not just λ = 0.
 * @type {RmArm[]}
 */
export const CONTROL_ARMS = [
  { key: 'redraw', label: 'λ = 0, another seed (re-draw)', kind: 'redraw' },
  {
    key: 'placebo-ess0.3',
    label: 'ESS/N 0.3 weights shuffled across pairs (placebo)',
    kind: 'placebo',
    targetEss: 0.3,
    alpha: 0.1,
  },
];

/**
 * The reward-model arms, seed-paired: every arm uses RM-1's seed (head initialisation and data order of its pairs).
 * `lambda0` is RM-1 itself (λ = 0 under `seedPolicy: same` reproduces it bit for bit; tested in the pipeline).
 * Variants whose RM is fully fine-tuned (a minute per arm) run the full profile's reduced set (`reduced`): the target-ESS
 * arms at α 0.1, λ 0.3, the 4k and full oracles and the mix — the fixed-λ sweep ends, α = 0 and the 2k oracle are cut
 * to fit the 90-minute budget (cut arms before seeds).
 * @param {'full' | 'quick' | 'smoke'} profile
 * @param {{ reduced?: boolean }} [o]
 * @returns {RmArm[]}
 */
export function rmArms(profile, o = {}) {
  /** @type {RmArm[]} */
  const arms = [{ key: 'lambda0', label: 'λ = 0 (RM-1)', kind: 'rm1' }];
  const weighted = (/** @type {Partial<RmArm>} */ o) => {
    const alpha = o.alpha ?? 0.1;
    const what = o.targetEss !== undefined ? `ESS/N ${o.targetEss}` : `λ ${o.lambda}`;
    arms.push({
      key: `${o.targetEss !== undefined ? `ess${o.targetEss}` : `lambda${o.lambda}`}-a${alpha}`,
      label: `${what}, α ${alpha}`,
      kind: 'weighted',
      alpha,
      ...o,
    });
  };
  if (profile === 'smoke') {
    weighted({ targetEss: 0.6 });
    arms.push({
      key: 'oracle-all',
      label: 'oracle (π_1 pairs, as many as SFT)',
      kind: 'oracle',
      onPolicy: 'all',
    });
    arms.push(...CONTROL_ARMS);
    return arms;
  }
  weighted({ targetEss: 0.6 });
  weighted({ targetEss: 0.3 });
  if (profile === 'full' && o.reduced) {
    weighted({ lambda: 0.3 });
    arms.push({ key: 'oracle-4k', label: 'oracle, 4k π_1 pairs', kind: 'oracle', onPolicy: 4000 });
  } else if (profile === 'full') {
    weighted({ lambda: 0.1 });
    weighted({ lambda: 0.3 });
    weighted({ lambda: 1 });
    weighted({ targetEss: 0.6, alpha: 0 });
    weighted({ targetEss: 0.3, alpha: 0 });
    arms.push({ key: 'oracle-2k', label: 'oracle, 2k π_1 pairs', kind: 'oracle', onPolicy: 2000 });
    arms.push({ key: 'oracle-4k', label: 'oracle, 4k π_1 pairs', kind: 'oracle', onPolicy: 4000 });
  }
  arms.push({
    key: 'oracle-all',
    label: 'oracle, π_1 pairs as many as SFT',
    kind: 'oracle',
    onPolicy: 'all',
  });
  arms.push({ key: 'mix-2k', label: 'SFT pairs + 2k π_1 pairs', kind: 'mix', onPolicy: 2000 });
  arms.push(...CONTROL_ARMS);
  return arms;
}

/** Sizes of the fresh π_1 pair sets (validation chooses among weighted arms; test reports). */
export const EVAL_SIZES = {
  full: { validation: 1000, test: 2000 },
  quick: { validation: 500, test: 2000 },
  smoke: { validation: 16, test: 32 },
};
