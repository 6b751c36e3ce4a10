import { type GoldJudge, SPECIFICATION_VERSION, type Task } from '@ocrm/core';

/** Options of {@link brevityJudge}. */
export interface BrevityJudgeOptions {
  /** Words allowed before the penalty starts (default 4). */
  maxWords?: number;
  /** Penalty per extra word (default 0.1). */
  perWord?: number;
}

/**
 * A custom gold judge: another judge's score minus `perWord` for every word beyond `maxWords` — raters who prefer
 * short answers. Text in, so it works with any task; implements the `GoldJudge` contract of `@ocrm/core`.
 */
export function brevityJudge(base: GoldJudge, options: BrevityJudgeOptions = {}): GoldJudge {
  const maxWords = options.maxWords ?? 4;
  const perWord = options.perWord ?? 0.1;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `brevity(${base.name})`,
    async score(prompts, responses, ended) {
      const scores = await base.score(prompts, responses, ended);
      return scores.map((s, i) => {
        const words = responses[i]!.split(/\s+/).filter(Boolean).length;
        return s - perWord * Math.max(0, words - maxWords);
      });
    },
  };
}

/** The factory the pipeline calls for `task.judgeModule: <this file>`: it receives the task. */
export default function judge(task: Task): GoldJudge {
  return brevityJudge(task.judge);
}
