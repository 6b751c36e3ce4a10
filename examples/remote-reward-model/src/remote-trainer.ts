import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type RewardModelTrainer,
  type RewardModelTrainingRun,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from '@ocrm/core';
import { postJson } from './post-json';
import { type RemoteModelState, RemoteRewardModel } from './remote-reward-model';

/** Options of {@link remoteRewardModelTrainer}. */
export interface RemoteTrainerOptions {
  /** Base URL of the reward server (`server/reward-server.mjs` or anything speaking its protocol). */
  url: string;
  /** Vocabulary size of the task's tokenizer (the server's feature count). */
  vocabSize: number;
  /** Gradient-descent passes on the server (default 200) and its step size (default 5). */
  epochs?: number;
  learningRate?: number;
}

/**
 * A `RewardModelTrainer` that trains and scores in another process: `train` sends the (OCRM-weighted) pairs to
 * `POST /train`, stores what comes back with the centring offset in `<dir>/remote.json` (atomically), and measures
 * held-out accuracy through `POST /score`; `load` gives a {@link RemoteRewardModel}. No `loadCritic`: use it with a
 * critic-free optimizer (`policyOptimizer: rloo | grpo`). The server's training ignores the seed (it is
 * deterministic from zero).
 */
export function remoteRewardModelTrainer(options: RemoteTrainerOptions): RewardModelTrainer {
  const scores = async (
    state: RemoteModelState,
    responses: readonly ArrayLike<number>[],
    signal?: AbortSignal,
  ) =>
    (
      await postJson<{ scores: number[] }>(
        `${state.url}/score`,
        { weights: state.weights, responses: responses.map((r) => Array.from(r)) },
        signal,
      )
    ).scores.map((s) => s - state.offset);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `remote(${options.url})`,
    async train(run: RewardModelTrainingRun): Promise<Record<string, number>> {
      throwIfAborted(run.signal);
      const { weights } = await postJson<{ weights: number[] }>(
        `${options.url}/train`,
        {
          pairs: run.pairs.map((p) => ({
            chosenIds: p.chosenIds,
            rejectedIds: p.rejectedIds,
            logWeight: p.logWeight,
          })),
          vocabSize: options.vocabSize,
          epochs: options.epochs,
          learningRate: options.learningRate,
        },
        run.signal,
      );
      const raw: RemoteModelState = { url: options.url, weights, offset: 0 };
      const refs = await scores(raw, run.references.responses, run.signal);
      const state = { ...raw, offset: refs.reduce((a, b) => a + b, 0) / Math.max(1, refs.length) };
      const scored = run.evalPairs.filter((p) => !p.tie);
      const chosen = await scores(
        state,
        scored.map((p) => p.chosenIds),
        run.signal,
      );
      const rejected = await scores(
        state,
        scored.map((p) => p.rejectedIds),
        run.signal,
      );
      const right = chosen.filter((c, i) => c > rejected[i]!).length;
      await mkdir(run.dir, { recursive: true });
      await writeFile(join(run.dir, 'remote.json.tmp'), `${JSON.stringify(state)}\n`);
      await rename(join(run.dir, 'remote.json.tmp'), join(run.dir, 'remote.json'));
      return {
        'rm/heldout_accuracy': scored.length ? right / scored.length : Number.NaN,
        'rm/offset': state.offset,
      };
    },
    async load(dir: string): Promise<RemoteRewardModel> {
      return new RemoteRewardModel(
        JSON.parse(await readFile(join(dir, 'remote.json'), 'utf8')) as RemoteModelState,
      );
    },
  };
}
