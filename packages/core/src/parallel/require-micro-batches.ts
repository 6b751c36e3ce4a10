import { InvalidArgumentError } from '../errors';

/**
 * Throws unless `rows` (a step's or a minibatch's) split into ≥ 2 micro-batches of `microBatchSize`: data-parallel
 * workers have nothing to compute otherwise. Trainers call it before starting their workers.
 * @param trainer - the function named in the message (`trainSft`).
 * @param field - the config field to change (`sft.microBatchSize`).
 * @throws InvalidArgumentError naming the field and a value that works.
 */
export function requireMicroBatches(
  trainer: string,
  field: string,
  rows: number,
  microBatchSize: number,
): void {
  if (rows / microBatchSize >= 2) return;
  throw new InvalidArgumentError(
    `${trainer}: data parallelism needs ≥ 2 micro-batches of ${field} in each batch of ${rows} rows, but ${field} is ${microBatchSize}.`,
    { hint: `Set ${field} to a divisor of ${rows} below it (e.g. ${rows / 2}).` },
  );
}
