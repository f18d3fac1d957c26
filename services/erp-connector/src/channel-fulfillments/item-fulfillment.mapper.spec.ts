import { ordersEventsV1, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import type { ErpSalesOrderLine } from '../erp-client/erp-sales-order.client.js';
import {
  channelFulfillmentExternalId,
  channelFulfillmentIdempotencyKey,
  channelShipmentDecision,
  isOwnFulfillmentRecord,
  itemFulfillmentLines,
  shippedAtOf,
  toItemFulfillmentBody,
} from './item-fulfillment.mapper.js';

const SHIPMENT_ID = '0b6f3c1e-2a4d-5f10-8c3b-9d2e7a6f1b20';
const order = ordersV1.Order.fromPartial({
  orderId: 'order-1',
  channel: 'amazon',
  channelAccountId: 'amazon-us',
  channelOrderId: '113-1234567-7654321',
  erpOrderId: '5001',
  fulfilledByChannel: true,
  lines: [
    { lineId: 'L1', sku: 'MUG-BLUE', quantity: 4 },
    { lineId: 'L2', sku: 'CAP', quantity: 2 },
    { lineId: 'L3', sku: 'HAT', quantity: 1 },
  ],
});
const shipment = ordersV1.Shipment.fromPartial({
  shipmentId: SHIPMENT_ID,
  shippedAt: toTimestamp(new Date('2026-11-27T23:30:00Z')),
  lines: [{ lineId: 'L1', sku: 'MUG-BLUE', quantity: 3 }],
});
const erpLines: ErpSalesOrderLine[] = [
  { line: 1, sku: 'MUG-BLUE', quantity: 4, quantityFulfilled: 0, isClosed: false, orderLineId: 'L1' },
  { line: 2, sku: 'CAP', quantity: 2, quantityFulfilled: 0, isClosed: false, orderLineId: null },
  { line: 3, sku: 'HAT', quantity: 1, quantityFulfilled: 1, isClosed: false, orderLineId: 'L3' },
];
const shipped = (overrides: { order?: Partial<ordersV1.Order>; shipment?: Partial<ordersV1.Shipment> } = {}) =>
  ordersEventsV1.OrderShipped.fromPartial({ order: { ...order, ...overrides.order }, shipment: { ...shipment, ...overrides.shipment } });

describe('channelShipmentDecision', () => {
  it('records a shipment without an ERP id of an order the channel fulfils', () => {
    expect(channelShipmentDecision(shipped())).toMatchObject({
      kind: 'record',
      order: { orderId: 'order-1' },
      shipment: { shipmentId: SHIPMENT_ID },
    });
  });

  it('skips the ERP’s own shipments (they carry its id) and shipments of orders the seller ships', () => {
    expect(channelShipmentDecision(shipped({ shipment: { erpShipmentId: '8001' } }))).toEqual({
      kind: 'skip',
      reason: 'shipped by the ERP (item fulfillment 8001)',
    });
    expect(channelShipmentDecision(shipped({ order: { fulfilledByChannel: false } }))).toEqual({
      kind: 'skip',
      reason: 'not an order the channel fulfils',
    });
  });

  it('finds an event without order, shipment or lines invalid', () => {
    expect(channelShipmentDecision(ordersEventsV1.OrderShipped.fromPartial({ shipment }))).toMatchObject({ kind: 'invalid' });
    expect(channelShipmentDecision(ordersEventsV1.OrderShipped.fromPartial({ order }))).toMatchObject({ kind: 'invalid' });
    expect(channelShipmentDecision(shipped({ shipment: { lines: [] } }))).toMatchObject({ kind: 'invalid' });
  });
});

describe('itemFulfillmentLines', () => {
  it('fulfils the shipped units on the matching ERP line and leaves out every other line with something left', () => {
    expect(itemFulfillmentLines(order, shipment, erpLines)).toEqual({
      lines: [
        { orderLine: 1, itemReceive: true, quantity: 3 },
        { orderLine: 2, itemReceive: false },
      ],
      unmatched: [],
    });
  });

  it('matches by SKU a line without the mesh line id, adds two shipment lines of one order line, names unmatched lines', () => {
    const result = itemFulfillmentLines(
      order,
      ordersV1.Shipment.fromPartial({
        shipmentId: SHIPMENT_ID,
        lines: [
          { lineId: 'L2', sku: 'CAP', quantity: 1 },
          { lineId: 'L2', sku: 'CAP', quantity: 1 },
          { lineId: 'L9', sku: 'SOCK', quantity: 1 },
        ],
      }),
      erpLines,
    );
    expect(result).toEqual({
      lines: [
        { orderLine: 1, itemReceive: false },
        { orderLine: 2, itemReceive: true, quantity: 2 },
      ],
      unmatched: ['L9'],
    });
  });
});

describe('toItemFulfillmentBody', () => {
  it('is a shipped fulfillment dated when the channel shipped, naming the channel order and the mesh shipment', () => {
    const lines = itemFulfillmentLines(order, shipment, erpLines).lines;
    expect(toItemFulfillmentBody(order, shipment, lines, shippedAtOf(shipment, new Date(0)))).toEqual({
      externalId: `rm-shipment-${SHIPMENT_ID}`,
      tranDate: '2026-11-27',
      shipStatus: { id: 'C' },
      memo: `Shipped by amazon (fulfilled by the channel): amazon order 113-1234567-7654321, mesh shipment ${SHIPMENT_ID}`,
      custbody_rm_order_id: 'order-1',
      custbody_rm_shipment_id: SHIPMENT_ID,
      custbody_rm_channel: 'amazon',
      custbody_rm_channel_order_id: '113-1234567-7654321',
      item: { items: lines },
    });
    expect(channelFulfillmentExternalId(SHIPMENT_ID)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('falls back to the event time when the shipment has none', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    expect(shippedAtOf(ordersV1.Shipment.fromPartial({ shipmentId: SHIPMENT_ID }), at)).toEqual(at);
  });
});

describe('channelFulfillmentIdempotencyKey', () => {
  it('is a UUID fixed by the shipment', () => {
    expect(channelFulfillmentIdempotencyKey(SHIPMENT_ID)).toBe(channelFulfillmentIdempotencyKey(SHIPMENT_ID));
    expect(channelFulfillmentIdempotencyKey(SHIPMENT_ID)).not.toBe(channelFulfillmentIdempotencyKey('another'));
    expect(channelFulfillmentIdempotencyKey(SHIPMENT_ID)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('isOwnFulfillmentRecord', () => {
  it('recognises an item fulfillment record carrying the connector’s external id, and nothing else', () => {
    const record = (externalId: unknown) => ({ id: 7, type: 'itemFulfillment', itemFulfillment: { id: '8001', externalId } });
    expect(isOwnFulfillmentRecord(record(channelFulfillmentExternalId(SHIPMENT_ID)))).toBe(true);
    expect(isOwnFulfillmentRecord(record(null))).toBe(false);
    expect(isOwnFulfillmentRecord(record('WMS-8001'))).toBe(false);
    expect(isOwnFulfillmentRecord({ ...record(channelFulfillmentExternalId(SHIPMENT_ID)), type: 'salesOrderCancellation' })).toBe(false);
    expect(isOwnFulfillmentRecord({ id: 7, type: 'itemFulfillment' })).toBe(false);
    expect(isOwnFulfillmentRecord('itemFulfillment')).toBe(false);
  });
});
