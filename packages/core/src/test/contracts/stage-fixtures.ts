import { buildTokenBatch } from '../../batch/build-token-batch';
import type { Policy } from '../../contracts/policy';
import type { PreferencePair } from '../../contracts/records';
import type { RewardModel } from '../../contracts/reward-model';
import type { Task } from '../../contracts/task';
import { computeLogProbs } from '../../tensor/compute-log-probs';
import { CharTokenizer } from '../char-tokenizer';
import { makePair } from '../make-pair';
import { MockGoldJudge } from '../mocks/mock-gold-judge';
import { createTinyPolicy } from '../tiny/tiny-policy';
import { createTinyRewardModel } from '../tiny/tiny-scalar-model';

/** The character tokenizer every stage suite uses (pad 0, EOS 1). */
export const stageTokenizer = new CharTokenizer();

/**
 * A loader of frozen tiny policies (`seed` picks the weights) that counts what it loaded and what was disposed, so a
 * suite can check that a stage disposes every model it loads.
 */
export class CountingLoader {
  loaded = 0;
  disposed = 0;

  /** Loads a fresh frozen tiny policy over {@link stageTokenizer}'s vocabulary. */
  policy(seed: number): () => Promise<Policy> {
    return async () => {
      const trainable = createTinyPolicy({
        seed,
        vocabSize: stageTokenizer.vocabSize,
        hidden: 16,
        maxLength: 40,
        eosId: 1,
        padId: 0,
      });
      const frozen = trainable.freeze();
      trainable.dispose();
      return this.track(frozen);
    };
  }

  /** Loads a fresh tiny reward model (`seed` picks the weights). */
  rewardModel(seed: number): () => Promise<RewardModel> {
    return async () => {
      const trainable = createTinyRewardModel({
        seed,
        vocabSize: stageTokenizer.vocabSize,
        hidden: 16,
        maxLength: 40,
      });
      const frozen = trainable.freeze();
      trainable.dispose();
      return this.track(frozen);
    };
  }

  private track<T extends { dispose(): void }>(model: T): T {
    this.loaded++;
    const dispose = model.dispose.bind(model);
    let done = false;
    model.dispose = () => {
      if (!done) this.disposed++;
      done = true;
      dispose();
    };
    return model;
  }
}

/**
 * Eight gold-labelled character pairs over four prompts; with `sampler`, each records the summed log-probs of its
 * responses under it at temperature 1 (`samplerTemperature: 1`), as pairs from a sampler do.
 */
export async function stagePairs(sampler?: Policy): Promise<PreferencePair[]> {
  const words = ['good cat', 'dog', 'good sun', 'sea', 'map good', 'pen', 'good', 'hat'];
  const pairs = words.map((_, i) => {
    const chosen = words[i]!;
    const rejected = words[(i + 3) % words.length]!;
    const prompt = `q${i % 4}:`;
    const ids = (text: string) => [...stageTokenizer.encode(` ${text}`), stageTokenizer.eosId];
    return {
      ...makePair(`p${i}`, stageTokenizer.encode(prompt), ids(chosen), ids(rejected), {
        goldChosen: (chosen.match(/good/g) ?? []).length,
        goldRejected: (rejected.match(/good/g) ?? []).length,
      }),
      prompt,
      chosen: ` ${chosen}`,
      rejected: ` ${rejected}`,
    };
  });
  if (!sampler) return pairs;
  const batch = buildTokenBatch({
    prompts: pairs.flatMap((p) => [p.promptIds, p.promptIds]),
    responses: pairs.flatMap((p) => [p.chosenIds, p.rejectedIds]),
    padId: stageTokenizer.padId,
  });
  const { sums } = await computeLogProbs(sampler, batch, { temperature: 1, microBatchSize: 4 });
  return pairs.map((p, i) => ({
    ...p,
    samplerTemperature: 1,
    logpSamplerChosen: sums[2 * i]!,
    logpSamplerRejected: sums[2 * i + 1]!,
  }));
}

/** A small task over {@link stageTokenizer}: held-out prompts with references, a mock gold judge counting "good". */
export function stageTask(): Task {
  const tokenizer = stageTokenizer;
  const judge = new MockGoldJudge();
  const prompts = Array.from({ length: 4 }, (_, i) => ({
    id: `e${i}`,
    prompt: `q${i}:`,
    reference: i % 2 ? ' good' : ' dog',
  }));
  return {
    specificationVersion: 'v1',
    name: 'stage-contract',
    tokenizer,
    judge,
    sftTrain: [],
    sftEval: [],
    trainPrompts: prompts,
    evalPrompts: prompts,
    maxPromptTokens: 8,
    maxResponseTokens: 6,
  };
}
