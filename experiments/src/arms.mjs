// @ts-check
/**
 * The arms of the OCRM-vs-RLHF experiment (issue 10) and which stage folders they can share.
 *
 * Every arm is a partial pipeline config laid over a preset (`quick` or `smoke`). Arms of the same seed share the
 * stages whose inputs are identical: SFT, pairs, labels and RM-1 everywhere; PPO-1 between the iterated and OCRM
 * arms (round 1 is the same PPO from SFT against RM-1 with the KL against SFT); `weights-2` between OCRM arms with
 * the same λ and α; `rm-2` when the normalisation also matches.
 */

/**
 * @typedef {object} ArmSpec
 * @property {string} key     short id, used as the run folder name (`rlhf`, `ocrm-l0.1-a0.1-prev-norm`, …)
 * @property {string} label   human-readable label for the table
 * @property {string} group   `main` (3 seeds), `sweep` (λ × α on one seed) or `ablation` (how later PPO rounds
 *   start, `roundStart`, on one seed)
 * @property {Record<string, unknown>} overrides partial pipeline config
 */

/**
 * @typedef {object} Job
 * @property {string} id       `<arm key>/s<seed>`
 * @property {ArmSpec} arm
 * @property {number} seed
 * @property {Record<string, string>} signatures stage folder → what it depends on (equal signature = same folder)
 */

/** @param {number} x */
const fmt = (x) => String(x);

/**
 * One OCRM arm.
 * @param {{ lambda: number, alpha?: number, kl: 'previous' | 'sft', normalize: 'dataset' | 'none', group?: string }} o
 * @returns {ArmSpec}
 */
export function ocrmArm({ lambda, alpha = 0.1, kl, normalize, group = 'main' }) {
  const kk = kl === 'previous' ? 'prev' : 'sft';
  const nn = normalize === 'dataset' ? 'norm' : 'raw';
  return {
    key: `ocrm-l${fmt(lambda)}-a${fmt(alpha)}-${kk}-${nn}`,
    label: `OCRM λ=${fmt(lambda)} α=${fmt(alpha)}, KL ${kk}, ${nn === 'norm' ? 'normalised' : 'not normalised'}`,
    group,
    overrides: {
      method: 'ocrm',
      klReference: kl,
      weighting: { ratioExponent: lambda, alpha, normalize },
    },
  };
}

/**
 * The main arms of issue 10.
 * @param {{ lambda: number, paperLambda?: number, full?: boolean }} o `full: false` keeps the 2 normalised
 *   OCRM-at-tuned-λ arms and drops the paper-λ, unnormalised and WPO arms (the `--quick` form).
 * @returns {ArmSpec[]}
 */
export function mainArms({ lambda, paperLambda = 0.001, full = true }) {
  /** @type {ArmSpec[]} */
  const arms = [
    {
      key: 'iterated-prev',
      label: 'iterated λ=0, KL previous',
      group: 'main',
      overrides: { method: 'iterated', klReference: 'previous' },
    },
    { key: 'rlhf', label: 'standard RLHF', group: 'main', overrides: { method: 'rlhf' } },
    {
      key: 'iterated-sft',
      label: 'iterated λ=0, KL SFT',
      group: 'main',
      overrides: { method: 'iterated', klReference: 'sft' },
    },
  ];
  const lambdas = full ? [lambda, paperLambda] : [lambda];
  const normalizations = full
    ? /** @type {const} */ (['dataset', 'none'])
    : /** @type {const} */ (['dataset']);
  for (const l of lambdas)
    for (const normalize of normalizations)
      for (const kl of /** @type {const} */ (['previous', 'sft']))
        arms.push(ocrmArm({ lambda: l, kl, normalize }));
  // Control for the weights alone: OCRM with λ = 0 retrains RM-2 unweighted (a fresh RM, another seed), which the
  // iterated arms (reusing RM-1) do not.
  if (full) arms.push(ocrmArm({ lambda: 0, kl: 'previous', normalize: 'dataset' }));
  arms.push({ key: 'dpo', label: 'DPO', group: 'main', overrides: { method: 'dpo' } });
  if (full) arms.push({ key: 'wpo', label: 'WPO', group: 'main', overrides: { method: 'wpo' } });
  return arms;
}

/**
 * The λ × α sweep (KL previous, normalised), on one seed.
 * @param {readonly number[]} lambdas
 * @param {readonly number[]} alphas
 * @returns {ArmSpec[]}
 */
export function sweepArms(lambdas, alphas) {
  return alphas.flatMap((alpha) =>
    lambdas.map((lambda) => ocrmArm({ lambda, alpha, kl: 'previous', normalize: 'dataset', group: 'sweep' })),
  );
}

