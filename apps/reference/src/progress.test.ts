import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from './progress';

describe('ProgressDisplay (plain mode, as in CI logs)', () => {
  it('prints the stage list, periodic step lines with the key metric, stage times and the report path', () => {
    const lines: string[] = [];
    const display = new ProgressDisplay({
      mode: 'plain',
      plainIntervalSeconds: 0,
      write: (l) => lines.push(l),
    });
    const time = 0;
    display.handle({ type: 'pipeline-start', outDir: '/runs/x', stages: ['sft', 'ppo-1'], time });
    display.handle({ type: 'stage-skip', stage: 'sft', reason: 'done marker present', time });
    display.handle({ type: 'stage-rerun', stage: 'ppo-1', reason: 'changed: ppo.klCoef', time });
    display.handle({ type: 'stage-start', stage: 'ppo-1', time });
    display.handle({ type: 'run-start', stage: 'ppo-1', totalSteps: 2, time });
    display.handle({
      type: 'step-end',
      stage: 'ppo-1',
      step: 1,
      totalSteps: 2,
      metrics: { 'objective/scores': 0.25, 'objective/kl': 1 },
      time,
    });
    display.handle({ type: 'stage-end', stage: 'ppo-1', seconds: 12.34, summary: { updates: 2 }, time });
    display.handle({
      type: 'warning',
      stage: 'weights-2',
      message: 'ESS 0.999: the weights do nothing',
      time,
    });
    display.handle({
      type: 'pipeline-end',
      outDir: '/runs/x',
      seconds: 99,
      reportPath: '/runs/x/report.html',
      time,
    });
    expect(lines.join('\n')).toBe(
      [
        'ocrm: run directory /runs/x\n  stages: sft → ppo-1',
        '  ✓ sft (done earlier: done marker present)',
        '  ↻ ppo-1 reruns (changed: ppo.klCoef)',
        '  … ppo-1',
        '    ppo-1 1/2 objective/scores 0.2500',
        '  ✓ ppo-1 (12.3 s)  updates=2',
        '  ! weights-2: ESS 0.999: the weights do nothing',
        'ocrm: finished in 99 s; report: /runs/x/report.html',
      ].join('\n'),
    );
  });

  it('quiet mode prints warnings only', () => {
    const lines: string[] = [];
    const display = new ProgressDisplay({ mode: 'quiet', write: (l) => lines.push(l) });
    display.handle({ type: 'stage-end', stage: 'sft', seconds: 1, summary: {}, time: 0 });
    display.handle({ type: 'warning', stage: 'weights-2', message: 'degenerate', time: 0 });
    expect(lines).toEqual(['  ! weights-2: degenerate']);
  });
});
