import { Events } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, eventIdFromName, newTraceparent } from './envelope.js';
import { PoisonMessageError } from './event-bus.js';

const changedAt = new Date('2026-11-27T05:00:00.123Z');

function stockChanged() {
  return encodeEvent({
    definition: Events.erp.stockChanged,
    payload: { erpChangeId: '42', sku: 'SKU-1', locationId: 'WH-1', onHand: 7, version: 42, changedAt: undefined },
    source: 'erp-connector',
    subject: 'SKU-1',
    id: eventIdFromName('erp-stock:42'),
    time: changedAt,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  });
}

describe('event envelope', () => {
  it('round-trips the payload and the envelope fields', () => {
    const message = stockChanged();
    expect(message.routingKey).toBe('erp.stock_changed');
    expect(message.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');

    const opened = decodeEvent(message, Events.erp.stockChanged);
    expect(opened.payload).toMatchObject({ erpChangeId: '42', sku: 'SKU-1', locationId: 'WH-1', onHand: 7, version: 42 });
    expect(opened.envelope).toMatchObject({
      id: message.id,
      type: 'retail.erp.v1.StockChanged',
      source: 'erp-connector',
      subject: 'SKU-1',
    });
    expect(opened.time).toEqual(changedAt);
  });

  it('puts the channel in the routing key of channel-scoped events and insists on it', () => {
    const payload = { channelAccountId: 'shop-eu', channel: 'shopify', sku: 'SKU-1', availableQuantity: 3, version: 9 };
    const base = { definition: Events.inventory.availabilityChanged, payload, source: 'inventory', subject: 'SKU-1' };
    expect(encodeEvent({ ...base, channel: 'shopify' }).routingKey).toBe('inventory.availability_changed.shopify');
    expect(() => encodeEvent(base)).toThrow(/needs a channel slug/);
  });

  it('derives the same event id from the same name, and different ids from different names', () => {
    expect(eventIdFromName('erp-stock:42')).toBe(eventIdFromName('erp-stock:42'));
    expect(eventIdFromName('erp-stock:42')).not.toBe(eventIdFromName('erp-stock:43'));
    expect(eventIdFromName('erp-stock:42')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('treats garbage and envelopes of another type as poison', () => {
    expect(() => decodeEvent({ body: Buffer.from('{"not":"protobuf"}') }, Events.erp.stockChanged)).toThrow(PoisonMessageError);
    expect(() => decodeEvent(stockChanged(), Events.inventory.availabilityChanged)).toThrow(
      /expected an envelope of retail.inventory.v1.AvailabilityChanged, got "retail.erp.v1.StockChanged"/,
    );
  });

  it('makes valid W3C traceparents', () => {
    expect(newTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
