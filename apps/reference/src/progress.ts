import type { PipelineEvent } from '@ocrm/pipeline';
import cliProgress from 'cli-progress';

/** How the CLI shows progress. */
export interface ProgressOptions {
  /** Live bars (a TTY) or plain periodic lines (CI logs). */
  mode: 'tty' | 'plain' | 'quiet';
  /** Plain mode: at most one line per stage every this many seconds (default 10). */
  plainIntervalSeconds?: number;
  write?: (line: string) => void;
}

/** The metric shown beside a stage's progress, first one present wins: SFT, RM, PPO (score, KL), DPO. */
const KEY_METRICS = [
  'loss/train',
  'loss/weighted',
  'objective/scores',
  'loss/dpo',
  'loss/policy',
  'eval/gold',
];

/** Renders pipeline events: a stage list with ✓, step/total, a key metric and an ETA. */
export class ProgressDisplay {
  private bar: cliProgress.SingleBar | undefined;
  private lastPlain = 0;
  private readonly write: (line: string) => void;

  constructor(private readonly options: ProgressOptions) {
    this.write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** Consumes one event. */
  handle(event: PipelineEvent): void {
    const { mode } = this.options;
    switch (event.type) {
      case 'pipeline-start':
        if (mode !== 'quiet')
          this.write(`ocrm: run directory ${event.outDir}\n  stages: ${event.stages.join(' → ')}`);
        return;
      case 'stage-skip':
        if (mode !== 'quiet') this.write(`  ✓ ${event.stage} (done earlier: ${event.reason})`);
        return;
      case 'stage-rerun':
        if (mode !== 'quiet') this.write(`  ↻ ${event.stage} reruns (${event.reason})`);
        return;
      case 'stage-start':
        if (mode === 'plain') this.write(`  … ${event.stage}`);
        return;
      case 'run-start':
        if (mode === 'tty' && event.totalSteps > 0) {
          this.bar?.stop();
          this.bar = new cliProgress.SingleBar(
            {
              format: `  {stage} [{bar}] {value}/{total} {metric} ETA {eta_formatted}`,
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          this.bar.start(event.totalSteps, 0, { stage: event.stage.padEnd(8), metric: '' });
        }
        return;
      case 'step-end': {
        const metric = formatMetric(event.metrics);
        if (mode === 'tty') this.bar?.update(event.step, { metric });
        else if (mode === 'plain') {
          const now = Date.now();
          if (
            now - this.lastPlain >= (this.options.plainIntervalSeconds ?? 10) * 1000 ||
            event.step === event.totalSteps
          ) {
            this.lastPlain = now;
            this.write(`    ${event.stage} ${event.step}/${event.totalSteps} ${metric}`);
          }
        }
        return;
      }
      case 'stage-end':
        this.bar?.stop();
        this.bar = undefined;
        if (mode !== 'quiet')
          this.write(`  ✓ ${event.stage} (${event.seconds.toFixed(1)} s)${formatSummary(event.summary)}`);
        return;
      case 'warning':
        this.bar?.stop();
        this.bar = undefined;
        this.write(`  ! ${event.stage}: ${event.message}`);
        return;
      case 'pipeline-end':
        this.bar?.stop();
        if (mode !== 'quiet')
          this.write(
            `ocrm: finished in ${event.seconds.toFixed(0)} s${event.reportPath ? `; report: ${event.reportPath}` : ''}`,
          );
        return;
      default:
        return;
    }
  }

  /** Stops any live bar (call before printing other output or exiting). */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function formatMetric(metrics: Record<string, number>): string {
  const key = KEY_METRICS.find((k) => Number.isFinite(metrics[k]));
  return key ? `${key} ${metrics[key]!.toFixed(4)}` : '';
}

function formatSummary(summary: Record<string, number>): string {
  const entries = Object.entries(summary).slice(0, 6);
  return entries.length
    ? `  ${entries.map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(4)}`).join(' ')}`
    : '';
}
