import { join, resolve } from 'node:path';
import { InvalidArgumentError, RunDirectory, writeFileAtomic } from '@ocrm/core';
import { renderReport } from '@ocrm/eval';
import type { PipelineConfig } from '../config/schema';
import { evalStage } from '../stages/evaluate';
import type { PipelineStages } from './context';
import { createStageContext } from './create-context';
import { summarizeRun } from './summarize';

/**
 * Writes one `report.html` comparing finished runs side by side (curves per round, final metrics per method with
 * seeds and 95 % intervals, weights, RM accuracy, configs). `labels[i]` renames run i in the report (its folder is
 * untouched), e.g. to compare two runs of one method and seed. Returns its path.
 */
export async function reportRuns(
  runDirs: readonly string[],
  options: { outFile?: string; title?: string; labels?: readonly string[] } = {},
): Promise<string> {
  if (runDirs.length === 0) throw new InvalidArgumentError('reportRuns: give at least one run directory.');
  const labels = options.labels ?? [];
  if (labels.length > runDirs.length) {
    throw new InvalidArgumentError(
      `reportRuns: ${labels.length} labels for ${runDirs.length} run directories: give at most one label a run, in order.`,
    );
  }
  const runs = [];
  for (const [i, dir] of runDirs.entries()) {
    const { report } = await summarizeRun(dir);
    runs.push(labels[i] ? { ...report, label: labels[i] } : report);
  }
  const outFile =
    options.outFile ??
    (runDirs.length === 1 ? join(resolve(runDirs[0]!), 'report.html') : resolve('report.html'));
  const html = await renderReport(runs, {
    title: options.title ?? 'OCRM report',
    subtitle: `${runDirs.length} run(s): ${runDirs.join(', ')}`,
  });
  await writeFileAtomic(outFile, html);
  return outFile;
}

/** Re-evaluates every round of a finished run (rewrites `eval/results.json`) and returns the final metrics. */
export async function evaluateRun(
  root: string,
  options: { stages?: PipelineStages; signal?: AbortSignal } = {},
): Promise<Record<string, number>> {
  const run = new RunDirectory(root);
  const config = await run.readConfig<PipelineConfig>();
  const ctx = await createStageContext(config, run, { ...options, emit: () => {} });
  return evalStage(ctx, { name: 'eval' });
}
