// @ts-check
/**
 * Scores one reward model on held-out pair sets: accuracy against gold (ties excluded) overall and on the pair types
 * where the policy's exploits live (the responses differ in length; exactly one has a repeated word), and the
 * Spearman correlation of its scores with gold over the sets' single responses.
 */
import { spearman } from '@ocrm/eval';
import { scorePairs } from '@ocrm/reward-model';

/** @typedef {import('@ocrm/core').PreferencePair} PreferencePair */

/**
 * @typedef {object} SetScores
 * @property {number} accuracy  non-tied pairs ranked as gold ranks them
 * @property {number} counted   non-tied pairs
 * @property {number} accuracyLonger  on non-tied pairs whose responses differ in word count
 * @property {number} countedLonger
 * @property {number} accuracyRepeat  on non-tied pairs where exactly one response repeats a word
 * @property {number} countedRepeat
 * @property {number} spearman  RM score vs gold over every response of the set
 */

/** Words of a response text (whitespace-separated). @param {string} text */
export const words = (text) => text.split(/\s+/).filter((w) => w.length > 0);

/** @param {string} text */
export const hasRepeat = (text) => {
  const w = words(text);
  return new Set(w).size < w.length;
};

/**
 * Accuracy, split accuracies and Spearman from host rewards (pure; exported for tests).
 * @param {readonly PreferencePair[]} pairs labelled pairs (`goldChosen`/`goldRejected`, `tie`)
 * @param {ArrayLike<number>} chosen  `[N]` RM scores of the chosen responses
 * @param {ArrayLike<number>} rejected `[N]` of the rejected ones
 * @returns {SetScores}
 */
export function setScores(pairs, chosen, rejected) {
  let correct = 0;
  let counted = 0;
  let correctLonger = 0;
  let countedLonger = 0;
  let correctRepeat = 0;
  let countedRepeat = 0;
  /** @type {number[]} */
  const rm = [];
  /** @type {number[]} */
  const gold = [];
  pairs.forEach((pair, i) => {
    rm.push(chosen[i] ?? Number.NaN, rejected[i] ?? Number.NaN);
    gold.push(pair.goldChosen ?? Number.NaN, pair.goldRejected ?? Number.NaN);
    if (pair.tie) return;
    const right = (chosen[i] ?? 0) > (rejected[i] ?? 0) ? 1 : 0;
    correct += right;
    counted++;
    if (words(pair.chosen).length !== words(pair.rejected).length) {
      correctLonger += right;
      countedLonger++;
    }
    if (hasRepeat(pair.chosen) !== hasRepeat(pair.rejected)) {
      correctRepeat += right;
      countedRepeat++;
    }
  });
  const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (b > 0 ? a / b : Number.NaN);
  return {
    accuracy: ratio(correct, counted),
    counted,
    accuracyLonger: ratio(correctLonger, countedLonger),
    countedLonger,
    accuracyRepeat: ratio(correctRepeat, countedRepeat),
    countedRepeat,
    spearman: spearman(rm, gold),
  };
}

/**
 * @param {import('@ocrm/core').RewardModel} rm
 * @param {Record<string, readonly PreferencePair[]>} sets
 * @param {{ tokenizer: { padId: number } }} task
 * @returns {Promise<Record<string, SetScores>>}
 */
export async function scoreArm(rm, sets, task) {
  /** @type {Record<string, SetScores>} */
  const out = {};
  for (const [name, pairs] of Object.entries(sets)) {
    const r = await scorePairs(rm, pairs, task.tokenizer.padId, 64);
    out[name] = setScores(pairs, r.chosen, r.rejected);
  }
  return out;
}
