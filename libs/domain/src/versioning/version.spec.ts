import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../domain-validation.error.js';
import { applyIfNewer, isNewerVersion, isVersion, newestPerKey, nextVersion } from './version.js';

describe('versions', () => {
  it('accepts any version when nothing has been applied yet', () => {
    expect(isNewerVersion(0, undefined)).toBe(true);
    expect(isNewerVersion(7, undefined)).toBe(true);
  });

  it('orders versions numerically: higher wins, equal is a duplicate, lower is stale', () => {
    expect(isNewerVersion(3, 2)).toBe(true);
    expect(isNewerVersion(2, 2)).toBe(false);
    expect(isNewerVersion(1, 2)).toBe(false);
    expect(isNewerVersion(10, 9)).toBe(true);
  });

  it('rejects versions that are not non-negative integers', () => {
    for (const bad of [-1, 1.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) {
      expect(isVersion(bad)).toBe(false);
      expect(() => isNewerVersion(bad, 1)).toThrow(DomainValidationError);
      expect(() => isNewerVersion(1, bad)).toThrow(DomainValidationError);
    }
  });

  it('numbers a producer versions from 1 upwards', () => {
    expect(nextVersion(undefined)).toBe(1);
    expect(nextVersion(41)).toBe(42);
  });

  it('keeps the newer value and drops stale and duplicate ones', () => {
    const first = applyIfNewer(undefined, { version: 1, value: 'ten units' });
    expect(first).toEqual({ applied: true, current: { version: 1, value: 'ten units' } });

    const newer = applyIfNewer(first.current, { version: 3, value: 'eight units' });
    expect(newer).toEqual({ applied: true, current: { version: 3, value: 'eight units' } });

    // Version 2 arrives late (queues do not keep order): dropped, version 3 stays.
    const late = applyIfNewer(newer.current, { version: 2, value: 'nine units' });
    expect(late).toEqual({ applied: false, current: { version: 3, value: 'eight units' } });

    const duplicate = applyIfNewer(newer.current, { version: 3, value: 'redelivered' });
    expect(duplicate).toEqual({ applied: false, current: { version: 3, value: 'eight units' } });
  });
});

describe('newestPerKey', () => {
  const change = (key: string, version: number) => ({ key, version });
  const newest = (items: ReturnType<typeof change>[]) =>
    newestPerKey(
      items,
      (item) => item.key,
      (item) => item.version,
    );

  it('keeps the newest version of each key, in first-seen key order, and counts the rest', () => {
    const result = newest([change('A', 3), change('B', 1), change('A', 7), change('C', 2), change('A', 5)]);
    expect(result.newest).toEqual([change('A', 7), change('B', 1), change('C', 2)]);
    expect(result.superseded).toBe(2);
  });

  it('treats a repeated version as superseded, keeping the first', () => {
    const first = change('A', 4);
    const result = newest([first, change('A', 4)]);
    expect(result.newest[0]).toBe(first);
    expect(result.superseded).toBe(1);
  });

  it('hands back nothing for nothing', () => {
    expect(newest([])).toEqual({ newest: [], superseded: 0 });
  });
});
