import { ordersEventsV1, ordersV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import type { ErpSalesOrderLine } from '../erp-client/erp-sales-order.client.js';
import { cancelledUnits, erpLineChanges } from './erp-line-changes.js';

const order = ordersV1.Order.fromPartial({
  orderId: 'order-1',
  lines: [
    { lineId: 'L1', sku: 'MUG-BLUE', quantity: 4, cancelledQuantity: 1 },
    { lineId: 'L2', sku: 'CAP', quantity: 2, cancelledQuantity: 2 },
    { lineId: 'L3', sku: 'HAT', quantity: 1 },
  ],
});
const erpLines: ErpSalesOrderLine[] = [
  { line: 1, sku: 'MUG-BLUE', quantity: 4, quantityFulfilled: 0, isClosed: false, orderLineId: 'L1' },
  { line: 2, sku: 'CAP', quantity: 2, quantityFulfilled: 1, isClosed: false, orderLineId: 'L2' },
  { line: 3, sku: 'HAT', quantity: 1, quantityFulfilled: 1, isClosed: false, orderLineId: null },
];
const event = (overrides: Partial<ordersEventsV1.OrderCancelled>) =>
  ordersEventsV1.OrderCancelled.fromPartial({ order, reason: ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST, ...overrides });

describe('erpLineChanges', () => {
  it('lowers a partly cancelled line to what remains and closes a line cancelled down to what shipped', () => {
    const result = erpLineChanges(
      event({
        lines: [
          { lineId: 'L1', quantity: 1 },
          { lineId: 'L2', quantity: 2 },
        ],
      }),
      erpLines,
    );
    expect(result).toEqual({
      changes: [
        { line: 1, quantity: 3 },
        { line: 2, isClosed: true },
      ],
      unmatched: [],
    });
  });

  it('asks for nothing once the ERP is already there (a redelivered event)', () => {
    const applied: ErpSalesOrderLine[] = [{ ...erpLines[0], quantity: 3 }, { ...erpLines[1], isClosed: true }, erpLines[2]];
    expect(
      erpLineChanges(
        event({
          lines: [
            { lineId: 'L1', quantity: 1 },
            { lineId: 'L2', quantity: 2 },
          ],
        }),
        applied,
      ).changes,
    ).toEqual([]);
  });

  it('closes every line with something left when the order is fully cancelled', () => {
    expect(erpLineChanges(event({ fullyCancelled: true }), erpLines).changes).toEqual([
      { line: 1, isClosed: true },
      { line: 2, isClosed: true },
    ]);
  });

  it('matches a line without the mesh line id by SKU, and reports lines the ERP order does not have', () => {
    const result = erpLineChanges(
      event({
        order: { ...order, lines: [...order.lines, { ...order.lines[2], lineId: 'L4', sku: 'GONE', cancelledQuantity: 1 }] },
        lines: [
          { lineId: 'L3', quantity: 1 },
          { lineId: 'L4', quantity: 1 },
        ],
      }),
      erpLines,
    );
    expect(result).toEqual({ changes: [{ line: 3, isClosed: true }], unmatched: ['L4'] });
  });

  it('uses at least the event’s units when the order’s cumulative figure lags behind', () => {
    const lagging = { ...order, lines: [{ ...order.lines[0], cancelledQuantity: 0 }] };
    expect(erpLineChanges(event({ order: lagging, lines: [{ lineId: 'L1', quantity: 2 }] }), erpLines).changes).toEqual([
      { line: 1, quantity: 2 },
    ]);
  });
});

describe('cancelledUnits', () => {
  it('counts what each change takes off what is left to ship', () => {
    expect(
      cancelledUnits(
        [
          { line: 1, quantity: 3 },
          { line: 2, isClosed: true },
          { line: 3, isClosed: true },
          { line: 9, isClosed: true },
        ],
        erpLines,
      ),
    ).toEqual([
      { erpLine: 1, orderLineId: 'L1', quantity: 1 },
      // 2 ordered, 1 shipped: closing cancels the other one.
      { erpLine: 2, orderLineId: 'L2', quantity: 1 },
    ]);
  });

  it('counts a lowered quantity only down to what shipped', () => {
    const shipped: ErpSalesOrderLine = { ...erpLines[0], quantity: 5, quantityFulfilled: 2 };
    expect(cancelledUnits([{ line: 1, quantity: 4 }], [shipped])).toEqual([{ erpLine: 1, orderLineId: 'L1', quantity: 1 }]);
    expect(cancelledUnits([{ line: 1, quantity: 5 }], [shipped])).toEqual([]);
  });
});
