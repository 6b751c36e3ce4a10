import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer as HfLibTokenizer } from '@huggingface/tokenizers';
import {
  DataError,
  InvalidArgumentError,
  SPECIFICATION_VERSION,
  type SpecificationVersion,
  type Tokenizer,
  writeJsonAtomic,
} from '@ocrm/core';

/** Overrides of the special tokens {@link HfTokenizer} would pick from `tokenizer.json` / `tokenizer_config.json`. */
export interface HfTokenizerOptions {
  /** EOS token text (e.g. `<|endoftext|>`) or id. */
  eos?: string | number;
  /** PAD token text or id. Default: the config's `pad_token`, else an added `<|padding|>`/`[PAD]`/`<pad>`, else EOS. */
  pad?: string | number;
  /** BOS token text or id. Default: the config's `bos_token`, else an added `[BOS]`/`<s>`, else none. */
  bos?: string | number;
}

type JsonObject = Record<string, unknown>;

const EOS_CANDIDATES = ['<|endoftext|>', '</s>', '[EOS]', '<eos>', '<|end_of_text|>'];
const PAD_CANDIDATES = ['<|padding|>', '[PAD]', '<pad>', '<|pad|>'];
const BOS_CANDIDATES = ['[BOS]', '<s>', '<bos>', '<|begin_of_text|>'];

/**
 * A Hugging Face `tokenizer.json` (BPE, WordPiece or Unigram) run by `@huggingface/tokenizers`, as the core
 * {@link Tokenizer} contract.
 *
 * - `encode` adds no special tokens (callers append `eosId` to responses).
 * - Special ids come from `tokenizer_config.json` when given (`eos_token`, `pad_token`, `bos_token`), else from the
 *   added tokens by common names. A tokenizer without a PAD token (GPT-2) uses EOS as `padId`: the mask, not the id,
 *   marks padding, and models receive id 0 at masked positions.
 * - `vocabSize` is the largest id + 1 (model vocab and added tokens).
 */
export class HfTokenizer implements Tokenizer {
  readonly specificationVersion: SpecificationVersion = SPECIFICATION_VERSION;
  readonly vocabSize: number;
  readonly eosId: number;
  readonly padId: number;
  readonly bosId?: number;
  /** Ids of every special (added, `special: true`) token, plus EOS/PAD/BOS. */
  readonly specialIds: ReadonlySet<number>;
  private readonly inner: HfLibTokenizer;
  private readonly json: JsonObject;
  private readonly config: JsonObject;

  /**
   * @param tokenizerJson parsed `tokenizer.json`.
   * @param config parsed `tokenizer_config.json` (optional).
   */
  constructor(tokenizerJson: JsonObject, config: JsonObject = {}, options: HfTokenizerOptions = {}) {
    const model = tokenizerJson.model as JsonObject | undefined;
    if (!model || typeof model !== 'object') {
      throw new DataError('tokenizer.json has no `model` object', { field: 'model' });
    }
    if (model.type === 'WordLevel') {
      throw new DataError('WordLevel tokenizers are not supported by @huggingface/tokenizers 0.2.0', {
        field: 'model.type',
      });
    }
    this.inner = new HfLibTokenizer(tokenizerJson, config);
    this.json = tokenizerJson;
    this.config = config;
    const added = (tokenizerJson.added_tokens as { id: number; content: string; special?: boolean }[]) ?? [];
    let maxId = -1;
    for (const id of this.inner.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;

    const eos = this.resolve(options.eos ?? tokenText(config.eos_token), EOS_CANDIDATES, 'eos');
    if (eos === undefined) {
      throw new DataError('No EOS token found; pass `eos` in the options', { field: 'eos_token' });
    }
    this.eosId = eos;
    this.padId = this.resolve(options.pad ?? tokenText(config.pad_token), PAD_CANDIDATES, 'pad') ?? eos;
    this.bosId = this.resolve(options.bos ?? tokenText(config.bos_token), BOS_CANDIDATES, 'bos');
    const special = new Set<number>(added.filter((t) => t.special).map((t) => t.id));
    for (const id of [this.eosId, this.padId, this.bosId]) if (id !== undefined) special.add(id);
    this.specialIds = special;
  }

  /** Encodes text without special tokens. */
  encode(text: string): number[] {
    return this.inner.encode(text, { add_special_tokens: false }).ids;
  }

  /** Decodes ids; with `skipSpecialTokens` (default true) special tokens (EOS, PAD, BOS, added specials) are dropped. */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    const skip = options.skipSpecialTokens ?? true;
    const kept: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (skip && this.specialIds.has(id)) continue;
      kept.push(id);
    }
    if (kept.length === 0) return '';
    return this.inner.decode(kept, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
  }

  /**
   * Writes `tokenizer.json` (as loaded), `tokenizer_config.json` (the loaded config with `tokenizer_class`
   * `PreTrainedTokenizerFast` unless it names one, the special tokens this tokenizer resolved, no added specials on
   * encode as here) and `special_tokens_map.json`, atomically: what `AutoTokenizer.from_pretrained(dir)` reads.
   */
  async save(dir: string): Promise<void> {
    const special: Record<string, string> = {};
    const named: [string, number | undefined][] = [
      ['bos_token', this.bosId],
      ['eos_token', this.eosId],
      ['pad_token', this.padId],
    ];
    for (const [key, id] of named) {
      const text = id === undefined ? undefined : this.idToToken(id);
      if (text !== undefined) special[key] = text;
    }
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, 'tokenizer.json'), this.json);
    await writeJsonAtomic(join(dir, 'tokenizer_config.json'), {
      ...this.config,
      tokenizer_class: this.config.tokenizer_class ?? 'PreTrainedTokenizerFast',
      add_bos_token: false,
      add_eos_token: false,
      clean_up_tokenization_spaces: false,
      ...special,
    });
    await writeJsonAtomic(join(dir, 'special_tokens_map.json'), special);
  }

  /** Id of a token string, or undefined. */
  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  /** Token string of an id, or undefined. */
  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  private resolve(
    wanted: string | number | undefined,
    candidates: readonly string[],
    what: string,
  ): number | undefined {
    if (typeof wanted === 'number') {
      if (!Number.isInteger(wanted) || wanted < 0) {
        throw new InvalidArgumentError(`${what} id must be a non-negative integer, got ${wanted}`);
      }
      return wanted;
    }
    if (typeof wanted === 'string') {
      const id = this.inner.token_to_id(wanted);
      if (id === undefined) {
        throw new DataError(`${what} token ${JSON.stringify(wanted)} is not in the vocabulary`, {
          field: `${what}_token`,
        });
      }
      return id;
    }
    for (const candidate of candidates) {
      const id = this.inner.token_to_id(candidate);
      if (id !== undefined) return id;
    }
    return undefined;
  }
}

function tokenText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as JsonObject).content === 'string') {
    return (value as JsonObject).content as string;
  }
  return undefined;
}