/**
 * The `roundStart` ablation on one seed: the iterated loop and OCRM at `lambda` (KL previous, normalised) with each
 * later PPO round restarted (fresh critic from the RM, new AdamW, learning rate back at its peak), and OCRM with the
 * schedule and AdamW continued but a fresh critic from RM-2. The main arms use `continue` (the default).
 * @param {number} lambda
 * @returns {ArmSpec[]}
 */
export function roundStartArms(lambda) {
  const ocrm = ocrmArm({ lambda, kl: 'previous', normalize: 'dataset', group: 'ablation' });
  return [
    {
      key: 'iterated-prev-restart',
      label: 'iterated λ=0, KL previous, rounds restarted',
      group: 'ablation',
      overrides: { method: 'iterated', klReference: 'previous', roundStart: 'restart' },
    },
    {
      ...ocrm,
      key: `${ocrm.key}-restart`,
      label: `${ocrm.label}, rounds restarted`,
      overrides: { ...ocrm.overrides, roundStart: 'restart' },
    },
    {
      ...ocrm,
      key: `${ocrm.key}-fresh-critic`,
      label: `${ocrm.label}, continued with a fresh critic from RM-2`,
      overrides: { ...ocrm.overrides, roundStart: 'continue-fresh-critic' },
    },
  ];
}

/**
 * Stage folder → signature: two jobs of the same seed with the same signature for a stage produce identical
 * folders, so the later one copies it from the earlier one.
 * @param {ArmSpec} arm
 * @returns {Record<string, string>}
 */
export function stageSignatures(arm) {
  const o = /** @type {any} */ (arm.overrides);
  const method = o.method;
  /** @type {Record<string, string>} */
  const sig = { sft: 'base', pairs: 'base', labels: 'base' };
  if (method === 'dpo' || method === 'wpo') return sig;
  sig['rm-1'] = 'rm1';
  if (method === 'rlhf') return sig;
  // Round 1 depends on the schedule: `restart` runs it alone, `continue*` as the first half of the rounds' schedule
  // (the state it ends in is what ppo-2 continues from, with or without the critic).
  const ppo1 = o.roundStart === 'restart' ? 'ppo1:restart' : 'ppo1:continue';
  sig['ppo-1'] = ppo1;
  if (method === 'ocrm') {
    const w = o.weighting;
    sig['weights-2'] = `${ppo1}:w2:${w.ratioExponent}:${w.alpha}`;
    sig['rm-2'] = `${ppo1}:rm2:${w.ratioExponent}:${w.alpha}:${w.normalize}`;
  }
  return sig;
}

/**
 * Jobs in a start order that lets two workers share as much as possible: each seed's first arm (which produces the
 * shared stages) comes first, then the rest seed by seed, then the sweep.
 * @param {{ main: ArmSpec[], sweep: ArmSpec[], seeds: readonly number[], sweepSeed?: number }} o
 * @returns {Job[]}
 */
export function planJobs({ main, sweep, seeds, sweepSeed = seeds[0] ?? 0 }) {
  /** @param {ArmSpec} arm @param {number} seed @returns {Job} */
  const job = (arm, seed) => ({ id: `${arm.key}/s${seed}`, arm, seed, signatures: stageSignatures(arm) });
  const [first, ...rest] = main;
  /** @type {Job[]} */
  const jobs = [];
  if (first) for (const seed of seeds) jobs.push(job(first, seed));
  for (const seed of seeds) for (const arm of rest) jobs.push(job(arm, seed));
  const mainKeys = new Set(main.map((a) => a.key));
  for (const arm of sweep)
    if (!mainKeys.has(arm.key) || !seeds.includes(sweepSeed)) jobs.push(job(arm, sweepSeed));
  return jobs;
}

/**
 * For each job, the stage folders it copies and from which earlier job (same seed, same signature).
 * @param {readonly Job[]} jobs
 * @returns {Map<string, { stage: string, from: string }[]>}
 */
export function planCopies(jobs) {
  /** @type {Map<string, string>} */
  const producer = new Map();
  /** @type {Map<string, { stage: string, from: string }[]>} */
  const copies = new Map();
  for (const job of jobs) {
    const list = [];
    for (const [stage, signature] of Object.entries(job.signatures)) {
      const key = `${job.seed}|${stage}|${signature}`;
      const from = producer.get(key);
      if (from) list.push({ stage, from });
      else producer.set(key, job.id);
    }
    copies.set(job.id, list);
  }
  return copies;
}
