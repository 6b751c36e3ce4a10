import type { RunSummary } from './run-summary';

/**
 * Synthetic, deterministic run summaries (two methods × two seeds × three rounds) showing the shape the report
 * expects. For documentation, tests and trying the report; the numbers mean nothing.
 */
export function exampleRunSummaries(): RunSummary[] {
  const runs: RunSummary[] = [];
  for (const method of ['rlhf', 'ocrm'] as const) {
    for (const seed of [1, 2]) {
      const drift = method === 'ocrm' ? 0.6 : 1;
      const curve = Array.from({ length: 12 }, (_, i) => {
        const kl = drift * (0.8 * i + 0.1 * seed);
        return {
          round: Math.floor(i / 4) + 1,
          update: (i + 1) * 5,
          metrics: {
            'eval/kl_sft': kl,
            'eval/proxy': 0.3 * kl,
            'eval/gold': 0.4 * kl - 0.05 * kl * kl * (method === 'ocrm' ? 0.6 : 1) + 0.01 * seed,
          },
        };
      });
      runs.push({
        method,
        seed,
        rounds: [1, 2, 3].map((round) => ({
          round,
          metrics: curve[round * 4 - 1]!.metrics,
          rmAccuracy: {
            accuracy: 0.62 - (method === 'ocrm' ? 0.02 : 0.05) * round + 0.01 * seed,
            spearman: 0.3,
            n: 128,
          },
          weights:
            method === 'ocrm' && round > 1
              ? {
                  n: 128,
                  min: 0.4,
                  mean: 0.95,
                  max: 1.05,
                  quantiles: { '0.5': 0.97 },
                  histogram: {
                    edges: [-0.9, -0.7, -0.5, -0.3, -0.1, 0.1],
                    counts: [2 * round, 5, 11, 30, 80 - 2 * round],
                  },
                  ess: 128 * (1 - 0.1 * round),
                  essFraction: 1 - 0.1 * round,
                  fractionMoved: 0.1 * round,
                  warnings: [],
                }
              : undefined,
        })),
        curve,
        config: { method, seed, weighting: { ratioExponent: method === 'ocrm' ? 0.1 : 0, alpha: 0.1 } },
      });
    }
  }
  return runs;
}
