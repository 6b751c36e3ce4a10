import { OutOfMemoryError } from '@ocrm/core';

/**
 * The error a stage failed with, made actionable when it is the tfjs-wasm heap running out: the wasm backend has one
 * 32-bit memory (4 GiB at most), and an allocation past it surfaces as a bare `RuntimeError: memory access out of
 * bounds` (or `Aborted()`) from inside a kernel. That becomes an {@link OutOfMemoryError} naming the stage and what to
 * lower; any other error is returned unchanged.
 */
export function backendFailure(error: unknown, stage: string): unknown {
  const wasm = error instanceof Error && error.name === 'RuntimeError'; // WebAssembly.RuntimeError
  const message = error instanceof Error ? error.message : '';
  if (!wasm && !/^Aborted\(/.test(message)) return error;
  if (wasm && !/memory access out of bounds|Aborted|unreachable/.test(message)) return error;
  return new OutOfMemoryError(
    `stage ${stage} ran out of the wasm backend's memory (one 4 GiB heap): ${message || 'aborted'}.`,
    {
      cause: error,
      hint:
        `lower the stage's micro-batch (sft.microBatchSize, rewardModel.microBatchSize, ppo.microBatchSize, ` +
        `dpo.microBatchSize), the task's prompt or response length, or the model's size (a large vocabulary costs ` +
        `4·V bytes per token of logits); or use the native backend (--backend node or node-gpu).`,
    },
  );
}
