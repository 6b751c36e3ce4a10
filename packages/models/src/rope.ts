/**
 * Rotary position embeddings: the inverse frequencies of each rotated pair, with the context-extension scalings of
 * transformers' `ROPE_INIT_FUNCTIONS` that this package supports (`default`, `linear`, `llama3`).
 */
import { ConfigError, UnsupportedError } from '@ocrm/core';

/**
 * A scaling of the rotary frequencies (transformers `rope_parameters` / `rope_scaling`).
 * - `linear`: every frequency divided by `factor` (positions interpolated).
 * - `llama3` (Llama 3.1+): wavelengths longer than `originalMaxPositions / lowFreqFactor` divided by `factor`,
 *   shorter than `originalMaxPositions / highFreqFactor` kept, and a smooth blend between them.
 */
export type RopeScaling =
  | { type: 'linear'; factor: number }
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositions: number;
    };

/** Rope types this package implements (`default` = no scaling). */
export const ROPE_TYPES = ['default', 'linear', 'llama3'] as const;

/**
 * Inverse frequencies of the `rotaryDim / 2` rotated pairs: `theta^(-2i / rotaryDim)`, scaled as `scaling` says.
 * Computed in float64 (transformers computes them in float32; the difference is below float32's rounding of the
 * angles, which are stored as float32).
 * @returns Float64Array of length rotaryDim / 2.
 */
export function ropeInverseFrequencies(
  rotaryDim: number,
  theta: number,
  scaling?: RopeScaling,
): Float64Array {
  const half = rotaryDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / rotaryDim);
  if (!scaling) return inv;
  if (scaling.type === 'linear') return inv.map((f) => f / scaling.factor);
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositions } = scaling;
  const lowFreqWavelength = originalMaxPositions / lowFreqFactor;
  const highFreqWavelength = originalMaxPositions / highFreqFactor;
  return inv.map((f) => {
    const wavelength = (2 * Math.PI) / f;
    if (wavelength < highFreqWavelength) return f;
    if (wavelength > lowFreqWavelength) return f / factor;
    const smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
    return ((1 - smooth) * f) / factor + smooth * f;
  });
}

/**
 * The scaling a Hugging Face `rope_parameters` / `rope_scaling` object describes (undefined for `default`).
 * @throws UnsupportedError for another rope type (naming the supported ones); ConfigError for a missing or bad field.
 */
export function parseRopeScaling(rope: Record<string, unknown>): RopeScaling | undefined {
  const type = rope.rope_type ?? rope.type ?? 'default';
  const number = (key: string, min = 0) => {
    const value = rope[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= min) {
      throw new ConfigError(
        `rope_parameters.${key}`,
        `must be a number > ${min} for rope type \`${String(type)}\``,
      );
    }
    return value;
  };
  switch (type) {
    case 'default':
      return undefined;
    case 'linear':
      return { type: 'linear', factor: number('factor') };
    case 'llama3': {
      const scaling = {
        type: 'llama3' as const,
        factor: number('factor'),
        lowFreqFactor: number('low_freq_factor'),
        highFreqFactor: number('high_freq_factor'),
        originalMaxPositions: number('original_max_position_embeddings'),
      };
      if (scaling.highFreqFactor <= scaling.lowFreqFactor) {
        throw new ConfigError('rope_parameters.high_freq_factor', 'must be greater than low_freq_factor');
      }
      return scaling;
    }
    default:
      throw new UnsupportedError(`rope type \`${String(type)}\` is not supported`, {
        hint: `supported rope types: ${ROPE_TYPES.join(', ')}`,
      });
  }
}

/** The Hugging Face `rope_parameters` fields of a scaling (merged with `rope_type` and `rope_theta` by the writer). */
export function ropeScalingToHf(scaling: RopeScaling | undefined): Record<string, unknown> {
  if (!scaling) return { rope_type: 'default' };
  if (scaling.type === 'linear') return { rope_type: 'linear', factor: scaling.factor };
  return {
    rope_type: 'llama3',
    factor: scaling.factor,
    low_freq_factor: scaling.lowFreqFactor,
    high_freq_factor: scaling.highFreqFactor,
    original_max_position_embeddings: scaling.originalMaxPositions,
  };
}
