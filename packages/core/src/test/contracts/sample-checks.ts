import { expect } from 'vitest';
import type { Policy, SampleResult } from '../../contracts/policy';
import { expectFinite } from './helpers';

/** Row-by-row checks of a sample result: prompt layout, mask shape, PAD after EOS, log-prob bookkeeping. */
export function checkSampleRows(policy: Policy, prompts: number[][], res: SampleResult, tol: number): void {
  const { batch, logProbs, logProbSums, hasEos } = res;
  const { seqLength: T, promptLength: P } = batch;
  const R = T - P;
  expectFinite(logProbs, 'sample logProbs');
  prompts.forEach((prompt, b) => {
    const row = Array.from(batch.ids.subarray(b * T, b * T + P));
    const rowMask = Array.from(batch.mask.subarray(b * T, b * T + P));
    expect(row.slice(P - prompt.length), `prompt ${b}`).toEqual(prompt);
    expect(rowMask, `prompt mask ${b}`).toEqual([
      ...Array(P - prompt.length).fill(0),
      ...Array(prompt.length).fill(1),
    ]);
    let ended = false;
    let sum = 0;
    for (let t = 0; t < R; t++) {
      const i = b * T + P + t;
      const lp = logProbs[b * R + t] as number;
      if (ended) {
        expect([batch.mask[i], batch.ids[i], lp], `row ${b} position ${t} after EOS`).toEqual([
          0,
          policy.padId,
          0,
        ]);
        continue;
      }
      expect(batch.mask[i], `row ${b} position ${t} before EOS`).toBe(1);
      expect(batch.ids[i] as number).toBeGreaterThanOrEqual(0);
      expect(batch.ids[i] as number).toBeLessThan(policy.vocabSize);
      expect(lp).toBeLessThanOrEqual(tol);
      sum += lp;
      if (batch.ids[i] === policy.eosId) ended = true;
    }
    // stopAtEos: a row without EOS fills every position (R = maxNewTokens then), checked by the caller.
    expect(hasEos[b], `hasEos[${b}]`).toBe(ended ? 1 : 0);
    expect(Math.abs((logProbSums[b] as number) - sum), `logProbSums[${b}]`).toBeLessThanOrEqual(
      tol * Math.max(1, R),
    );
  });
}
