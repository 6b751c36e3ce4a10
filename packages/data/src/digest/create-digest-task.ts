import {
  type PromptExample,
  type SftExample,
  SPECIFICATION_VERSION,
  type SpecificationVersion,
  type Task,
} from '@ocrm/core';
import { Prng } from '../internal/prng';
import type { HfTokenizer } from '../tokenizers/hf-tokenizer';
import { type DigestTaskConfig, type DigestTaskOptions, resolveDigestTaskConfig } from './digest-config';
import { generateDemo } from './digest-demos';
import { DigestJudge } from './digest-judge';
import { createDigestTokenizer } from './digest-tokenizer';
import { createDigestWorld, type DigestWorld, digestPrompt, sampleDocument } from './digest-world';

/** The built-in `digest` task: a {@link Task} plus its resolved config and hidden world. */
export interface DigestTask extends Task {
  readonly name: 'digest';
  readonly config: DigestTaskConfig;
  readonly world: DigestWorld;
  readonly tokenizer: HfTokenizer;
  readonly judge: DigestJudge;
}

/** RNG streams of the seed, one per product, so changing one size never changes another product. */
const STREAM = { sftTrain: 11, sftEval: 12, trainPrompts: 13, evalPrompts: 14, references: 15 } as const;

/**
 * Creates the synthetic `digest` task (the default task): documents of words drawn from a few topics, responses that
 * should "digest" a document into its most salient words. Deterministic for a seed; no network, no files written.
 *
 * Prompts: `[BOS] w1 … wL [SEP]` (L in `[minDocWords, maxDocWords]`); responses: up to `maxResponseWords` words
 * (EOS appended by the consumer). See the package README for the gold formula and measured penalty rates.
 *
 * @example
 * const task = createDigestTask({ seed: 1, numSftTrain: 500 });
 * const [score] = await task.judge.score([task.evalPrompts[0].prompt], [task.evalPrompts[0].reference!]);
 */
export function createDigestTask(options: DigestTaskOptions = {}): DigestTask {
  const config = resolveDigestTaskConfig(options);
  const world = createDigestWorld(config);
  const tokenizer = createDigestTokenizer(world.words);
  const docs = (stream: number, n: number) => {
    const rng = new Prng(config.seed, stream);
    return Array.from({ length: n }, () => sampleDocument(world, config, rng));
  };
  const demos = (prefix: string, stream: number, n: number): SftExample[] => {
    const rng = new Prng(config.seed, stream + 100);
    return docs(stream, n).map((doc, i) => ({
      id: `${prefix}-${i}`,
      prompt: digestPrompt(world, doc),
      response: wordsText(world, generateDemo(world, config, doc, rng)),
    }));
  };
  const prompts = (prefix: string, stream: number, n: number, withReference: boolean): PromptExample[] => {
    const rng = new Prng(config.seed, STREAM.references);
    return docs(stream, n).map((doc, i) => ({
      id: `${prefix}-${i}`,
      prompt: digestPrompt(world, doc),
      ...(withReference ? { reference: wordsText(world, generateDemo(world, config, doc, rng)) } : {}),
    }));
  };
  const task: DigestTask = {
    specificationVersion: SPECIFICATION_VERSION as SpecificationVersion,
    name: 'digest',
    config,
    world,
    tokenizer,
    judge: new DigestJudge(world, config.judge),
    sftTrain: demos('digest-sft', STREAM.sftTrain, config.numSftTrain),
    sftEval: demos('digest-sft-eval', STREAM.sftEval, config.numSftEval),
    trainPrompts: prompts('digest-train', STREAM.trainPrompts, config.numTrainPrompts, false),
    evalPrompts: prompts('digest-eval', STREAM.evalPrompts, config.numEvalPrompts, true),
    maxPromptTokens: config.maxDocWords + 2,
    maxResponseTokens: config.maxResponseWords + 1,
  };
  return task;
}

function wordsText(world: DigestWorld, words: readonly number[]): string {
  return words.map((i) => world.words[i]).join(' ');
}
