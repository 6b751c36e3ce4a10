import type { TrainEvent } from '../contracts/events';

/**
 * Runs an event generator to completion and returns its result: the bridge between `trainXxxIter()` (yields
 * {@link TrainEvent}s, returns the result) and `trainXxx()` (a Promise). Each event goes to `onEvent`; if
 * `onEvent` throws, the generator is closed (`return()`, so its `finally` blocks run) and the error propagates.
 * @example
 * export const trainSft = (opts: SftOptions) => drive(trainSftIter(opts), opts.onEvent);
 */
export async function drive<R>(
  iter: AsyncGenerator<TrainEvent, R, undefined>,
  onEvent?: (event: TrainEvent) => void | Promise<void>,
): Promise<R> {
  for (;;) {
    const next = await iter.next();
    if (next.done) return next.value;
    if (!onEvent) continue;
    try {
      await onEvent(next.value);
    } catch (error) {
      await iter.return(undefined as R).catch(() => undefined);
      throw error;
    }
  }
}
