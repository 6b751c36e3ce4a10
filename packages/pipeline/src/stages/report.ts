import { dirname } from 'node:path';
import type { StageRunner } from '../run/context';
import { runPaths } from '../run/paths';
import { summarizeRun } from '../run/summarize';

/**
 * `report`: the run's summary (read from its folder) handed to the run's {@link RunReporter} — the reference writes
 * the self-contained `report.html` (curves, final metrics, weights, RM accuracy, config) at the run's root.
 */
export const reportStage: StageRunner = async (ctx) => {
  const { report } = await summarizeRun(ctx.run.root);
  await ctx.runReporter.writeReport({
    runs: [report],
    outDir: dirname(runPaths(ctx.run).report),
    title: `OCRM run: ${report.label}`,
    signal: ctx.signal,
  });
  return { runs: 1 };
};
