import { describe, expect, it } from 'vitest';
import {
  applyLineChanges,
  cancelledUnits,
  isFullyResolved,
  remainingLines,
  remainingQuantity,
  type LineQuantities,
} from './order-lines.js';

const line = (lineId: string, quantity: number, shippedQuantity = 0, cancelledQuantity = 0): LineQuantities => ({
  lineId,
  quantity,
  shippedQuantity,
  cancelledQuantity,
});

describe('order line quantities', () => {
  it('counts what is left to ship: neither shipped nor cancelled', () => {
    expect(remainingQuantity(line('L1', 5, 2, 1))).toBe(2);
    expect(remainingLines([line('L1', 5, 2, 1), line('L2', 1, 1), line('L3', 4)])).toEqual([
      { lineId: 'L1', quantity: 2 },
      { lineId: 'L3', quantity: 4 },
    ]);
    expect(cancelledUnits([line('L1', 5, 2, 1), line('L2', 3, 0, 3)])).toBe(4);
  });

  it('is resolved once every unit is shipped or cancelled', () => {
    expect(isFullyResolved([line('L1', 2, 1, 1), line('L2', 1, 0, 1)])).toBe(true);
    expect(isFullyResolved([line('L1', 2, 1, 0)])).toBe(false);
  });

  it('applies shipments and cancellations to the lines they name only', () => {
    const lines = [line('L1', 5), line('L2', 2)];
    expect(applyLineChanges(lines, [{ lineId: 'L1', quantity: 2 }], 'ship')).toEqual([line('L1', 5, 2), line('L2', 2)]);
    expect(applyLineChanges(lines, [{ lineId: 'L2', quantity: 2 }], 'cancel')).toEqual([line('L1', 5), line('L2', 2, 0, 2)]);
  });

  it('counts cancelled units against what a shipment may take, and the other way round', () => {
    expect(() => applyLineChanges([line('L1', 3, 0, 2)], [{ lineId: 'L1', quantity: 2 }], 'ship')).toThrow(/1 left to ship/);
    expect(() => applyLineChanges([line('L1', 3, 3)], [{ lineId: 'L1', quantity: 1 }], 'cancel')).toThrow(/0 left to ship/);
  });
});
