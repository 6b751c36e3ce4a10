import { resolveDigestTaskConfig } from '../digest/digest-config';
import { DEFAULT_TLDR_MINI_TASK_OPTIONS } from './create-tldr-mini-task';
import { DEFAULT_TLDR_JUDGE_CONFIG } from './tldr-judge';

/**
 * The options of a built-in task with every default filled in, as plain JSON (what a run's `config.json` records):
 * `digest` → its full `DigestTaskConfig` (checked: ConfigError naming the field); `tldr-mini` → `seed`, `numEval`,
 * `maxPromptTokens`, `maxResponseTokens` and the full `judge` (`numTrain` stays absent unless set: all the rest).
 * Other tasks' options are returned as written (checked when the task is built). Creating the task from the result
 * gives the same task as from `options`.
 */
export function resolveTaskOptions(name: string, options: Record<string, unknown>): Record<string, unknown> {
  if (name === 'digest')
    return JSON.parse(JSON.stringify(resolveDigestTaskConfig(options))) as Record<string, unknown>;
  if (name === 'tldr-mini') {
    const judge = (options.judge ?? {}) as Record<string, unknown>;
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    return {
      ...DEFAULT_TLDR_MINI_TASK_OPTIONS,
      ...given,
      judge: { ...DEFAULT_TLDR_JUDGE_CONFIG, ...judge },
    };
  }
  return options;
}
