import { join } from 'node:path';
import type { RunDirectory } from '@ocrm/core';

/** Where each stage keeps its outputs inside the run directory (docs/run-directory.md). */
export const runPaths = (run: RunDirectory) => ({
  sftModel: join(run.stagePath('sft'), 'model'),
  pairs: join(run.stagePath('pairs'), 'pairs.jsonl'),
  labelled: join(run.stagePath('labels'), 'pairs.jsonl'),
  heldout: join(run.stagePath('labels'), 'heldout.jsonl'),
  labelStats: join(run.stagePath('labels'), 'stats.json'),
  rewardModel: (stage: string) => join(run.stagePath(stage), 'model'),
  policy: (stage: string) => join(run.stagePath(stage), 'policy'),
  checkpoint: (stage: string) => join(run.stagePath(stage), 'checkpoint'),
  curve: (stage: string) => join(run.stagePath(stage), 'curve.jsonl'),
  weights: (stage: string) => join(run.stagePath(stage), 'weights.jsonl'),
  weightDiagnostics: (stage: string) => join(run.stagePath(stage), 'diagnostics.json'),
  evalResults: join(run.stagePath('eval'), 'results.json'),
  summary: join(run.root, 'summary.json'),
  report: join(run.root, 'report.html'),
  /** Derived data several stages reuse, named by a hash of what it was computed from (safe to delete). */
  cache: (name: string) => join(run.root, 'cache', name),
});
