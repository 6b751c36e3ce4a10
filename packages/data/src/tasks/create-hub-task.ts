import { ConfigError, DataError, type GoldJudge, SPECIFICATION_VERSION, type Task } from '@ocrm/core';
import { alpacaFarmExamples } from '../adapters/alpaca-farm';
import { type GenericFields, genericExamples } from '../adapters/generic';
import { type ReferenceExample, tldrExamples } from '../adapters/tldr';
import { downloadDatasetFile, downloadModel } from '../hub/download-model';
import type { HubOptions } from '../hub/hub-options';
import { Prng } from '../internal/prng';
import { iterateCsv } from '../readers/read-csv';
import { readJsonArrayWithLines } from '../readers/read-json-array';
import { iterateJsonlRecords } from '../readers/read-jsonl';
import { readParquet } from '../readers/read-parquet';
import { loadTokenizer } from '../tokenizers/load-tokenizer';

/** Options of {@link createHubTask}. */
export interface HubTaskOptions {
  /** Model repo whose tokenizer the task uses (e.g. `EleutherAI/pythia-160m`). */
  model: string;
  /** Dataset repo, file (Parquet, JSONL, JSON array or CSV) and record format. */
  dataset: {
    repo: string;
    path: string;
    revision?: string;
    format: 'tldr' | 'alpaca-farm' | 'generic';
    /** For `generic`. */
    fields?: GenericFields;
  };
  /** The gold judge (e.g. a `NeuralGoldJudge` from `@ocrm/reward-model`). */
  judge: GoldJudge;
  /** Held-out evaluation prompts. Default 200. */
  numEval?: number;
  seed?: number;
  maxPromptTokens?: number;
  maxResponseTokens?: number;
  /** Hub options (cache, offline, token, hubUrl). */
  hub?: HubOptions;
}

/**
 * A task assembled from Hub names (for GPU users): the model's tokenizer, one dataset file read through an adapter,
 * a caller-supplied judge; a seeded train/eval split. Minimal: one file, one split.
 */
export async function createHubTask(options: HubTaskOptions): Promise<Task> {
  const { seed = 0, numEval = 200, maxPromptTokens = 512, maxResponseTokens = 53 } = options;
  const model = await downloadModel(options.model, options.hub);
  if (!model.files['tokenizer.json']) {
    throw new ConfigError('model', `model ${options.model} has no tokenizer.json`);
  }
  const tokenizer = await loadTokenizer(model.dir);
  const { dataset } = options;
  const file = await downloadDatasetFile(dataset.repo, dataset.path, {
    ...options.hub,
    revision: dataset.revision ?? options.hub?.revision,
  });
  const { records, lines } = await readRecords(file);
  if (records.length === 0) throw new DataError('the dataset has no records', { file });
  let examples: ReferenceExample[];
  if (dataset.format === 'tldr')
    examples = tldrExamples(records, { tokenizer, maxQueryTokens: maxPromptTokens, file, lines });
  else if (dataset.format === 'alpaca-farm') examples = alpacaFarmExamples(records, { file, lines });
  else if (dataset.fields) examples = genericExamples(records, dataset.fields, { file, lines });
  else throw new ConfigError('dataset.fields', 'the generic format needs `fields`');
  if (numEval < 1 || numEval >= examples.length) {
    throw new ConfigError(
      'numEval',
      `expected 1..${examples.length - 1} (${file} gives ${examples.length} examples), got ${numEval}`,
    );
  }
  const order = new Prng(seed, 31).shuffle(examples.map((_, i) => i));
  const evaluation = order.slice(0, numEval).map((i) => examples[i] as ReferenceExample);
  const train = order.slice(numEval).map((i) => examples[i] as ReferenceExample);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: `hub:${options.model}:${dataset.repo}`,
    tokenizer,
    judge: options.judge,
    sftTrain: train.map(({ id, prompt, response }) => ({ id, prompt, response })),
    sftEval: evaluation.map(({ id, prompt, response }) => ({ id, prompt, response })),
    trainPrompts: train.map(({ id, prompt }) => ({ id, prompt })),
    evalPrompts: evaluation.map(({ id, prompt, reference }) => ({ id, prompt, reference })),
    maxPromptTokens,
    maxResponseTokens,
  };
}

/** The records of a dataset file with the file line of each (parquet: its row number). */
async function readRecords(file: string): Promise<{ records: Record<string, unknown>[]; lines: number[] }> {
  const name = file.replace(/\.gz$/, '');
  const collect = async (rows: AsyncIterable<{ record: Record<string, unknown>; line: number }>) => {
    const records: Record<string, unknown>[] = [];
    const lines: number[] = [];
    for await (const { record, line } of rows) {
      records.push(record);
      lines.push(line);
    }
    return { records, lines };
  };
  if (name.endsWith('.parquet')) {
    const records = await readParquet(file);
    return { records, lines: records.map((_, i) => i + 1) };
  }
  if (name.endsWith('.jsonl')) return collect(iterateJsonlRecords(file));
  if (name.endsWith('.json')) return readJsonArrayWithLines(file);
  if (name.endsWith('.csv')) return collect(iterateCsv(file));
  throw new ConfigError(
    'dataset.path',
    `unknown file type: ${file} (expected .parquet, .jsonl, .json or .csv)`,
  );
}
