import {
  ConfigError,
  type PromptExample,
  type SftExample,
  SPECIFICATION_VERSION,
  type SpecificationVersion,
  type Task,
} from '@ocrm/core';
import { type ReferenceExample, tldrExamples } from '../adapters/tldr';
import { assetPath } from '../assets';
import { Prng } from '../internal/prng';
import { readJsonlRecords } from '../readers/read-jsonl';
import type { HfTokenizer } from '../tokenizers/hf-tokenizer';
import { loadTokenizer } from '../tokenizers/load-tokenizer';
import { DEFAULT_TLDR_JUDGE_CONFIG, TldrJudge, type TldrJudgeConfig } from './tldr-judge';

/** Options of {@link createTldrMiniTask}. */
export interface TldrMiniTaskOptions {
  /** Seed of the train/eval split. Default 0. */
  seed?: number;
  /** Posts held out for evaluation (and SFT eval). Default 200 of 1,945. */
  numEval?: number;
  /** Use only this many training posts (default: all the rest, 1,745). */
  numTrain?: number;
  /** Query token budget (posts cut at the last newline to fit). Default 512 (the reference's). */
  maxPromptTokens?: number;
  /** Response length incl. EOS. Default 53 (the reference's). */
  maxResponseTokens?: number;
  /** Tokenizer (default: the shipped GPT-NeoX-20B / Pythia tokenizer). */
  tokenizer?: HfTokenizer;
  judge?: Partial<TldrJudgeConfig>;
}

/** Defaults of {@link TldrMiniTaskOptions} (`numTrain`: all the posts not held out). */
export const DEFAULT_TLDR_MINI_TASK_OPTIONS = Object.freeze({
  seed: 0,
  numEval: 200,
  maxPromptTokens: 512,
  maxResponseTokens: 53,
});

/** The `tldr-mini` task. */
export interface TldrMiniTask extends Task {
  readonly name: 'tldr-mini';
  readonly tokenizer: HfTokenizer;
  readonly judge: TldrJudge;
}

/**
 * The `tldr-mini` task: 1,945 Reddit posts with human TL;DRs shipped in `assets/tldr-mini` (see its SOURCE.txt),
 * the GPT-NeoX-20B (Pythia) tokenizer shipped gzipped in `assets/tokenizers`, and {@link TldrJudge}, a programmatic
 * gold judge that does not read the reference. Train prompts and SFT demonstrations use the same training posts;
 * evaluation prompts carry the human TL;DR as reference. No network.
 */
export async function createTldrMiniTask(options: TldrMiniTaskOptions = {}): Promise<TldrMiniTask> {
  const d = DEFAULT_TLDR_MINI_TASK_OPTIONS;
  const {
    seed = d.seed,
    numEval = d.numEval,
    maxPromptTokens = d.maxPromptTokens,
    maxResponseTokens = d.maxResponseTokens,
  } = options;
  const file = assetPath('tldr-mini/tldr-mini.jsonl.gz');
  const records = await readJsonlRecords(file, { required: ['subreddit', 'title', 'post', 'summary'] });
  if (!Number.isInteger(numEval) || numEval < 1 || numEval >= records.length) {
    throw new ConfigError('numEval', `expected an integer in [1, ${records.length - 1}], got ${numEval}`);
  }
  const tokenizer =
    options.tokenizer ?? (await loadTokenizer(assetPath('tokenizers/gpt-neox-20b/tokenizer.json.gz')));
  const order = new Prng(seed, 21).shuffle(records.map((_, i) => i));
  const evalIdx = order.slice(0, numEval);
  const trainIdx = order.slice(
    numEval,
    options.numTrain === undefined ? undefined : numEval + options.numTrain,
  );
  const examples = (idx: number[]) =>
    tldrExamples(
      idx.map((i) => records[i] as Record<string, unknown>),
      { tokenizer, maxQueryTokens: maxPromptTokens, file },
    );
  const train = examples(trainIdx);
  const evaluation = examples(evalIdx);
  const judge = new TldrJudge(
    records.map((r) => `${r.title}\n${r.post}`),
    { ...DEFAULT_TLDR_JUDGE_CONFIG, ...options.judge },
  );
  const sft = (xs: ReferenceExample[]): SftExample[] =>
    xs.map(({ id, prompt, response }) => ({ id, prompt, response }));
  const prompts = (xs: ReferenceExample[], ref: boolean): PromptExample[] =>
    xs.map(({ id, prompt, reference }) => (ref ? { id, prompt, reference } : { id, prompt }));
  return {
    specificationVersion: SPECIFICATION_VERSION as SpecificationVersion,
    name: 'tldr-mini',
    tokenizer,
    judge,
    sftTrain: sft(train),
    sftEval: sft(evaluation),
    trainPrompts: prompts(train, false),
    evalPrompts: prompts(evaluation, true),
    maxPromptTokens,
    maxResponseTokens,
  };
}
