import { dirname } from 'node:path';
import { writeReport } from '@ocrm/eval';
import type { StageRunner } from '../run/context';
import { runPaths } from '../run/paths';
import { summarizeRun } from '../run/summarize';

/** `report`: the run's self-contained `report.html` (curves, final metrics, weights, RM accuracy, config). */
export const reportStage: StageRunner = async (ctx) => {
  const { report } = await summarizeRun(ctx.run.root);
  const path = runPaths(ctx.run).report;
  await writeReport(dirname(path), [report], { title: `OCRM run: ${report.label}` });
  return { runs: 1 };
};
