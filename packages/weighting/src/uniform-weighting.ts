import { SPECIFICATION_VERSION, type WeightingInput } from '@ocrm/core';
import { checkWeightingInput } from './importance-weighting';
import {
  type DetailedWeightingResult,
  type DetailedWeightingStrategy,
  weightDiagnostics,
} from './weight-diagnostics';

/** Standard RLHF: every pair counts once (all log-weights exactly 0). Diagnostics carry no ESS warnings. */
export function uniformWeighting(): DetailedWeightingStrategy {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'uniform',
    weigh(input: WeightingInput): DetailedWeightingResult {
      const logWeights = new Float64Array(checkWeightingInput(input));
      return { logWeights, diagnostics: weightDiagnostics(logWeights, { warn: false }) };
    },
  };
}
