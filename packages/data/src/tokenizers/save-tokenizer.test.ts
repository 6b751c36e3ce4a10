import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createDigestTokenizer } from '../digest/digest-tokenizer';
import { loadTokenizer } from './load-tokenizer';

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const json = async (dir: string, file: string) => JSON.parse(await readFile(join(dir, file), 'utf8'));

describe('HfTokenizer.save: the files AutoTokenizer.from_pretrained reads, read back the same', () => {
  it.each([
    ['GPT-2 (no PAD token)', `${fixtures}tokenizers/gpt2`, 'Hello world, again.'],
    ['Qwen3 (with a tokenizer_config.json)', `${fixtures}tokenizers/qwen3`, 'Hello world, again.'],
  ])('%s', async (_name, source, text) => {
    const original = await loadTokenizer(source);
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-tok-'));
    dirs.push(dir);
    await original.save(dir);
    const again = await loadTokenizer(dir);
    expect(again.encode(text)).toEqual(original.encode(text));
    expect(again.decode(original.encode(text))).toBe(original.decode(original.encode(text)));
    expect([again.eosId, again.padId, again.bosId, again.vocabSize]).toEqual([
      original.eosId,
      original.padId,
      original.bosId,
      original.vocabSize,
    ]);
    const config = await json(dir, 'tokenizer_config.json');
    // transformers: a fast tokenizer class, the special tokens by text, nothing added on encode (as here).
    expect(typeof config.tokenizer_class).toBe('string');
    expect(config.eos_token).toBe(original.idToToken(original.eosId));
    expect(config.pad_token).toBe(original.idToToken(original.padId));
    expect(await json(dir, 'special_tokens_map.json')).toMatchObject({ eos_token: config.eos_token });
  });

  it('the digest task’s word-level tokenizer: every word and the specials round-trip', async () => {
    const original = createDigestTokenizer(['alpha', 'beta', 'gamma']);
    const dir = await mkdtemp(join(tmpdir(), 'ocrm-tok-'));
    dirs.push(dir);
    await original.save(dir);
    const again = await loadTokenizer(dir);
    expect(again.encode('gamma alpha beta')).toEqual(original.encode('gamma alpha beta'));
    expect([again.eosId, again.padId, again.bosId]).toEqual([original.eosId, original.padId, original.bosId]);
    expect(await json(dir, 'tokenizer_config.json')).toMatchObject({
      tokenizer_class: 'PreTrainedTokenizerFast',
      eos_token: '[EOS]',
      pad_token: '[PAD]',
      bos_token: '[BOS]',
    });
  });
});
