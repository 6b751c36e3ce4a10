import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors';
import { permutation, rng, shuffle } from './rng';

function mean(xs: Float64Array): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function variance(xs: Float64Array): number {
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / xs.length;
}

function correlation(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('rng', () => {
  it('is reproducible: the same (seed, stream, step) gives the same sequence', () => {
    expect(Array.from(rng(7, 3, 11).uniforms(50))).toEqual(Array.from(rng(7, 3, 11).uniforms(50)));
    const a = rng(7, 3, 11);
    const b = rng(7, 3, 11);
    for (let i = 0; i < 10; i++) expect(a.normal()).toBe(b.normal());
  });

  it('uniforms(n) equals n calls of uniform()', () => {
    const a = rng(1, 2, 3);
    const seq = Array.from({ length: 9 }, () => a.uniform());
    expect(Array.from(rng(1, 2, 3).uniforms(9))).toEqual(seq);
  });

  it('first uniform of rng(0,0,0) is built from the Philox zero block (0x6627e8d5, 0xe169c58d)', () => {
    const expected = ((0x6627e8d5 >>> 5) * 2 ** 26 + (0xe169c58d >>> 6)) / 2 ** 53;
    expect(rng(0, 0, 0).uniform()).toBe(expected);
    expect(rng(0, 0, 0).uint32()).toBe(0x6627e8d5);
  });

  it('gives different sequences for different seeds, streams and steps', () => {
    const base = Array.from(rng(5, 0, 0).uniforms(4));
    expect(Array.from(rng(6, 0, 0).uniforms(4))).not.toEqual(base);
    expect(Array.from(rng(5, 1, 0).uniforms(4))).not.toEqual(base);
    expect(Array.from(rng(5, 0, 1).uniforms(4))).not.toEqual(base);
    expect(Array.from(rng(5 + 2 ** 32, 0, 0).uniforms(4))).not.toEqual(base);
    expect(Array.from(rng(5, 0, 2 ** 32).uniforms(4))).not.toEqual(base);
  });

  it('uniforms are in [0,1) with mean 1/2 and variance 1/12', () => {
    const u = rng(123, 0, 0).uniforms(100_000);
    let min = 1;
    let max = 0;
    for (const x of u) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // standard error of the mean: sqrt(1/12/1e5) ≈ 0.0009
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(0.002);
  });

  it('histogram of uniforms passes a chi-squared test (20 bins)', () => {
    const u = rng(9, 0, 0).uniforms(40_000);
    const bins = new Array<number>(20).fill(0);
    for (const x of u) bins[Math.floor(x * 20)]++;
    const expected = 2000;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 19 d.o.f.: p = 0.001 at 43.8
    expect(chi2).toBeLessThan(43.8);
  });

  it('normals have mean 0 and variance 1', () => {
    const z = rng(77, 4, 2).normals(50_000);
    expect(Math.abs(mean(z))).toBeLessThan(0.02);
    expect(Math.abs(variance(z) - 1)).toBeLessThan(0.03);
  });

  it('streams and consecutive steps are uncorrelated', () => {
    const a = rng(1, 0, 0).uniforms(20_000);
    const b = rng(1, 1, 0).uniforms(20_000);
    const c = rng(1, 0, 1).uniforms(20_000);
    // 1/sqrt(2e4) ≈ 0.007
    expect(Math.abs(correlation(a, b))).toBeLessThan(0.03);
    expect(Math.abs(correlation(a, c))).toBeLessThan(0.03);
    expect(Math.abs(correlation(a.subarray(0, 19_999), a.subarray(1)))).toBeLessThan(0.03);
  });

  it('int(n) covers [0, n) evenly', () => {
    const r = rng(3, 0, 0);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
    expect(() => r.int(0)).toThrow(InvalidArgumentError);
  });

  it('rejects bad seeds, streams and steps', () => {
    expect(() => rng(-1, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => rng(1.5, 0, 0)).toThrow(InvalidArgumentError);
    expect(() => rng(0, 2 ** 32, 0)).toThrow(InvalidArgumentError);
    expect(() => rng(0, 0, Number.NaN)).toThrow(InvalidArgumentError);
  });
});

describe('permutation / shuffle', () => {
  it('returns a permutation, reproducibly', () => {
    const p = permutation(100, rng(1, 0, 0));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(permutation(100, rng(1, 0, 0))).toEqual(p);
    expect(permutation(100, rng(1, 0, 1))).not.toEqual(p);
    expect(permutation(0, rng(1, 0, 0))).toEqual([]);
  });

  it('each element lands in each position about equally often', () => {
    const n = 4;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let step = 0; step < 4000; step++) {
      const p = permutation(n, rng(2, 0, step));
      p.forEach((value, position) => {
        (counts[value] as number[])[position]++;
      });
    }
    for (const row of counts) for (const c of row) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it('shuffle returns a shuffled copy and leaves the input alone', () => {
    const input = ['a', 'b', 'c', 'd', 'e'];
    const out = shuffle(input, rng(4, 0, 0));
    expect(input).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([...out].sort()).toEqual(input);
  });
});
