import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { LatestValueCoalescer } from './latest-value-coalescer.js';

describe('LatestValueCoalescer', () => {
  it('keeps one pending value per key, the newest version replacing the older in place', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    expect(coalescer.offer('SKU-1|WH-1', 1, 10)).toBe(true);
    expect(coalescer.offer('SKU-2|WH-1', 1, 4)).toBe(true);
    expect(coalescer.offer('SKU-1|WH-1', 2, 9)).toBe(true);
    expect(coalescer.offer('SKU-1|WH-1', 5, 7)).toBe(true);
    expect(coalescer.pendingCount).toBe(2);
    expect(coalescer.take()).toEqual([
      { key: 'SKU-1|WH-1', version: 5, value: 7 },
      { key: 'SKU-2|WH-1', version: 1, value: 4 },
    ]);
    expect(coalescer.pendingCount).toBe(0);
  });

  it('drops a version at or below the pending one', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    coalescer.offer('k', 4, 40);
    expect(coalescer.offer('k', 3, 30)).toBe(false);
    expect(coalescer.offer('k', 4, 41)).toBe(false);
    expect(coalescer.take()).toEqual([{ key: 'k', version: 4, value: 40 }]);
  });

  it('drops a version at or below the one in flight or last sent', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    coalescer.offer('k', 4, 40);
    coalescer.take();
    expect(coalescer.offer('k', 3, 30)).toBe(false);
    coalescer.done('k', 4);
    expect(coalescer.lastSentVersion('k')).toBe(4);
    expect(coalescer.offer('k', 4, 40)).toBe(false);
    expect(coalescer.offer('k', 2, 20)).toBe(false);
    expect(coalescer.offer('k', 5, 50)).toBe(true);
  });

  it('never hands out a key that is still in flight', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    coalescer.offer('k', 1, 10);
    expect(coalescer.take()).toHaveLength(1);
    coalescer.offer('k', 2, 20);
    coalescer.offer('other', 1, 5);
    expect(coalescer.take()).toEqual([{ key: 'other', version: 1, value: 5 }]);
    expect(coalescer.pendingCount).toBe(1);
    coalescer.done('k', 1);
    expect(coalescer.take()).toEqual([{ key: 'k', version: 2, value: 20 }]);
  });

  it('hands out at most the requested number of updates, oldest key first', () => {
    const coalescer = new LatestValueCoalescer<string, string>();
    for (const key of ['a', 'b', 'c', 'd']) coalescer.offer(key, 1, key);
    expect(coalescer.take(2).map((update) => update.key)).toEqual(['a', 'b']);
    expect(coalescer.take(5).map((update) => update.key)).toEqual(['c', 'd']);
    expect(coalescer.inFlightCount).toBe(4);
  });

  it('requeues a failed update unless a newer value arrived meanwhile', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    coalescer.offer('a', 1, 10);
    coalescer.offer('b', 1, 10);
    const [a, b] = coalescer.take();
    coalescer.offer('b', 2, 20);
    coalescer.failed(a);
    coalescer.failed(b);
    expect(coalescer.inFlightCount).toBe(0);
    expect(coalescer.take()).toEqual([
      { key: 'b', version: 2, value: 20 },
      { key: 'a', version: 1, value: 10 },
    ]);
  });

  it('rejects versions that are not non-negative integers', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    expect(() => coalescer.offer('k', -1, 0)).toThrow(DomainValidationError);
    expect(() => coalescer.offer('k', 1.5, 0)).toThrow(DomainValidationError);
  });

  it('does not requeue a failed update older than what was sent since', () => {
    const coalescer = new LatestValueCoalescer<string, number>();
    coalescer.offer('a', 1, 10);
    const [first] = coalescer.take();
    // Another worker (e.g. a reconciliation re-push) delivered version 3 meanwhile.
    coalescer.done('a', 3);
    coalescer.failed(first);
    expect(coalescer.pendingCount).toBe(0);
  });
});
