import { describe, expect, it } from 'vitest';
import { applyLineQuantities, consumedStockVersion, consumedUnits, heldQuantity, statusOfLines, type ReservedLine } from './reservation.js';

function line(lineId: string, locationId: string, quantity: number, releasedQuantity = 0, consumedQuantity = 0): ReservedLine {
  return { lineId, sku: `SKU-${lineId}`, locationId, quantity, releasedQuantity, consumedQuantity };
}

const reservation = {
  requestedLines: [
    { lineId: 'a', sku: 'SKU-a', quantity: 5 },
    { lineId: 'b', sku: 'SKU-b', quantity: 2 },
  ],
  // Line a is split: 3 at WH-WEST, 2 at WH-EAST.
  lines: [line('a', 'WH-WEST', 3), line('a', 'WH-EAST', 2), line('b', 'WH-EAST', 2)],
};

describe('statusOfLines', () => {
  it('is active while a unit is held, then consumed if any unit shipped, else released', () => {
    expect(statusOfLines([line('a', 'WH-1', 3, 1, 1)])).toBe('active');
    expect(statusOfLines([line('a', 'WH-1', 3, 2, 1)])).toBe('consumed');
    expect(statusOfLines([line('a', 'WH-1', 3, 3, 0)])).toBe('released');
    expect(statusOfLines([])).toBe('released');
  });
});

describe('applyLineQuantities', () => {
  it('releases everything still held when no lines are given', () => {
    const partly = { ...reservation, lines: [line('a', 'WH-WEST', 3, 0, 1), line('a', 'WH-EAST', 2), line('b', 'WH-EAST', 2, 2)] };
    const result = applyLineQuantities(partly, 'release', []);
    expect(result).toEqual({
      ok: true,
      lines: [line('a', 'WH-WEST', 3, 2, 1), line('a', 'WH-EAST', 2, 2), line('b', 'WH-EAST', 2, 2)],
      changedSkus: ['SKU-a'],
    });
    if (result.ok) expect(result.lines.map(heldQuantity)).toEqual([0, 0, 0]);
  });

  it('takes a partial quantity from the line locations in location order', () => {
    expect(applyLineQuantities(reservation, 'consume', [{ lineId: 'a', quantity: 3 }])).toEqual({
      ok: true,
      lines: [line('a', 'WH-WEST', 3, 0, 1), line('a', 'WH-EAST', 2, 0, 2), line('b', 'WH-EAST', 2)],
      changedSkus: ['SKU-a'],
    });
  });

  it('never takes more than a line holds: nothing changes and it says why', () => {
    const partly = { ...reservation, lines: [line('a', 'WH-WEST', 3, 1), line('a', 'WH-EAST', 2, 0, 2), line('b', 'WH-EAST', 2)] };
    expect(applyLineQuantities(partly, 'release', [{ lineId: 'a', quantity: 3 }])).toEqual({
      ok: false,
      reason: 'exceeds_held',
      message: 'cannot release 3 of line "a": it holds 2',
    });
  });

  it('rejects a line the reservation does not have', () => {
    expect(applyLineQuantities(reservation, 'release', [{ lineId: 'zz', quantity: 1 }])).toMatchObject({
      ok: false,
      reason: 'unknown_line',
    });
  });

  it('changes nothing when nothing is held (a repeated full release)', () => {
    const released = { ...reservation, lines: reservation.lines.map((entry) => ({ ...entry, releasedQuantity: entry.quantity })) };
    expect(applyLineQuantities(released, 'release', [])).toEqual({ ok: true, lines: released.lines, changedSkus: [] });
  });

  it('leaves the input untouched', () => {
    applyLineQuantities(reservation, 'consume', []);
    expect(reservation.lines.map(heldQuantity)).toEqual([3, 2, 2]);
  });
});

describe('consumedUnits', () => {
  it('sums what each SKU x location shipped, leaving out releases and untouched lines', () => {
    const consumed = applyLineQuantities(reservation, 'consume', [
      { lineId: 'a', quantity: 4 },
      { lineId: 'b', quantity: 1 },
    ]);
    if (!consumed.ok) throw new Error(consumed.message);
    expect(consumedUnits(reservation.lines, consumed.lines)).toEqual([
      // Taken in location order: WH-EAST's 2, then 2 of WH-WEST's 3.
      { sku: 'SKU-a', locationId: 'WH-EAST', quantity: 2 },
      { sku: 'SKU-a', locationId: 'WH-WEST', quantity: 2 },
      { sku: 'SKU-b', locationId: 'WH-EAST', quantity: 1 },
    ]);
    const released = applyLineQuantities({ ...reservation, lines: consumed.lines }, 'release', []);
    if (!released.ok) throw new Error(released.message);
    expect(consumedUnits(consumed.lines, released.lines)).toEqual([]);
  });

  it('adds up two lines of the same SKU at one location and counts only what is new', () => {
    const before = [line('a', 'WH-1', 3, 0, 1), { ...line('b', 'WH-1', 2), sku: 'SKU-a' }];
    const after = [line('a', 'WH-1', 3, 0, 3), { ...line('b', 'WH-1', 2, 0, 2), sku: 'SKU-a' }];
    expect(consumedUnits(before, after)).toEqual([{ sku: 'SKU-a', locationId: 'WH-1', quantity: 4 }]);
  });
});

describe('consumedStockVersion', () => {
  it('records at the shipment’s version while the position is not above it (consume before the ERP’s drop)', () => {
    expect(consumedStockVersion(7, 9)).toBe(9);
    expect(consumedStockVersion(9, 9)).toBe(9);
    // No position yet: its first change will be compared with the shipment's version.
    expect(consumedStockVersion(0, 9)).toBe(9);
  });

  it('records nothing once the position is above the shipment’s version (the ERP’s drop came first)', () => {
    expect(consumedStockVersion(10, 9)).toBeUndefined();
  });

  it('records at the position’s version when the shipment’s is unknown', () => {
    expect(consumedStockVersion(7, 0)).toBe(7);
    expect(consumedStockVersion(0, 0)).toBe(0);
  });
});
