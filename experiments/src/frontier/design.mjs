// @ts-check
/**
 * The `frontier` study's design (issue 19 §3, E2 of the science audit): OCRM end to end with short rounds, against
 * the controls that isolate what the weights do. Everything here is data; `run-frontier.mjs` runs it.
 *
 * Arms (per `roundStart` ∈ {restart (official), continue}):
 * - `ocrm`: OCRM with adaptive λ (`targetEss`), RM-k with round k's own seed;
 * - `redraw`: the same loop at λ = 0 — RM-k retrained unweighted with OCRM's round-k seed, so OCRM − redraw is the
 *   effect of the weights alone (with `seedPolicy: same` this arm would be RM-1 again, i.e. `iterated`);
 * - `iterated`: the same loop reusing RM-1 (the KL reset and the extra rounds without any new RM);
 * and once: `rlhf` (one PPO run with the same total updates) and `dpo` (on the same labelled pairs).
 */

/** @typedef {import('../arms.mjs').ArmSpec} ArmSpec */

/**
 * The round structure shared by every arm: short rounds so that π_1 sits near the gold peak (the `quick` preset's
 * RLHF peaks around update 4 of 40), several rounds, and the evaluation the study reports.
 * @param {'full' | 'quick' | 'smoke'} profile
 */
export function frontierBase(profile) {
  if (profile === 'smoke') {
    return {
      rounds: 2,
      klReference: 'previous',
      eval: { greedy: true, samplesPerPrompt: 2, everyUpdates: 1 },
    };
  }
  return {
    rounds: 4,
    klReference: 'previous',
    ppo: { totalUpdates: 6 },
    eval: { greedy: true, samplesPerPrompt: 4, everyUpdates: 2, onPolicyPairs: 512 },
  };
}

/**
 * @param {{ targetEss: number, roundStarts: readonly ('restart' | 'continue')[] }} o
 * @returns {ArmSpec[]}
 */
export function frontierArms({ targetEss, roundStarts }) {
  /** @type {ArmSpec[]} */
  const arms = [];
  for (const roundStart of roundStarts) {
    const perRound = { seedPolicy: 'per-round' };
    arms.push(
      {
        key: `ocrm-${roundStart}`,
        label: `OCRM (ESS/N ${targetEss}), ${roundStart}`,
        group: 'main',
        overrides: {
          method: 'ocrm',
          roundStart,
          rewardModel: perRound,
          weighting: { ratioExponent: null, targetEss },
        },
      },
      {
        key: `redraw-${roundStart}`,
        label: `λ = 0 re-draw, ${roundStart}`,
        group: 'main',
        overrides: {
          method: 'ocrm',
          roundStart,
          rewardModel: perRound,
          weighting: { ratioExponent: 0, targetEss: null },
        },
      },
      {
        key: `iterated-${roundStart}`,
        label: `iterated (RM-1 reused), ${roundStart}`,
        group: 'main',
        overrides: { method: 'iterated', roundStart },
      },
    );
  }
  arms.push(
    {
      key: 'rlhf',
      label: 'standard RLHF (same total updates)',
      group: 'main',
      overrides: { method: 'rlhf' },
    },
    { key: 'dpo', label: 'DPO', group: 'main', overrides: { method: 'dpo' } },
  );
  return arms;
}

/**
 * Stage folder → signature (equal signatures of one seed are the same folder): SFT, pairs and labels everywhere; RM-1
 * for the RM arms; PPO-1 among the looped arms of one `roundStart` (round 1 is the same PPO from SFT against RM-1;
 * under `continue` it is the first segment of the rounds' schedule, under `restart` a run of its own).
 * @param {ArmSpec} arm
 * @returns {Record<string, string>}
 */
export function frontierSignatures(arm) {
  const o = /** @type {any} */ (arm.overrides);
  /** @type {Record<string, string>} */
  const sig = { sft: 'base', pairs: 'base', labels: 'base' };
  if (o.method === 'dpo' || o.method === 'wpo') return sig;
  sig['rm-1'] = 'rm1';
  if (o.method === 'rlhf') return sig;
  sig['ppo-1'] = `ppo1:${o.roundStart}`;
  return sig;
}
