import { describe, expect, it } from 'vitest';
import { backoffMs, ErpGate } from './erp-gate.js';

describe('ErpGate', () => {
  const gate = () => new ErpGate({ initialMs: 100, maxMs: 1000 });

  it('lets a whole batch through while the ERP answers', () => {
    const open = gate();
    expect(open.admit(50, 0)).toBe(50);
    open.succeeded();
    expect(open.admit(50, 1)).toBe(50);
    expect(open.waitMs(1)).toBe(0);
  });

  it('closes for a backoff after UNAVAILABLE, then probes with one order at a time', () => {
    const closed = gate();
    closed.unavailable(1000);
    expect(closed.admit(50, 1050)).toBe(0);
    expect(closed.waitMs(1050)).toBe(50);
    expect(closed.admit(50, 1100)).toBe(1);
    // One probe at a time, even for a second pass.
    expect(closed.admit(50, 1100)).toBe(0);
    closed.succeeded();
    expect(closed.admit(50, 1101)).toBe(50);
  });

  it('backs off longer after each failed probe, up to the maximum', () => {
    const closed = gate();
    closed.unavailable(0);
    expect(closed.admit(1, 100)).toBe(1);
    closed.unavailable(100);
    expect(closed.waitMs(100)).toBe(200);
    expect(closed.admit(1, 299)).toBe(0);
    expect(closed.admit(1, 300)).toBe(1);
    closed.unused();
    expect(closed.admit(1, 300)).toBe(1);
  });

  it('doubles the backoff per failure and caps it', () => {
    expect([1, 2, 3, 4, 5, 10].map((failures) => backoffMs(failures, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(0, 100, 1000)).toBe(100);
  });
});
