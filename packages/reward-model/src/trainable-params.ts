import { ConfigError } from '@ocrm/core';

/**
 * Which weights of a reward model built on the SFT backbone are trained (the rest stay at the SFT values, get no
 * gradient and no optimizer state):
 * - `'all'`: every weight (the official code, `reward.py`, fine-tunes the whole SFT model);
 * - `'head'`: only the scalar head `score.weight` on a frozen backbone, a linear model of the SFT features — the
 *   misspecified reward model that covariate-shift correction (Shimodaira 2000) is about, and a cheap one: the
 *   backbone's features are computed once per response and cached;
 * - `'last-block'`: the last transformer block, the final norm and the head.
 */
export type RewardModelTrainable = 'all' | 'head' | 'last-block';

/** The allowed values of {@link RewardModelTrainable}. */
export const REWARD_MODEL_TRAINABLE: readonly RewardModelTrainable[] = ['all', 'head', 'last-block'];

/**
 * The internal-key selector of {@link RewardModelTrainable} for a model with `numLayers` blocks (keys as in
 * `TransformerModel.paramSpecs()`: `h{i}.…` blocks, `ln_f` the final norm, `score` the head).
 * @throws ConfigError (`rewardModel.trainable`) for an unknown value, or `last-block` on a model without blocks.
 */
export function trainableSelector(
  trainable: RewardModelTrainable,
  numLayers: number,
): (key: string) => boolean {
  switch (trainable) {
    case 'all':
      return () => true;
    case 'head':
      return (key) => key === 'score';
    case 'last-block': {
      if (numLayers < 1) {
        throw new ConfigError('rewardModel.trainable', "'last-block' needs a model with at least one block.");
      }
      const prefix = `h${numLayers - 1}.`;
      return (key) => key === 'score' || key.startsWith(prefix) || key.startsWith('ln_f');
    }
    default:
      throw new ConfigError(
        'rewardModel.trainable',
        `expected one of ${REWARD_MODEL_TRAINABLE.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(trainable)}.`,
      );
  }
}
