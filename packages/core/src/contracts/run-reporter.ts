import type { SpecificationVersion } from './common';
import type { RunSummary } from './run-summary';

/** What the pipeline's `report` stage (and `ocrm report A B`) hands a {@link RunReporter}. */
export interface ReportRun {
  /** The runs to report (one for a run's own report; several to compare). Labels are unique. */
  runs: readonly RunSummary[];
  /** Folder to write into (created if needed); the reporter writes only inside it, atomically. */
  outDir: string;
  /** Title of the report. */
  title: string;
  signal?: AbortSignal;
}

/**
 * The report stage as a whole: turns run summaries into files people read. The reference (`htmlReporter` of
 * `@ocrm/eval`) writes one self-contained `report.html`; a replacement may write Markdown, TensorBoard event files or
 * post to a tracker. Must write only inside `outDir`, give the same files for the same runs, and honour the abort
 * signal; `describeRunReporterContract` in `@ocrm/core/test` checks it.
 */
export interface RunReporter {
  readonly specificationVersion: SpecificationVersion;
  readonly name: string;
  /** Writes the report and resolves to the paths it wrote (inside `outDir`). */
  writeReport(run: ReportRun): Promise<string[]>;
}
