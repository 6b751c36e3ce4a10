import { describeWeightingStrategyContract } from '@ocrm/core/test';
import { composeWeighting } from './compose-weighting';
import { importanceWeighting } from './importance-weighting';
import { uniformWeighting } from './uniform-weighting';

describeWeightingStrategyContract('uniformWeighting', () => uniformWeighting(), { uniform: true });
describeWeightingStrategyContract('importanceWeighting (defaults)', () => importanceWeighting());
describeWeightingStrategyContract('importanceWeighting (λ 1, α 0, clipped)', () =>
  importanceWeighting({ ratioExponent: 1, alpha: 0, clipLogWeight: 20 }),
);
describeWeightingStrategyContract('composeWeighting', () =>
  composeWeighting(importanceWeighting({ ratioExponent: 0.3 }), uniformWeighting()),
);
