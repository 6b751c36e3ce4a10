import { HfTokenizer } from '../tokenizers/hf-tokenizer';
import { DIGEST_SPECIAL_TOKENS } from './digest-world';

/**
 * The `tokenizer.json` of a digest vocabulary: a WordPiece model over whole words (no sub-word pieces, so an unknown
 * word becomes one `[UNK]`) with a whitespace pre-tokenizer. Ids: [PAD] 0, [BOS] 1, [SEP] 2, [EOS] 3, [UNK] 4, then
 * the words in order. (`@huggingface/tokenizers` 0.2.0 does not support WordLevel, hence WordPiece.)
 */
export function digestTokenizerJson(words: readonly string[]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  DIGEST_SPECIAL_TOKENS.forEach((token, id) => {
    vocab[token] = id;
  });
  words.forEach((word, i) => {
    vocab[word] = DIGEST_SPECIAL_TOKENS.length + i;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: DIGEST_SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: false },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

/** The digest tokenizer (an {@link HfTokenizer}): EOS `[EOS]` = 3, PAD `[PAD]` = 0, BOS `[BOS]` = 1. */
export function createDigestTokenizer(words: readonly string[]): HfTokenizer {
  return new HfTokenizer(digestTokenizerJson(words), {}, { eos: '[EOS]', pad: '[PAD]', bos: '[BOS]' });
}
