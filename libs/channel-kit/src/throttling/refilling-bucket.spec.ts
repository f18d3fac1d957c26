import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RefillingBucket } from './refilling-bucket.js';

/** Records when a promise settles, so tests can check it against the fake clock. */
function track(promise: Promise<unknown>, log?: string[], label?: string) {
  const state = { resolved: false, rejection: undefined as unknown };
  promise.then(
    () => {
      state.resolved = true;
      if (log && label) log.push(label);
    },
    (error: unknown) => {
      state.rejection = error;
    },
  );
  return state;
}

describe('RefillingBucket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts full and grants at once while the level covers the amount', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 2 });
    await bucket.take(4);
    await bucket.take(6);
    expect(bucket.level()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits exactly as long as the refill to the requested amount takes', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 2, initialLevel: 0 });
    const waiter = track(bucket.take(4));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(waiter.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiter.resolved).toBe(true);
    expect(bucket.level()).toBe(0);
  });

  it('refills over time but never above capacity', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 4, initialLevel: 0 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(bucket.level()).toBe(4);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bucket.level()).toBe(10);
  });

  it('arms a single timer however many callers wait', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1, initialLevel: 0 });
    for (let i = 0; i < 20; i++) void bucket.take(1);
    expect(bucket.waiting).toBe(20);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(bucket.waiting).toBe(15);
    expect(vi.getTimerCount()).toBe(1);
  });

  it('serves waiters first come, first served: a cheap request never overtakes an expensive one', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1, initialLevel: 2 });
    const order: string[] = [];
    const expensive = track(bucket.take(8), order, 'expensive');
    const cheap = track(bucket.take(1), order, 'cheap');
    await vi.advanceTimersByTimeAsync(5_999);
    expect(expensive.resolved).toBe(false);
    expect(cheap.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['expensive']);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual(['expensive', 'cheap']);
  });

  it('does not let a newcomer barge past queued callers even when the level would cover it', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1, initialLevel: 3 });
    const order: string[] = [];
    track(bucket.take(5), order, 'first');
    track(bucket.take(2), order, 'newcomer');
    await vi.advanceTimersByTimeAsync(2_000);
    expect(order).toEqual(['first']);
  });

  it('lets an amount above capacity through on a full bucket, leaving a debt the next caller waits out', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 5 });
    await bucket.take(15);
    expect(bucket.level()).toBe(-5);
    const next = track(bucket.take(5));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(next.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next.resolved).toBe(true);
  });

  it('re-plans the wait when the level is set from outside (server truth)', async () => {
    const bucket = new RefillingBucket({ capacity: 100, refillPerSecond: 10, initialLevel: 0 });
    const waiter = track(bucket.take(50));
    bucket.setLevel(45);
    await vi.advanceTimersByTimeAsync(499);
    expect(waiter.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiter.resolved).toBe(true);

    const later = track(bucket.take(20));
    bucket.setLevel(-30);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(later.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(later.resolved).toBe(true);
  });

  it('re-plans the wait when the refill rate changes', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1, initialLevel: 0 });
    const waiter = track(bucket.take(10));
    await vi.advanceTimersByTimeAsync(2_000);
    bucket.configure({ refillPerSecond: 4 });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(waiter.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(waiter.resolved).toBe(true);
    expect(bucket.settings).toEqual({ capacity: 10, refillPerSecond: 4 });
  });

  it('clamps the level when the capacity shrinks', () => {
    const bucket = new RefillingBucket({ capacity: 100, refillPerSecond: 1 });
    bucket.configure({ capacity: 40 });
    expect(bucket.level()).toBe(40);
  });

  it('rejects an aborted waiter with the signal reason and moves on to the next one', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1, initialLevel: 0 });
    const controller = new AbortController();
    const aborted = track(bucket.take(10, controller.signal));
    const next = track(bucket.take(2));
    controller.abort(new Error('shutting down'));
    await vi.advanceTimersByTimeAsync(0);
    expect((aborted.rejection as Error).message).toBe('shutting down');
    expect(bucket.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(next.resolved).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1 });
    await expect(bucket.take(1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('rejects invalid amounts and settings', async () => {
    const bucket = new RefillingBucket({ capacity: 10, refillPerSecond: 1 });
    await expect(bucket.take(-1)).rejects.toThrow(RangeError);
    await expect(bucket.take(NaN)).rejects.toThrow(RangeError);
    expect(() => new RefillingBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(RangeError);
    expect(() => bucket.configure({ refillPerSecond: 0 })).toThrow(RangeError);
    expect(() => bucket.setLevel(Infinity)).toThrow(RangeError);
  });
});
