import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, type Tokenizer } from '@ocrm/core';
import { CharTokenizer } from '@ocrm/core/test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readJsonlRecords } from '../readers/read-jsonl';
import { FakeHub } from '../test-support/fake-hub';
import { loadTokenizer } from '../tokenizers/load-tokenizer';
import { loadPreferenceDataset } from './load-preference-dataset';
import { preferenceRecordsToPairs } from './preference-records';
import { readPreferenceDataset } from './read-preference-dataset';

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const tldrPairs = `${fixtures}tldr-judged/pairs.derived-slice.jsonl`;
const hh = `${fixtures}hh-rlhf-harmless/harmless-base-test-slice.jsonl`;

describe('preferenceRecordsToPairs', () => {
  const tokenizer = new CharTokenizer();
  const options = { format: 'trl' as const, tokenizer, maxPromptTokens: 4, maxResponseTokens: 4 };

  it('an empty response is the EOS alone, as a sampled one would be', () => {
    const { pairs } = preferenceRecordsToPairs([{ prompt: 'q:', chosen: '', rejected: ' b' }], options);
    expect(pairs[0]!.chosenIds).toEqual([tokenizer.eosId]);
  });

  it('keeps the dataset’s preference; truncates prompts on the left and responses on the right (hand-counted)', () => {
    const { pairs, stats } = preferenceRecordsToPairs(
      [
        { id: 'a', prompt: 'q1:', chosen: ' ab', rejected: ' abcdef' },
        { prompt: 'long q:', chosen: ' x', rejected: ' y' },
      ],
      options,
    );
    expect(pairs.map((p) => p.id)).toEqual(['a', 'pref-1']);
    const [a, b] = pairs as [(typeof pairs)[0], (typeof pairs)[0]];
    // ' ab' + EOS fits 4 tokens; ' abcdef' + EOS (8) keeps its first 4, without EOS.
    expect(a.chosenIds).toEqual([...tokenizer.encode(' ab'), tokenizer.eosId]);
    expect(a.rejectedIds).toEqual(tokenizer.encode(' abc'));
    // 'long q:' (7 tokens) keeps its last 4: ' q:' preceded by 'g'.
    expect(b.promptIds).toEqual(tokenizer.encode('g q:'));
    expect(stats).toEqual({ records: 2, promptsTruncated: 1, responsesTruncated: 1 });
    for (const p of pairs) expect([p.goldChosen, p.goldRejected]).toEqual([1, 0]);
  });

  it('keeps a behaviour density the records carry; all three fields or none, and never on a truncated pair', () => {
    const behaviour = { logpSamplerChosen: -3.5, logpSamplerRejected: -4.25, samplerTemperature: 0.7 };
    const { pairs } = preferenceRecordsToPairs(
      [
        { prompt: 'q:', chosen: ' a', rejected: ' b', ...behaviour },
        { prompt: 'q:', chosen: ' c', rejected: ' d', ...behaviour, logpSamplerChosen: -1 },
      ],
      options,
    );
    expect(pairs[0]).toMatchObject(behaviour);
    expect(pairs[1]).toMatchObject({ ...behaviour, logpSamplerChosen: -1 });
    const fails = (records: Record<string, unknown>[], message: RegExp) =>
      expect(() => preferenceRecordsToPairs(records, { ...options, file: 'p.jsonl' })).toThrow(message);
    const base = { prompt: 'q:', chosen: ' a', rejected: ' b' };
    fails(
      [{ ...base, logpSamplerChosen: -1, samplerTemperature: 1 }],
      /logpSamplerRejected.*finite number|finite number.*logpSamplerRejected/s,
    );
    fails(
      [{ ...base, ...behaviour, samplerTemperature: 0 }],
      /samplerTemperature.*> 0|> 0.*samplerTemperature/s,
    );
    fails([{ ...base, ...behaviour }, base], /all or none/);
    fails([{ ...base, chosen: ' abcdefgh', ...behaviour }], /truncated/);
  });

  it('names file, line and field of a bad record', () => {
    const bad = (record: Record<string, unknown>) => () =>
      preferenceRecordsToPairs([{ prompt: 'q', chosen: ' a', rejected: ' b' }, record], {
        ...options,
        file: 'prefs.jsonl',
        lines: [3, 7],
      });
    const expectData = (fn: () => unknown, field: string, message: RegExp) => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(DataError);
        expect((error as DataError).message).toMatch(message);
        expect((error as DataError).message).toContain('prefs.jsonl');
        expect((error as DataError).message).toContain('7');
        expect((error as DataError).message).toContain(field);
      }
    };
    expectData(bad({ prompt: 'q', chosen: ' a' }), 'rejected', /missing or not a string/);
    expectData(
      bad({ prompt: [{ role: 'user', content: 'q' }], chosen: ' a', rejected: ' b' }),
      'prompt',
      /chat template/,
    );
    expectData(bad({ id: 'pref-0', prompt: 'q', chosen: ' a', rejected: ' b' }), 'id', /duplicate id/);
  });
});

