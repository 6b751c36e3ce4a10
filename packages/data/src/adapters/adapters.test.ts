import { fileURLToPath } from 'node:url';
import { DataError } from '@ocrm/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../readers/read-csv';
import { readJsonArray } from '../readers/read-json-array';
import { readJsonlRecords } from '../readers/read-jsonl';
import type { HfTokenizer } from '../tokenizers/hf-tokenizer';
import { loadTokenizer } from '../tokenizers/load-tokenizer';
import { alpacaFarmExamples } from './alpaca-farm';
import { genericExamples } from './generic';
import { hhPairs } from './hh';
import { fitTldrQuery, tldrExamples } from './tldr';

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
let gpt2: HfTokenizer;
beforeAll(async () => {
  gpt2 = await loadTokenizer(`${fixtures}tokenizers/gpt2`);
});

describe('tldrExamples (real TL;DR slice)', () => {
  it('rebuilds the judged CSV queries exactly and keeps the reference verbatim', async () => {
    const file = `${fixtures}tldr-judged/oai1b-slice.csv`;
    const rows = await readCsv(file, { required: ['query', 'reference_responses'] });
    expect(rows).toHaveLength(30);
    const examples = tldrExamples(rows, { file });
    examples.forEach((ex, i) => {
      expect(ex.prompt).toBe(rows[i]?.query);
      expect(ex.response).toBe(rows[i]?.reference_responses);
    });
  });

  it('OpenAI fields: template, " {summary}" response, nested info', () => {
    const [ex] = tldrExamples([
      { info: { id: 't3', subreddit: 'cats', title: 'T', post: 'P' }, summary: 'S' },
    ]);
    expect(ex).toEqual({
      id: 't3',
      prompt: 'SUBREDDIT: r/cats\n\nTITLE: T\n\nPOST: P\n\nTL;DR:',
      response: ' S',
      reference: ' S',
    });
    const [hub] = tldrExamples([{ query: ex!.prompt, reference_response: ' S<|endoftext|>' }]);
    expect(hub?.response).toBe(' S');
  });

  it('cuts the post at the last newline until the query fits the token budget', () => {
    const info = { subreddit: 'a', title: 'b', post: 'one two three\nfour five six\nseven eight nine' };
    const full = gpt2.encode(fitTldrQuery(info, gpt2, 1000)).length;
    const cut = fitTldrQuery(info, gpt2, full - 1);
    expect(cut).toBe('SUBREDDIT: r/a\n\nTITLE: b\n\nPOST: one two three\nfour five six\n\nTL;DR:');
    const short = { ...info, post: 'one two three four' };
    const shortFull = gpt2.encode(fitTldrQuery(short, gpt2, 1000)).length;
    const noNewline = fitTldrQuery(short, gpt2, shortFull - 2);
    expect(noNewline).toBe('SUBREDDIT: r/a\n\nTITLE: b\n\nPOST: one two\n\nTL;DR:');
    expect(noNewline).toMatch(/^SUBREDDIT: r\/a\n\nTITLE: b\n\nPOST: one two/);
    expect(() => fitTldrQuery(info, gpt2, 3)).toThrow(DataError);
  });

  it('names the record and field of a malformed row', () => {
    expect(() => tldrExamples([{ subreddit: 'a', title: 'b', summary: 's' }], { file: 'x.jsonl' })).toThrow(
      /x\.jsonl, line 1, field `post`/,
    );
  });
});

describe('alpacaFarmExamples (real AlpacaFarm slice)', () => {
  it('formats with and without input', async () => {
    const file = `${fixtures}alpacafarm-eval/eval-slice.json`;
    const rows = await readJsonArray(file, { required: ['instruction', 'output'] });
    const examples = alpacaFarmExamples(rows, { file });
    expect(examples).toHaveLength(30);
    expect(examples[0]?.prompt).toBe(
      'INSTRUCTION: What are the names of some famous actors that started their careers on Broadway? \n\nREPLY:',
    );
    const withInput = rows.findIndex((r) => r.input !== '');
    expect(withInput).toBe(10);
    expect(examples[10]?.prompt).toBe(
      `INSTRUCTION: ${rows[10]?.instruction} \n\nINPUT: ${rows[10]?.input}\n\nREPLY:`,
    );
    expect(examples[0]?.response).toBe(` ${rows[0]?.output}`);
    expect(() => alpacaFarmExamples([{ input: '' }], { file: 'f' })).toThrow(/line 1, field `instruction`/);
  });
});

describe('hhPairs (real Anthropic HH slice)', () => {
  it('splits the shared prompt and the last assistant turns', async () => {
    const file = `${fixtures}hh-rlhf-harmless/harmless-base-test-slice.jsonl`;
    const rows = await readJsonlRecords(file, { required: ['chosen', 'rejected'] });
    const pairs = hhPairs(rows, { tokenizer: gpt2, file });
    expect(pairs).toHaveLength(30);
    pairs.forEach((pair, i) => {
      expect(pair.prompt.endsWith('\n\nAssistant:')).toBe(true);
      expect(pair.prompt + pair.chosen).toBe(rows[i]?.chosen);
      expect(pair.prompt + pair.rejected).toBe(rows[i]?.rejected);
      expect(pair.chosen).not.toContain('\n\nAssistant:');
      expect(pair.chosenIds.at(-1)).toBe(gpt2.eosId);
      expect(gpt2.decode(pair.chosenIds)).toBe(pair.chosen);
    });
    expect(pairs[0]?.prompt.startsWith('\n\nHuman: what are some pranks with a pen')).toBe(true);
    expect(() => hhPairs([{ chosen: 'no turns', rejected: 'x' }], { tokenizer: gpt2 })).toThrow(
      /field `chosen`/,
    );
  });
});

describe('genericExamples', () => {
  it('maps user-named fields and templates', () => {
    const rows = [{ q: 'Why?', a: 'Because.', key: 7 }];
    expect(
      genericExamples(rows, { prompt: 'Q: {q}\nA:', response: 'a', id: 'key', responsePrefix: ' ' }),
    ).toEqual([{ id: '7', prompt: 'Q: Why?\nA:', response: ' Because.', reference: ' Because.' }]);
    expect(() => genericExamples(rows, { prompt: 'question' }, { file: 'g.csv' })).toThrow(
      /g\.csv, line 1, field `question`/,
    );
  });
});
