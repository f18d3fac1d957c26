import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { matchErpLines, type OrderLineRef } from './erp-lines.js';

const lines: OrderLineRef[] = [
  { lineId: 'L1', sku: 'TEE-M', quantity: 3, shippedQuantity: 1, cancelledQuantity: 0 },
  { lineId: 'L2', sku: 'MUG', quantity: 2, shippedQuantity: 0, cancelledQuantity: 0 },
  { lineId: 'L3', sku: 'TEE-M', quantity: 2, shippedQuantity: 0, cancelledQuantity: 0 },
];

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
  throw new Error('expected a DomainValidationError');
}

describe('matchErpLines', () => {
  it('takes the order line id the ERP line carries', () => {
    expect(matchErpLines(lines, [{ orderLineId: 'L3', sku: 'TEE-M', quantity: 2 }], false)).toEqual([{ lineId: 'L3', quantity: 2 }]);
  });

  it('matches a line without id by SKU, filling the lines with that SKU in order', () => {
    expect(matchErpLines(lines, [{ orderLineId: '', sku: 'TEE-M', quantity: 3 }], false)).toEqual([
      { lineId: 'L1', quantity: 2 },
      { lineId: 'L3', quantity: 1 },
    ]);
  });

  it('adds up several ERP lines for one order line', () => {
    const erpLines = [
      { orderLineId: 'L2', sku: 'MUG', quantity: 1 },
      { orderLineId: '', sku: 'MUG', quantity: 1 },
    ];
    expect(matchErpLines(lines, erpLines, false)).toEqual([{ lineId: 'L2', quantity: 2 }]);
  });

  it('refuses to ship more than is left, unknown lines and non-positive quantities', () => {
    expect(reasonOf(() => matchErpLines(lines, [{ orderLineId: 'L1', sku: 'TEE-M', quantity: 3 }], false))).toBe('exceeds_remaining');
    expect(reasonOf(() => matchErpLines(lines, [{ orderLineId: 'L9', sku: 'X', quantity: 1 }], false))).toBe('unknown_line');
    expect(reasonOf(() => matchErpLines(lines, [{ orderLineId: '', sku: 'HAT', quantity: 1 }], false))).toBe('unknown_line');
    expect(reasonOf(() => matchErpLines(lines, [{ orderLineId: 'L1', sku: 'TEE-M', quantity: 0 }], false))).toBe('invalid_quantity');
  });

  it('cuts a cancellation to what is left when clamping, down to nothing', () => {
    expect(matchErpLines(lines, [{ orderLineId: 'L1', sku: 'TEE-M', quantity: 5 }], true)).toEqual([{ lineId: 'L1', quantity: 2 }]);
    const shipped: OrderLineRef[] = [{ lineId: 'L1', sku: 'TEE-M', quantity: 1, shippedQuantity: 1, cancelledQuantity: 0 }];
    expect(matchErpLines(shipped, [{ orderLineId: 'L1', sku: 'TEE-M', quantity: 1 }], true)).toEqual([]);
  });
});
