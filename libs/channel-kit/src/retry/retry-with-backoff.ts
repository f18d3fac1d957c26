import { HttpStatusError } from './http-status.error.js';

export interface RetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long the next attempt waits. */
  delayMs: number;
  error: unknown;
}

export interface RetryOptions {
  /** Retries after the first attempt: 0 tries once. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * `full` (default): a uniformly random delay between 0 and the exponential backoff, so callers
   * that failed together (a 429 storm) do not come back together. `none`: the backoff itself.
   */
  jitter?: 'full' | 'none';
  /** Default `isTransientError`. Retrying a non-idempotent request is only safe with an idempotency key. */
  isRetryable?: (error: unknown) => boolean;
  /** The server's requested wait, which replaces the backoff. Default: `Retry-After` of an `HttpStatusError`. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** A server-requested wait longer than this is not slept through; the error is rethrown for the caller's own scheduling. Default 5 minutes. */
  maxRetryAfterMs?: number;
  /** Called before each wait (for logs and metrics). */
  onRetry?: (event: RetryEvent) => void;
  /** Aborting stops waiting and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Runs `fn` until it succeeds, the error is not retryable, or the retries are used up; the last error is rethrown. */
export async function retryWithBackoff<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const isRetryable = options.isRetryable ?? isTransientError;
  const serverDelay = options.retryAfterMs ?? defaultRetryAfterMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 300_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt > options.retries || options.signal?.aborted || !isRetryable(error)) throw error;
      const requestedMs = serverDelay(error);
      if (requestedMs !== undefined && requestedMs > maxRetryAfterMs) throw error;
      const delayMs = requestedMs ?? backoffDelayMs(attempt, options);
      options.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** The wait after failed attempt `attempt` (from 1): min(maxDelayMs, baseDelayMs x 2^(attempt-1)), fully jittered unless `jitter: 'none'`. */
export function backoffDelayMs(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'jitter' | 'random'>): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  if (options.jitter === 'none') return exponential;
  return Math.floor((options.random ?? Math.random)() * exponential);
}

const transientStatuses = new Set([408, 425, 429, 500, 502, 503, 504]);
// Connection-level failures (Node and undici codes) that a later attempt can get past.
// Not ENOTFOUND: an unknown host is a configuration error, not a blip.
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** True for 408/425/429/5xx-gateway responses, dropped or refused connections, and request timeouts (`AbortSignal.timeout`). */
export function isTransientError(error: unknown): boolean {
  if (error instanceof HttpStatusError) return transientStatuses.has(error.status);
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  // fetch() reports network failures as `TypeError: fetch failed` with the cause attached.
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && transientCodes.has(code)) return true;
  }
  return false;
}

function defaultRetryAfterMs(error: unknown): number | undefined {
  return error instanceof HttpStatusError ? error.retryAfterMs() : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
