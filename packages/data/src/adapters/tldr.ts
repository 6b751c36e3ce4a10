import { DataError, type Tokenizer } from '@ocrm/core';

/** A prompt with its reference response: usable as an SFT demonstration and as an evaluation prompt. */
export interface ReferenceExample {
  id: string;
  /** The formatted query (template applied, truncated to the token budget). */
  prompt: string;
  /** Reference response text without EOS (the trainer appends the EOS id). */
  response: string;
  /** Same as `response` (for `PromptExample`). */
  reference: string;
}

/** Options of {@link tldrExamples}. */
export interface TldrOptions {
  /** With a tokenizer, posts are cut until the query fits `maxQueryTokens` (as the reference code does). */
  tokenizer?: Tokenizer;
  /** Query token budget. Default 512 (the reference's). */
  maxQueryTokens?: number;
  /** Source file name for error messages. */
  file?: string;
  /** File line of each record (from the reader), for error messages; default index + 1. */
  lines?: readonly number[];
}

/** The OpenAI TL;DR query template. */
export function formatTldrQuery(info: { subreddit: string; title: string; post: string }): string {
  return `SUBREDDIT: r/${info.subreddit}\n\nTITLE: ${info.title}\n\nPOST: ${info.post}\n\nTL;DR:`;
}

const QUERY = /^SUBREDDIT: r\/(.*?)\n\nTITLE: ([\s\S]*?)\n\nPOST: ([\s\S]*)\n\nTL;DR:$/;

/**
 * TL;DR records → examples. Accepts OpenAI's fields (`subreddit`, `title`, `post`, `summary`, optionally nested in
 * `info` with `id`), the preprocessed Hub variant (`query`, `reference_response` ending in `<|endoftext|>`) and the
 * judged CSV (`query`, `reference_responses`). Prompt: `SUBREDDIT: r/{subreddit}\n\nTITLE: {title}\n\nPOST:
 * {post}\n\nTL;DR:`; while it exceeds `maxQueryTokens` the post is cut at its last newline (or by characters when it
 * has none). Response: ` {summary}` (the EOS is appended as an id by the consumer, the `<|endoftext|>` of the
 * reference).
 * @throws DataError naming the record (its file line from `options.lines`, else index + 1) and the missing field.
 */
export function tldrExamples(
  records: readonly Record<string, unknown>[],
  options: TldrOptions = {},
): ReferenceExample[] {
  return records.map((raw, index) => {
    const where = (field: string) => ({
      file: options.file,
      line: options.lines?.[index] ?? index + 1,
      field,
    });
    const record = (
      raw.info && typeof raw.info === 'object' ? { ...raw, ...(raw.info as object) } : raw
    ) as Record<string, unknown>;
    let info: { subreddit: string; title: string; post: string };
    if (typeof record.query === 'string') {
      const m = QUERY.exec(record.query);
      if (!m) throw new DataError('query does not follow the TL;DR template', where('query'));
      info = { subreddit: m[1] as string, title: m[2] as string, post: m[3] as string };
    } else {
      for (const field of ['subreddit', 'title', 'post'] as const) {
        if (typeof record[field] !== 'string') throw new DataError('missing or not a string', where(field));
      }
      info = {
        subreddit: record.subreddit as string,
        title: record.title as string,
        post: record.post as string,
      };
    }
    let response: string;
    if (typeof record.summary === 'string') response = ` ${record.summary}`;
    else if (typeof record.reference_response === 'string') {
      response = record.reference_response.replace(/<\|endoftext\|>$/, '');
    } else if (typeof record.reference_responses === 'string') response = record.reference_responses;
    else
      throw new DataError(
        'missing summary (summary, reference_response or reference_responses)',
        where('summary'),
      );
    const prompt = options.tokenizer
      ? fitTldrQuery(info, options.tokenizer, options.maxQueryTokens ?? 512, where('post'))
      : formatTldrQuery(info);
    const id =
      typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : `tldr-${index}`;
    return { id, prompt, response, reference: response };
  });
}

/** Cuts the post at its last newline until the query fits `budget` tokens (characters when no newline is left). */
export function fitTldrQuery(
  info: { subreddit: string; title: string; post: string },
  tokenizer: Tokenizer,
  budget: number,
  where: { file?: string; line?: number; field?: string } = {},
): string {
  const fits = (post: string) => tokenizer.encode(formatTldrQuery({ ...info, post })).length <= budget;
  let post = info.post;
  while (!fits(post)) {
    if (post.length === 0)
      throw new DataError(`query does not fit ${budget} tokens even without the post`, where);
    const cut = post.lastIndexOf('\n');
    if (cut >= 0) {
      post = post.slice(0, cut);
      continue;
    }
    // no newline left: the longest prefix that fits (binary search instead of one character at a time)
    let lo = 0;
    let hi = post.length - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(post.slice(0, mid))) lo = mid;
      else hi = mid - 1;
    }
    post = post.slice(0, lo);
    if (lo === 0 && !fits(''))
      throw new DataError(`query does not fit ${budget} tokens even without the post`, where);
    break;
  }
  return formatTldrQuery({ ...info, post });
}
