import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CostBucketThrottle, readShopifyQueryCost, type ShopifyQueryCost } from './cost-bucket-throttle.js';
import { KeyedRegistry } from './keyed-registry.js';

function cost(
  currentlyAvailable: number,
  actualQueryCost: number | null = 10,
  restoreRate = 100,
  maximumAvailable = 2000,
): ShopifyQueryCost {
  return { requestedQueryCost: 10, actualQueryCost, throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate } };
}

function track(promise: Promise<unknown>) {
  const state = { resolved: false };
  void promise.then(() => {
    state.resolved = true;
  });
  return state;
}

describe('CostBucketThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts with conservative defaults until the server reports its bucket', async () => {
    const throttle = new CostBucketThrottle();
    expect(throttle.available()).toBe(1000);
    const lease = await throttle.acquire(10);
    lease.settle(cost(1990));
    expect(throttle.available()).toBe(1990);
  });

  it('re-synchronises from the response, refunding the difference between estimate and actual cost', async () => {
    const throttle = new CostBucketThrottle({ maximumAvailable: 1000, restoreRate: 50 });
    const lease = await throttle.acquire(100);
    expect(throttle.available()).toBe(900);
    // The server charged only 12 of the 100 estimated.
    lease.settle(cost(988, 12, 50, 1000));
    expect(throttle.available()).toBe(988);
  });

  it('waits for the server-reported bucket to restore enough for the next request', async () => {
    const throttle = new CostBucketThrottle();
    const lease = await throttle.acquire(50);
    lease.settle(cost(30, 50, 100, 2000));
    const next = track(throttle.acquire(80));
    await vi.advanceTimersByTimeAsync(499);
    expect(next.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(next.resolved).toBe(true);
  });

  it('after a THROTTLED response waits until the requested cost is restored', async () => {
    const throttle = new CostBucketThrottle();
    const lease = await throttle.acquire(100);
    const throttled = readShopifyQueryCost({
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
      extensions: {
        cost: {
          requestedQueryCost: 752,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 1000.0, currentlyAvailable: 666, restoreRate: 50.0 },
        },
      },
    });
    lease.settle(throttled);
    const retry = track(throttle.acquire(throttled?.requestedQueryCost ?? 0));
    // (752 - 666) / 50 points per second = 1.72 s
    await vi.advanceTimersByTimeAsync(1_719);
    expect(retry.resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(retry.resolved).toBe(true);
  });

  it('keeps the estimates of requests still in flight deducted when another response arrives', async () => {
    const throttle = new CostBucketThrottle({ maximumAvailable: 1000, restoreRate: 50 });
    const first = await throttle.acquire(100);
    await throttle.acquire(200);
    // The server has seen only the first request: 1000 - 100.
    first.settle(cost(900, 100, 50, 1000));
    expect(throttle.available()).toBe(700);
  });

  it('keeps the local deduction when a request fails without cost information', async () => {
    const throttle = new CostBucketThrottle({ maximumAvailable: 1000, restoreRate: 50 });
    const lease = await throttle.acquire(300);
    lease.settle(undefined);
    expect(throttle.available()).toBe(700);
  });

  it('ignores a second settle of the same lease', async () => {
    const throttle = new CostBucketThrottle({ maximumAvailable: 1000, restoreRate: 50 });
    const lease = await throttle.acquire(100);
    await throttle.acquire(100);
    lease.settle(cost(900, 100, 50, 1000));
    lease.settle(cost(900, 100, 50, 1000));
    expect(throttle.available()).toBe(800);
  });

  it('serves concurrent callers in arrival order with one timer', async () => {
    const throttle = new CostBucketThrottle({ maximumAvailable: 100, restoreRate: 10 });
    const lease = await throttle.acquire(100);
    lease.settle(cost(0, 100, 10, 100));
    const order: number[] = [];
    const waiters = [30, 5, 20].map((points, index) => throttle.acquire(points).then(() => order.push(index)));
    expect(throttle.waiting).toBe(3);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(order).toEqual([0]);
    await vi.advanceTimersByTimeAsync(500);
    expect(order).toEqual([0, 1]);
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(waiters);
    expect(order).toEqual([0, 1, 2]);
  });

  it('keeps one bucket per shop in a registry', async () => {
    const throttles = new KeyedRegistry(() => new CostBucketThrottle({ maximumAvailable: 100, restoreRate: 10 }));
    await throttles.get('shop-eu').acquire(100);
    expect(throttles.get('shop-eu').available()).toBe(0);
    expect(throttles.get('shop-us').available()).toBe(100);
    expect(throttles.get('shop-eu')).toBe(throttles.get('shop-eu'));
    expect(throttles.keys()).toEqual(['shop-eu', 'shop-us']);
  });
});

describe('readShopifyQueryCost', () => {
  it('reads extensions.cost from a response body', () => {
    const body = {
      data: {},
      extensions: {
        cost: {
          requestedQueryCost: 12,
          actualQueryCost: 7,
          throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1993, restoreRate: 100 },
        },
      },
    };
    expect(readShopifyQueryCost(body)).toEqual({
      requestedQueryCost: 12,
      actualQueryCost: 7,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1993, restoreRate: 100 },
    });
  });

  it('returns undefined for bodies without usable cost information', () => {
    for (const body of [
      null,
      'Bad Gateway',
      {},
      { extensions: {} },
      { extensions: { cost: { throttleStatus: { maximumAvailable: 0, currentlyAvailable: 0, restoreRate: 100 } } } },
      { extensions: { cost: { throttleStatus: { maximumAvailable: 2000, currentlyAvailable: '5', restoreRate: 100 } } } },
    ]) {
      expect(readShopifyQueryCost(body)).toBeUndefined();
    }
  });
});
