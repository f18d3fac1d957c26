import { Events, fromTimestamp } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { orderCancelledEventId, shipmentCreatedEventId, toOrderCancelledEvent, toShipmentCreatedEvent } from './order-events.mapper.js';

const shippedAt = new Date('2026-11-27T05:00:00Z');
const shipment = {
  feedId: '12',
  erpOrderId: '5001',
  orderReference: 'order-1',
  erpShipmentId: '8001',
  locationId: 'WH-EAST',
  carrier: 'UPS',
  serviceLevel: 'UPS Ground',
  trackingNumber: '1Z999',
  trackingUrl: 'https://ups.example/1Z999',
  shippedAt,
  changedAt: shippedAt,
  lines: [
    { erpLine: 1, sku: 'MUG-BLUE', quantity: 2, orderLineId: 'L1' },
    { erpLine: null, sku: 'CAP', quantity: 1, orderLineId: null },
  ],
};

describe('order feed events', () => {
  it('a shipment carries the mesh order id, the feed sequence as version and its lines', () => {
    const event = toShipmentCreatedEvent(shipment, 'order-9');
    expect(event.definition).toBe(Events.erp.shipmentCreated);
    expect(event).toMatchObject({ subject: 'order-9', id: shipmentCreatedEventId('12'), time: shippedAt });
    expect(event.payload).toMatchObject({
      erpChangeId: '12',
      version: 12,
      erpShipmentId: '8001',
      erpOrderId: '5001',
      orderId: 'order-9',
      locationId: 'WH-EAST',
      carrier: 'UPS',
      serviceLevel: 'UPS Ground',
      trackingNumber: '1Z999',
      lines: [
        { orderLineId: 'L1', sku: 'MUG-BLUE', quantity: 2 },
        { orderLineId: '', sku: 'CAP', quantity: 1 },
      ],
    });
    expect(fromTimestamp(event.payload.shippedAt!)).toEqual(shippedAt);
  });

  it('a cancellation keeps its lines (empty: the whole order) and reason; ids differ by record type and feed id', () => {
    const event = toOrderCancelledEvent(
      { feedId: '13', erpOrderId: '5001', orderReference: null, reason: 'fraud', cancelledAt: shippedAt, changedAt: shippedAt, lines: [] },
      'order-9',
    );
    expect(event.definition).toBe(Events.erp.orderCancelled);
    expect(event.payload).toMatchObject({ erpChangeId: '13', version: 13, orderId: 'order-9', lines: [], reason: 'fraud' });
    expect(event.id).toBe(orderCancelledEventId('13'));
    expect(orderCancelledEventId('13')).not.toBe(shipmentCreatedEventId('13'));
  });
});
