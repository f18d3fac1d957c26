import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpStatusError } from './http-status.error.js';
import { type RetryEvent, backoffDelayMs, isTransientError, retryWithBackoff } from './retry-with-backoff.js';

/** A function that fails with the given errors in turn, then succeeds. */
function failing(errors: unknown[]) {
  const calls: number[] = [];
  const fn = async (attempt: number) => {
    calls.push(attempt);
    const error = errors[attempt - 1];
    if (error !== undefined) throw error;
    return `ok on attempt ${attempt}`;
  };
  return { fn, calls };
}

const unavailable = () => new HttpStatusError({ status: 503 });

describe('retryWithBackoff', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the first success without waiting', async () => {
    const { fn, calls } = failing([]);
    await expect(retryWithBackoff(fn, { retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 })).resolves.toBe('ok on attempt 1');
    expect(calls).toEqual([1]);
  });

  it('backs off exponentially between attempts and succeeds', async () => {
    const { fn, calls } = failing([unavailable(), unavailable(), unavailable()]);
    const events: RetryEvent[] = [];
    const result = retryWithBackoff(fn, {
      retries: 5,
      baseDelayMs: 100,
      maxDelayMs: 10_000,
      jitter: 'none',
      onRetry: (event) => events.push(event),
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(calls).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([1, 2]);
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual([1, 2, 3]);
    await vi.advanceTimersByTimeAsync(400);
    await expect(result).resolves.toBe('ok on attempt 4');
    expect(events.map((event) => [event.attempt, event.delayMs])).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
  });

  it('rethrows the last error when the retries are used up', async () => {
    const errors = [unavailable(), unavailable(), new HttpStatusError({ status: 502 })];
    const { fn, calls } = failing(errors);
    const result = retryWithBackoff(fn, { retries: 2, baseDelayMs: 10, maxDelayMs: 100, jitter: 'none' });
    const assertion = expect(result).rejects.toBe(errors[2]);
    await vi.runAllTimersAsync();
    await assertion;
    expect(calls).toEqual([1, 2, 3]);
  });

  it('does not retry an error that is not retryable', async () => {
    const badRequest = new HttpStatusError({ status: 400 });
    const { fn, calls } = failing([badRequest]);
    await expect(retryWithBackoff(fn, { retries: 5, baseDelayMs: 10, maxDelayMs: 100 })).rejects.toBe(badRequest);
    expect(calls).toEqual([1]);
  });

  it('uses the caller classification when given', async () => {
    const { fn, calls } = failing([new Error('custom transient')]);
    const result = retryWithBackoff(fn, {
      retries: 1,
      baseDelayMs: 10,
      maxDelayMs: 100,
      jitter: 'none',
      isRetryable: (error) => error instanceof Error && error.message === 'custom transient',
    });
    await vi.advanceTimersByTimeAsync(10);
    await expect(result).resolves.toBe('ok on attempt 2');
    expect(calls).toEqual([1, 2]);
  });

  it('honours Retry-After instead of its own backoff', async () => {
    const throttled = new HttpStatusError({ status: 429, headers: { 'retry-after': '7' } });
    const { fn, calls } = failing([throttled]);
    const result = retryWithBackoff(fn, { retries: 1, baseDelayMs: 10, maxDelayMs: 100 });
    await vi.advanceTimersByTimeAsync(6_999);
    expect(calls).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok on attempt 2');
  });

  it('honours a Retry-After HTTP date', async () => {
    vi.setSystemTime(Date.parse('2026-03-02T10:00:00Z'));
    const throttled = new HttpStatusError({ status: 503, headers: { 'retry-after': 'Mon, 02 Mar 2026 10:00:03 GMT' } });
    const { fn, calls } = failing([throttled]);
    const result = retryWithBackoff(fn, { retries: 1, baseDelayMs: 10, maxDelayMs: 100 });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok on attempt 2');
  });

  it('takes the server delay from the caller when the error carries it elsewhere', async () => {
    const { fn, calls } = failing([new Error('THROTTLED')]);
    const result = retryWithBackoff(fn, {
      retries: 1,
      baseDelayMs: 10,
      maxDelayMs: 100,
      isRetryable: () => true,
      retryAfterMs: () => 1_720,
    });
    await vi.advanceTimersByTimeAsync(1_719);
    expect(calls).toEqual([1]);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok on attempt 2');
  });

  it('rethrows instead of sleeping through a Retry-After longer than allowed', async () => {
    const throttled = new HttpStatusError({ status: 429, headers: { 'retry-after': '3600' } });
    const { fn, calls } = failing([throttled]);
    await expect(retryWithBackoff(fn, { retries: 3, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 60_000 })).rejects.toBe(throttled);
    expect(calls).toEqual([1]);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing([unavailable(), unavailable()]);
    const result = retryWithBackoff(fn, { retries: 5, baseDelayMs: 1_000, maxDelayMs: 1_000, jitter: 'none', signal: controller.signal });
    const assertion = expect(result).rejects.toThrow('stopping');
    await vi.advanceTimersByTimeAsync(500);
    controller.abort(new Error('stopping'));
    await assertion;
    expect(calls).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the base up to the maximum', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, options))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('applies full jitter: anywhere from 0 up to the backoff', () => {
    expect(backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5 })).toBe(200);
    expect(backoffDelayMs(3, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999 })).toBe(399);
    expect(backoffDelayMs(9, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999 })).toBe(999);
  });
});

describe('isTransientError', () => {
  it('retries throttling, timeouts and gateway errors, not client errors', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) expect(isTransientError(new HttpStatusError({ status }))).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 422, 501]) expect(isTransientError(new HttpStatusError({ status }))).toBe(false);
  });

  it('retries dropped connections, also when fetch wraps them', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(isTransientError(reset)).toBe(true);
    expect(
      isTransientError(new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) })),
    ).toBe(true);
    expect(isTransientError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(true);
  });

  it('does not retry configuration errors, aborts or unknown values', () => {
    expect(isTransientError(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }) }))).toBe(
      false,
    );
    expect(isTransientError(new DOMException('This operation was aborted', 'AbortError'))).toBe(false);
    expect(isTransientError(new Error('boom'))).toBe(false);
    expect(isTransientError('boom')).toBe(false);
  });
});
