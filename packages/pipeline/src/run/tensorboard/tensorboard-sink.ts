import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineEvent } from '../events';
import { TfEventsFile } from './tf-events-file';

/**
 * TensorBoard output of a run (opt-in: config `tensorboard: true`, `ocrm run --tensorboard`): the scalars of every
 * `step-end` and `eval-end` event (`loss/train`, `lr`, `grad/norm`, `loss/eval`, PPO's `objective/kl`, …), one
 * TensorBoard run per stage, in `<runDir>/tensorboard/<stage>/events.out.tfevents.*` beside `metrics.jsonl`.
 * `tensorboard --logdir <runDir>/tensorboard` shows them. A stage that resumes marks the step it resumes from, so
 * TensorBoard drops the points the stage writes again. Calls must be serialised by the caller (the pipeline's event
 * queue does).
 */
export class TensorBoardSink {
  private readonly files = new Map<string, TfEventsFile>();
  constructor(readonly root: string) {}

  /** Writes the event's scalars when it has any (step and eval events); ignores the rest. */
  async write(event: PipelineEvent): Promise<void> {
    if (event.type !== 'step-end' && event.type !== 'eval-end') return;
    const scalars = Object.fromEntries(
      Object.entries(event.metrics).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
    );
    if (Object.keys(scalars).length === 0) return;
    await this.file(event.stage).scalars(event.step, event.time, scalars);
  }

  /** A stage (re)starts after `step` (0: from scratch): points it wrote past that step are dropped by TensorBoard. */
  async restart(stage: string, step: number, timeMs = Date.now()): Promise<void> {
    if (!existsSync(join(this.root, stage))) return; // nothing written before: nothing to drop
    await this.file(stage).restart(step + 1, timeMs);
  }

  private file(stage: string): TfEventsFile {
    let file = this.files.get(stage);
    if (!file) {
      file = TfEventsFile.in(join(this.root, stage));
      this.files.set(stage, file);
    }
    return file;
  }
}
