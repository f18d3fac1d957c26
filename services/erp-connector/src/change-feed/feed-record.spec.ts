import { describe, expect, it } from 'vitest';
import { parseFeedRecord } from './feed-record.js';

const at = '2026-11-27T05:00:00.000Z';
const salesOrder = { id: '5001', tranId: 'SO5001', externalId: 'shopify__shop-eu__1001', custbody_rm_order_id: 'order-1' };
const fulfillment = {
  id: 12,
  type: 'itemFulfillment',
  lastModified: at,
  itemFulfillment: { id: '8001', tranId: 'IF8001' },
  salesOrder,
  location: 'WH-EAST',
  shipCarrier: 'UPS',
  shipMethod: 'UPS Ground',
  trackingNumber: '1Z999',
  trackingUrl: 'https://ups.example/1Z999',
  shippedAt: at,
  lines: [{ orderLine: 1, item: 'MUG-BLUE', quantity: 2, custcol_rm_order_line_id: 'L1' }],
};
const cancellation = {
  id: 13,
  type: 'salesOrderCancellation',
  lastModified: at,
  salesOrder: { ...salesOrder, custbody_rm_order_id: null },
  reason: 'Customer called',
  cancelledAt: at,
  lines: [],
};

describe('parseFeedRecord', () => {
  it('reads a record without a type, and one typed stockChange, as stock changes', () => {
    const stock = { id: 3, item: 'MUG-BLUE', location: 'WH-EAST', quantityOnHand: 4, lastModified: at };
    expect(parseFeedRecord(stock)).toMatchObject({ ok: true, record: { type: 'stock_change', change: { feedId: '3', onHand: 4 } } });
    expect(parseFeedRecord({ ...stock, type: 'stockChange' })).toMatchObject({ ok: true, record: { type: 'stock_change' } });
    expect(parseFeedRecord('garbage')).toEqual({
      ok: false,
      type: 'stock_change',
      feedId: undefined,
      reason: 'record is not a JSON object',
    });
  });

  it('reads an item fulfillment with its sales order, lines and tracking', () => {
    expect(parseFeedRecord(fulfillment)).toEqual({
      ok: true,
      record: {
        type: 'item_fulfillment',
        change: {
          feedId: '12',
          erpOrderId: '5001',
          orderReference: 'order-1',
          erpShipmentId: '8001',
          locationId: 'WH-EAST',
          carrier: 'UPS',
          serviceLevel: 'UPS Ground',
          trackingNumber: '1Z999',
          trackingUrl: 'https://ups.example/1Z999',
          shippedAt: new Date(at),
          changedAt: new Date(at),
          lines: [{ erpLine: 1, sku: 'MUG-BLUE', quantity: 2, orderLineId: 'L1' }],
        },
      },
    });
  });

  it('reads a whole-order cancellation (no lines) of a sales order without mesh reference', () => {
    expect(parseFeedRecord(cancellation)).toMatchObject({
      ok: true,
      record: {
        type: 'sales_order_cancellation',
        change: { feedId: '13', erpOrderId: '5001', orderReference: null, lines: [], reason: 'Customer called' },
      },
    });
  });

  it('reads cancelled lines with and without the sales order line number', () => {
    const lines = [
      { orderLine: 2, item: 'CAP', quantity: 1, custcol_rm_order_line_id: 'L2' },
      { item: 'HAT', quantity: 3 },
    ];
    expect(parseFeedRecord({ ...cancellation, lines })).toMatchObject({
      ok: true,
      record: {
        change: {
          lines: [
            { erpLine: 2, sku: 'CAP', quantity: 1, orderLineId: 'L2' },
            { erpLine: null, sku: 'HAT', quantity: 3, orderLineId: null },
          ],
        },
      },
    });
  });

  it.each([
    ['an unknown type', { id: 20, type: 'journal' }, 'unknown', 'unknown record type "journal"'],
    [
      'a line number that is not one',
      { ...cancellation, lines: [{ orderLine: '1', item: 'CAP', quantity: 1 }] },
      'sales_order_cancellation',
      'lines[0].orderLine "1" is not a line number',
    ],
    [
      'a fulfillment without sales order',
      { ...fulfillment, salesOrder: undefined },
      'item_fulfillment',
      'salesOrder.id is missing or not an ERP id',
    ],
    ['a fulfillment without lines', { ...fulfillment, lines: [] }, 'item_fulfillment', 'lines is empty'],
    [
      'a fractional quantity',
      { ...fulfillment, lines: [{ item: 'MUG-BLUE', quantity: 1.5 }] },
      'item_fulfillment',
      'lines[0].quantity 1.5 is not a positive integer',
    ],
    ['a bad SKU', { ...fulfillment, lines: [{ item: '', quantity: 1 }] }, 'item_fulfillment', 'lines[0].item "" is not a valid SKU'],
    ['a fulfillment without location', { ...fulfillment, location: '' }, 'item_fulfillment', 'location is missing'],
    ['a non-string tracking number', { ...fulfillment, trackingNumber: 42 }, 'item_fulfillment', 'trackingNumber 42 is not a string'],
    ['a bad shippedAt', { ...fulfillment, shippedAt: 'soon' }, 'item_fulfillment', 'shippedAt "soon" is not a timestamp'],
    [
      'a cancellation without id',
      { ...cancellation, id: undefined },
      'sales_order_cancellation',
      'id must be a positive integer sequence number',
    ],
    ['a cancellation without lines array', { ...cancellation, lines: null }, 'sales_order_cancellation', 'lines is not an array'],
  ])('rejects %s with a reason and its type', (_case, raw, type, reason) => {
    expect(parseFeedRecord(raw)).toMatchObject({ ok: false, type, reason });
  });

  it('keeps the feed id of a rejected order record so the cursor can move past it', () => {
    expect(parseFeedRecord({ ...fulfillment, location: '' })).toMatchObject({ ok: false, feedId: '12' });
  });
});
