import {
  InvalidArgumentError,
  NumericError,
  SPECIFICATION_VERSION,
  type WeightingInput,
  type WeightingStrategy,
} from '@ocrm/core';
import { positiveZero } from './log-math';
import {
  type DetailedWeightingResult,
  type DetailedWeightingStrategy,
  weightDiagnostics,
} from './weight-diagnostics';

/**
 * Multiplies the weights of several strategies (sums their log-weights, pair by pair). Diagnostics describe the
 * product.
 *
 * @example
 * const strategy = composeWeighting(importanceWeighting({ ratioExponent: 0.1 }), myLengthPrior);
 */
export function composeWeighting(...strategies: WeightingStrategy[]): DetailedWeightingStrategy {
  if (strategies.length === 0) throw new InvalidArgumentError('composeWeighting needs at least one strategy');
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: strategies.map((s) => s.name).join(' * '),
    weigh(input: WeightingInput): DetailedWeightingResult {
      let total: Float64Array | undefined;
      for (const strategy of strategies) {
        const { logWeights } = strategy.weigh(input);
        if (!total) total = Float64Array.from(logWeights);
        else {
          if (logWeights.length !== total.length) {
            throw new InvalidArgumentError(
              `strategy ${strategy.name} returned ${logWeights.length} log-weights, expected ${total.length}`,
            );
          }
          for (let i = 0; i < total.length; i++) total[i] = positiveZero(total[i]! + logWeights[i]!);
        }
      }
      const logWeights = total as Float64Array;
      for (let i = 0; i < logWeights.length; i++) {
        if (!Number.isFinite(logWeights[i]!))
          throw new NumericError(`pair ${i}: composed log-weight is not finite`);
      }
      return { logWeights, diagnostics: weightDiagnostics(logWeights) };
    },
  };
}
