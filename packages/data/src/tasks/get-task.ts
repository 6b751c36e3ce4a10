import { NotFoundError, type Task } from '@ocrm/core';
import { createDigestTask } from '../digest/create-digest-task';
import type { DigestTaskOptions } from '../digest/digest-config';
import { createTldrMiniTask, type TldrMiniTaskOptions } from './create-tldr-mini-task';

/** Names of the built-in tasks. */
export const TASK_NAMES = ['digest', 'tldr-mini'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/**
 * A built-in task by name: `'digest'` (default task; options {@link DigestTaskOptions}) or `'tldr-mini'`
 * ({@link TldrMiniTaskOptions}).
 * @throws NotFoundError for an unknown name (the message lists the known ones).
 */
export async function getTask(name: 'digest', options?: DigestTaskOptions): Promise<Task>;
export async function getTask(name: 'tldr-mini', options?: TldrMiniTaskOptions): Promise<Task>;
export async function getTask(name: string, options?: object): Promise<Task>;
export async function getTask(name: string, options: object = {}): Promise<Task> {
  if (name === 'digest') return createDigestTask(options as DigestTaskOptions);
  if (name === 'tldr-mini') return createTldrMiniTask(options as TldrMiniTaskOptions);
  throw new NotFoundError(`Unknown task ${JSON.stringify(name)}`, {
    hint: `Built-in tasks: ${TASK_NAMES.join(', ')}`,
  });
}
