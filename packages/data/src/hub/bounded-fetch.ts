import type { HubOptions } from './hub-options';

/** Default time to a response's headers (connect, TLS, server think time): 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default longest pause between two chunks of a response body: 60 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Default longest single request, body included: 2 h (an 8B model's shard at ~5 MB/s). */
export const DEFAULT_TOTAL_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** Why a bounded request was stopped by its own timers (not by the caller's signal). */
export class HubTimeoutError extends Error {
  constructor(
    /** `request` (no response headers in time), `idle` (the body stalled) or `total`. */
    readonly kind: 'request' | 'idle' | 'total',
    readonly ms: number,
  ) {
    super(
      kind === 'request'
        ? `no response within ${ms / 1000} s`
        : kind === 'idle'
          ? `the download stalled (no data for ${ms / 1000} s)`
          : `the request took longer than ${ms / 1000} s`,
    );
    this.name = 'HubTimeoutError';
  }
}

/**
 * A `fetch` whose every request is bounded: `requestTimeoutMs` to the response headers, `idleTimeoutMs` between body
 * chunks, `totalTimeoutMs` overall; the caller's `signal` aborts it too. A timeout rejects (or errors the body) with
 * a {@link HubTimeoutError} as the abort reason, so the caller can tell it from a user abort. Reports body progress
 * through `onChunk`.
 */
export function boundedFetch(
  options: Pick<HubOptions, 'fetch' | 'signal' | 'requestTimeoutMs' | 'idleTimeoutMs' | 'totalTimeoutMs'>,
  onChunk?: (bytes: number, response: Response) => void,
): typeof fetch {
  const base = options.fetch ?? fetch;
  const requestMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const totalMs = options.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
  return async (input, init) => {
    const controller = new AbortController();
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const arm = (ms: number, kind: HubTimeoutError['kind']) => {
      const timer = setTimeout(() => controller.abort(new HubTimeoutError(kind, ms)), ms);
      timers.add(timer);
      return timer;
    };
    const clear = () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    };
    const outer = [options.signal, init?.signal].filter((s): s is AbortSignal => !!s);
    for (const s of outer) {
      if (s.aborted) controller.abort(s.reason);
      else s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
    }
    arm(totalMs, 'total');
    const headers = arm(requestMs, 'request');
    let response: Response;
    try {
      response = await base(input, { ...init, signal: controller.signal });
    } catch (error) {
      clear();
      throw controller.signal.reason instanceof HubTimeoutError ? controller.signal.reason : error;
    }
    clearTimeout(headers);
    timers.delete(headers);
    if (!response.body) {
      clear();
      return response;
    }
    let idle = arm(idleMs, 'idle');
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            clear();
            stream.close();
            return;
          }
          clearTimeout(idle);
          timers.delete(idle);
          idle = arm(idleMs, 'idle');
          onChunk?.(value.byteLength, response);
          stream.enqueue(value);
        } catch (error) {
          clear();
          stream.error(
            controller.signal.reason instanceof HubTimeoutError ? controller.signal.reason : error,
          );
        }
      },
      cancel(reason) {
        clear();
        return reader.cancel(reason);
      },
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** A short, specific cause of a failed request: timeout, refused, DNS, reset, or the message. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof HubTimeoutError) return `timed out: ${error.message}`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (error as { code?: string }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed (no network, or a wrong HF_ENDPOINT)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    default:
      return cause?.message ?? (error as Error).message ?? String(error);
  }
}
