import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assetPath } from '../assets';
import { readJsonlRecords } from '../readers/read-jsonl';
import { encodeBatch } from './encode-batch';
import { loadTokenizer } from './load-tokenizer';

const fixtures = fileURLToPath(new URL('../../../../fixtures/data/', import.meta.url));
const neoxPath = assetPath('tokenizers/gpt-neox-20b/tokenizer.json.gz');

describe('loadTokenizer (real tokenizer.json files)', () => {
  it('GPT-NeoX: Hello = 12092, EOS <|endoftext|> = 0, PAD <|padding|> = 1', async () => {
    const tok = await loadTokenizer(neoxPath);
    expect(tok.encode('Hello')).toEqual([12092]);
    expect(tok.encode(' world')).toEqual([1533]);
    expect(tok.eosId).toBe(0);
    expect(tok.padId).toBe(1);
    expect(tok.vocabSize).toBe(50277);
  });

  it('GPT-2: Hello = 15496, no PAD token so padId = eosId = 50256', async () => {
    const tok = await loadTokenizer(`${fixtures}tokenizers/gpt2`);
    expect(tok.encode('Hello')).toEqual([15496]);
    expect(tok.eosId).toBe(50256);
    expect(tok.padId).toBe(50256);
    expect(tok.vocabSize).toBe(50257);
  });

  it('Qwen3 (with tokenizer_config.json): Hello = 9707, specials from the config', async () => {
    const tok = await loadTokenizer(`${fixtures}tokenizers/qwen3`);
    expect(tok.encode('Hello')).toEqual([9707]);
    expect(tok.decode([tok.eosId], { skipSpecialTokens: false })).toBe('<|im_end|>');
    expect(tok.padId).toBe(tok.tokenToId('<|endoftext|>'));
  });

  it('decodes real TL;DR text exactly and drops EOS/PAD unless asked', async () => {
    const tok = await loadTokenizer(neoxPath);
    const pairs = await readJsonlRecords<{ prompt: string; chosen: string }>(
      `${fixtures}tldr-judged/pairs.derived-slice.jsonl`,
    );
    for (const pair of pairs.slice(0, 10)) {
      expect(tok.decode(tok.encode(pair.prompt))).toBe(pair.prompt);
      expect(tok.decode(tok.encode(pair.chosen))).toBe(pair.chosen);
    }
    const ids = [...tok.encode(' short summary'), tok.eosId, tok.padId];
    expect(tok.decode(ids)).toBe(' short summary');
    expect(tok.decode(ids, { skipSpecialTokens: false })).toBe(' short summary<|endoftext|><|padding|>');
    expect(tok.decode([])).toBe('');
    expect(tok.decode([tok.eosId])).toBe('');
  });
});

describe('encodeBatch', () => {
  it('left/right pads, truncates and appends EOS', async () => {
    const tok = await loadTokenizer(`${fixtures}tokenizers/gpt2`);
    const hello = tok.encode(' Hello world again');
    expect(hello.length).toBe(3);
    const left = encodeBatch(tok, [' Hello world again', ' Hello'], { padding: 'left' });
    expect(left.length).toBe(3);
    expect([...left.ids]).toEqual([...hello, tok.padId, tok.padId, hello[0]]);
    expect([...left.mask]).toEqual([1, 1, 1, 0, 0, 1]);
    const right = encodeBatch(tok, [' Hello world again', ' Hello'], {
      maxLength: 3,
      appendEos: true,
      padToMaxLength: true,
    });
    expect([...right.ids]).toEqual([hello[0], hello[1], tok.eosId, hello[0], tok.eosId, tok.padId]);
    expect([...right.mask]).toEqual([1, 1, 1, 1, 1, 0]);
    const cutLeft = encodeBatch(tok, [' Hello world again'], { maxLength: 2, truncation: 'left' });
    expect(cutLeft.rows[0]).toEqual(hello.slice(1));
  });
});
