import { describe, expect, it } from 'vitest';
import { backoffMs, ErpGate } from './erp-gate.js';

describe('ErpGate', () => {
  const gate = () => new ErpGate({ initialMs: 100, maxMs: 1000 });

  it('admits every free place while the ERP answers', () => {
    const open = gate();
    expect(open.admit(50, 0, 0)).toBe(50);
    open.succeeded(open.epoch);
    expect(open.admit(20, 1, 30)).toBe(20);
    expect(open.waitMs(1)).toBe(0);
  });

  it('closes for a backoff after UNAVAILABLE, then probes with one order once no call is out', () => {
    const closed = gate();
    const before = closed.epoch;
    closed.unavailable(1000, before);
    expect(closed.admit(50, 1050, 0)).toBe(0);
    expect(closed.waitMs(1050)).toBe(50);
    // Calls still out from before the failure come back first.
    expect(closed.admit(50, 1100, 2)).toBe(0);
    expect(closed.admit(50, 1100, 0)).toBe(1);
    // One probe at a time.
    expect(closed.admit(50, 1100, 0)).toBe(0);
    closed.succeeded(closed.epoch);
    expect(closed.admit(50, 1101, 0)).toBe(50);
  });

  it('is opened only by a call started since the failure, and closed once by the calls that fail together', () => {
    const closed = gate();
    const before = closed.epoch;
    closed.unavailable(0, before);
    // Another call that was out with the failing one: no longer backoff, and a late success does not open.
    closed.unavailable(10, before);
    expect(closed.waitMs(10)).toBe(90);
    closed.succeeded(before);
    expect(closed.admit(50, 100, 0)).toBe(1);
    closed.succeeded(closed.epoch);
    expect(closed.admit(50, 100, 0)).toBe(50);
  });

  it('backs off longer after each failed probe, up to the maximum', () => {
    const closed = gate();
    closed.unavailable(0, closed.epoch);
    expect(closed.admit(1, 100, 0)).toBe(1);
    closed.unavailable(100, closed.epoch);
    expect(closed.waitMs(100)).toBe(200);
    expect(closed.admit(1, 299, 0)).toBe(0);
    expect(closed.admit(1, 300, 0)).toBe(1);
    closed.unused();
    expect(closed.admit(1, 300, 0)).toBe(1);
  });

  it('doubles the backoff per failure and caps it', () => {
    expect([1, 2, 3, 4, 5, 10].map((failures) => backoffMs(failures, 100, 1000))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffMs(0, 100, 1000)).toBe(100);
  });
});
