import { type ReportRun, type RunReporter, SPECIFICATION_VERSION, throwIfAborted } from '@ocrm/core';
import { writeReport } from './report/render-report';

/**
 * The reference report stage: one self-contained `report.html` (overoptimization curves, final metrics per method
 * with 95 % intervals over seeds, weight diagnostics, RM accuracy, configs) written atomically into `outDir`.
 */
export function htmlReporter(): RunReporter {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'html',
    async writeReport(run: ReportRun): Promise<string[]> {
      throwIfAborted(run.signal);
      return [await writeReport(run.outDir, run.runs, { title: run.title })];
    },
  };
}
