import { describe, expect, it } from 'vitest';
import { fromTimestamp, toTimestamp } from './timestamp.js';

describe('timestamp conversion', () => {
  it('round-trips a Date with milliseconds', () => {
    const date = new Date('2026-03-01T12:34:56.789Z');
    expect(toTimestamp(date)).toEqual({ seconds: 1772368496, nanos: 789_000_000 });
    expect(fromTimestamp(toTimestamp(date))).toEqual(date);
  });

  it('keeps nanos non-negative before 1970', () => {
    const date = new Date('1969-12-31T23:59:59.500Z');
    expect(toTimestamp(date)).toEqual({ seconds: -1, nanos: 500_000_000 });
    expect(fromTimestamp(toTimestamp(date))).toEqual(date);
  });

  it('drops sub-millisecond nanos', () => {
    expect(fromTimestamp({ seconds: 10, nanos: 1_999_999 }).getTime()).toBe(10_001);
  });
});
