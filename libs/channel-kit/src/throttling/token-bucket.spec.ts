import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenBucket, TokenBucketRegistry, parseRateLimitHeader } from './token-bucket.js';

function track(promise: Promise<unknown>) {
  const state = { resolved: false };
  void promise.then(() => {
    state.resolved = true;
  });
  return state;
}

describe('TokenBucket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('allows a burst, then one request per 1/rate seconds', async () => {
    // confirmShipment: 2 requests per second, burst 10.
    const bucket = new TokenBucket({ ratePerSecond: 2, burst: 10 });
    for (let i = 0; i < 10; i++) await bucket.acquire();
    const eleventh = track(bucket.acquire());
    await vi.advanceTimersByTimeAsync(499);
    expect(eleventh.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(eleventh.resolved).toBe(true);
  });

  it('handles slow published rates such as getOrders (0.0167/s)', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 0.0167, burst: 20 });
    for (let i = 0; i < 20; i++) await bucket.acquire();
    const next = track(bucket.acquire());
    await vi.advanceTimersByTimeAsync(59_000);
    expect(next.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(next.resolved).toBe(true);
  });

  it('takes the applied rate from x-amzn-RateLimit-Limit', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 0.5, burst: 1 });
    await bucket.acquire();
    bucket.applyRateLimitHeader('5.0');
    expect(bucket.limit).toEqual({ ratePerSecond: 5, burst: 1 });
    const next = track(bucket.acquire());
    await vi.advanceTimersByTimeAsync(200);
    expect(next.resolved).toBe(true);
  });

  it('ignores an absent or malformed rate header', () => {
    const bucket = new TokenBucket({ ratePerSecond: 0.5, burst: 30 });
    for (const value of [undefined, null, '', 'abc', '0', '-1', '1e3']) bucket.applyRateLimitHeader(value);
    expect(bucket.limit).toEqual({ ratePerSecond: 0.5, burst: 30 });
  });

  it('empties the local bucket after a 429, so the next request waits a full token', async () => {
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 5 });
    expect(bucket.available()).toBe(5);
    bucket.markThrottled();
    expect(bucket.available()).toBe(0);
    const next = track(bucket.acquire());
    await vi.advanceTimersByTimeAsync(999);
    expect(next.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next.resolved).toBe(true);
  });
});

describe('parseRateLimitHeader', () => {
  it('parses positive decimal rates', () => {
    expect(parseRateLimitHeader('0.0167')).toBe(0.0167);
    expect(parseRateLimitHeader(' 2 ')).toBe(2);
    expect(parseRateLimitHeader('0.0')).toBeUndefined();
    expect(parseRateLimitHeader('fast')).toBeUndefined();
  });
});

describe('TokenBucketRegistry', () => {
  // Frozen time: a bucket refilling between two reads would not show the token taken as exactly 9.
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps one bucket per channel account and operation, with the operation default limit', async () => {
    const defaults: Record<string, { ratePerSecond: number; burst: number }> = {
      getOrders: { ratePerSecond: 0.0167, burst: 20 },
      confirmShipment: { ratePerSecond: 2, burst: 10 },
    };
    const registry = new TokenBucketRegistry((operation) => defaults[operation] ?? { ratePerSecond: 1, burst: 1 });
    await registry.get('amazon-eu', 'confirmShipment').acquire();
    expect(registry.get('amazon-eu', 'confirmShipment').available()).toBe(9);
    expect(registry.get('amazon-us', 'confirmShipment').available()).toBe(10);
    expect(registry.get('amazon-eu', 'getOrders').limit).toEqual({ ratePerSecond: 0.0167, burst: 20 });
    expect(registry.get('amazon-eu', 'somethingElse').limit).toEqual({ ratePerSecond: 1, burst: 1 });
    expect(registry.get('amazon-eu', 'getOrders')).toBe(registry.get('amazon-eu', 'getOrders'));
  });
});