describe('readPreferenceDataset', () => {
  let gpt2: Tokenizer;
  let dir: string;
  beforeAll(async () => {
    gpt2 = await loadTokenizer(`${fixtures}tokenizers/gpt2`);
    dir = await mkdtemp(join(tmpdir(), 'prefs-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads real TL;DR comparisons (TRL layout) into pairs of the tokenizer’s ids', async () => {
    const records = await readJsonlRecords<{ prompt: string; chosen: string; rejected: string }>(tldrPairs);
    const { pairs, stats } = await readPreferenceDataset(tldrPairs, {
      format: 'trl',
      tokenizer: gpt2,
      maxPromptTokens: 512,
      maxResponseTokens: 53,
    });
    expect(pairs).toHaveLength(records.length);
    records.forEach((record, i) => {
      const pair = pairs[i]!;
      expect(pair.prompt).toBe(record.prompt);
      const chosen = [...gpt2.encode(record.chosen), gpt2.eosId];
      expect(pair.chosenIds).toEqual(chosen.slice(0, 53));
    });
    const cut =
      records.filter((r) => gpt2.encode(r.chosen).length + 1 > 53).length +
      records.filter((r) => gpt2.encode(r.rejected).length + 1 > 53).length;
    expect(stats.responsesTruncated).toBe(cut);
    const limited = await readPreferenceDataset(tldrPairs, {
      format: 'trl',
      tokenizer: gpt2,
      maxPromptTokens: 512,
      maxResponseTokens: 53,
      limit: 5,
    });
    expect(limited.pairs.map((p) => p.id)).toEqual(pairs.slice(0, 5).map((p) => p.id));
  });

  it('reads Anthropic HH transcripts (implicit prompt)', async () => {
    const { pairs } = await readPreferenceDataset(hh, {
      format: 'hh',
      tokenizer: gpt2,
      maxPromptTokens: 4096,
      maxResponseTokens: 4096,
    });
    expect(pairs).toHaveLength(30);
    for (const p of pairs) {
      expect(p.prompt.endsWith('\n\nAssistant:')).toBe(true);
      expect(p.chosenIds.at(-1)).toBe(gpt2.eosId);
    }
  });

  it('names the file of an empty dataset and the line of a bad record', async () => {
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '\n\n');
    const options = { format: 'trl' as const, tokenizer: gpt2, maxPromptTokens: 8, maxResponseTokens: 8 };
    await expect(readPreferenceDataset(empty, options)).rejects.toThrow(
      /empty\.jsonl.*no records|no records.*empty\.jsonl/s,
    );
    const bad = join(dir, 'bad.jsonl');
    await writeFile(
      bad,
      `${JSON.stringify({ prompt: 'a', chosen: ' b', rejected: ' c' })}\n\n${JSON.stringify({ prompt: 'a', chosen: ' b' })}\n`,
    );
    await expect(readPreferenceDataset(bad, options)).rejects.toThrow(/bad\.jsonl.*3.*rejected/s);
  });
});

describe('loadPreferenceDataset', () => {
  let root: string;
  let hub: FakeHub;
  beforeAll(async () => {
    vi.spyOn(console, 'debug').mockImplementation(() => {}); // @huggingface/hub logs every download
    root = await mkdtemp(join(tmpdir(), 'prefs-hub-'));
    await mkdir(join(root, 'datasets/acme/prefs/main/data'), { recursive: true });
    await copyFile(tldrPairs, join(root, 'datasets/acme/prefs/main/data/train.jsonl'));
    hub = await FakeHub.start(root);
  });
  afterAll(async () => {
    await hub.close();
    await rm(root, { recursive: true, force: true });
    vi.restoreAllMocks();
  });

  it('downloads a file of a Hub dataset repo into the cache and reads it like a local one', async () => {
    const tokenizer = await loadTokenizer(`${fixtures}tokenizers/gpt2`);
    const read = { format: 'trl' as const, tokenizer, maxPromptTokens: 64, maxResponseTokens: 16 };
    const cacheDir = join(root, 'cache');
    const remote = await loadPreferenceDataset(
      { repo: 'acme/prefs', path: 'data/train.jsonl' },
      { ...read, hub: { hubUrl: hub.url, cacheDir, retryDelayMs: 1 } },
    );
    expect(remote.file.startsWith(join(cacheDir, 'datasets--acme--prefs'))).toBe(true);
    const local = await loadPreferenceDataset({ path: tldrPairs }, read);
    expect(remote.pairs).toEqual(local.pairs);
    await expect(
      loadPreferenceDataset(
        { repo: 'acme/prefs', path: 'data/missing.jsonl' },
        { ...read, hub: { hubUrl: hub.url, cacheDir, retryDelayMs: 1 } },
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
