import { describe, expect, it } from 'vitest';
import { mainArms, planCopies, planJobs, roundStartArms, sweepArms } from './arms.mjs';
import { profileArms } from './run-experiment.mjs';

describe('experiment plan', () => {
  it('lists the arms of issue 10 and shares the stages whose inputs are identical', () => {
    const main = mainArms({ lambda: 0.1 });
    expect(main.map((a) => a.key)).toEqual([
      'iterated-prev',
      'rlhf',
      'iterated-sft',
      'ocrm-l0.1-a0.1-prev-norm',
      'ocrm-l0.1-a0.1-sft-norm',
      'ocrm-l0.1-a0.1-prev-raw',
      'ocrm-l0.1-a0.1-sft-raw',
      'ocrm-l0.001-a0.1-prev-norm',
      'ocrm-l0.001-a0.1-sft-norm',
      'ocrm-l0.001-a0.1-prev-raw',
      'ocrm-l0.001-a0.1-sft-raw',
      'ocrm-l0-a0.1-prev-norm',
      'dpo',
      'wpo',
    ]);
    const jobs = planJobs({ main, sweep: sweepArms([0.1, 1], [0, 0.1]), seeds: [0, 1] });
    // 14 arms × 2 seeds + the sweep arms not already in the main arms (λ=1 α=0.1, and both α=0).
    expect(jobs).toHaveLength(28 + 3);
    expect(jobs.slice(0, 2).map((j) => j.id)).toEqual(['iterated-prev/s0', 'iterated-prev/s1']);
    const copies = planCopies(jobs);
    expect(copies.get('iterated-prev/s0')).toEqual([]);
    expect(copies.get('rlhf/s1')).toEqual([
      { stage: 'sft', from: 'iterated-prev/s1' },
      { stage: 'pairs', from: 'iterated-prev/s1' },
      { stage: 'labels', from: 'iterated-prev/s1' },
      { stage: 'rm-1', from: 'iterated-prev/s1' },
    ]);
    const sftRaw = copies.get('ocrm-l0.1-a0.1-sft-raw/s0')!;
    expect(sftRaw.find((c) => c.stage === 'ppo-1')?.from).toBe('iterated-prev/s0');
    expect(sftRaw.find((c) => c.stage === 'weights-2')?.from).toBe('ocrm-l0.1-a0.1-prev-norm/s0');
    expect(sftRaw.find((c) => c.stage === 'rm-2')?.from).toBe('ocrm-l0.1-a0.1-prev-raw/s0');
    expect(copies.get('dpo/s0')!.map((c) => c.stage)).toEqual(['sft', 'pairs', 'labels']);
  });

  it('the roundStart ablation shares stages only with runs of the same round-1 schedule', () => {
    const main = mainArms({ lambda: 0.3, full: false });
    const ablation = roundStartArms(0.3);
    expect(ablation.map((a) => a.key)).toEqual([
      'iterated-prev-restart',
      'ocrm-l0.3-a0.1-prev-norm-restart',
      'ocrm-l0.3-a0.1-prev-norm-fresh-critic',
    ]);
    const copies = planCopies(planJobs({ main, sweep: ablation, seeds: [0] }));
    const from = (id: string) => Object.fromEntries(copies.get(id)!.map((c) => [c.stage, c.from]));
    // Restarted round 1 is its own schedule: produced by the first restart arm, reused by the second.
    expect(from('iterated-prev-restart/s0')['ppo-1']).toBeUndefined();
    expect(from('ocrm-l0.3-a0.1-prev-norm-restart/s0')).toMatchObject({
      'rm-1': 'iterated-prev/s0',
      'ppo-1': 'iterated-prev-restart/s0',
    });
    expect(from('ocrm-l0.3-a0.1-prev-norm-restart/s0')['weights-2']).toBeUndefined();
    // A fresh critic changes round 2 only: everything before it comes from the continued OCRM arm.
    expect(from('ocrm-l0.3-a0.1-prev-norm-fresh-critic/s0')).toMatchObject({
      'ppo-1': 'iterated-prev/s0',
      'weights-2': 'ocrm-l0.3-a0.1-prev-norm/s0',
      'rm-2': 'ocrm-l0.3-a0.1-prev-norm/s0',
    });
  });

  it('the full form runs 47 runs, 50 with --ablation; --quick 8', () => {
    const runs = (p: ReturnType<typeof profileArms>) =>
      planJobs({ main: p.main, sweep: p.sweep, seeds: p.seeds }).length;
    expect(runs(profileArms('full', 0.3))).toBe(47);
    const withAblation = profileArms('full', 0.3, { ablation: true });
    expect(runs(withAblation)).toBe(50);
    expect(withAblation.sweep.filter((a) => a.group === 'ablation')).toHaveLength(3);
    expect(runs(profileArms('quick', 0.3))).toBe(8);
  });
});
