import { describe, expect, it } from 'vitest';
import { deadLetterQueueOf, ORDER_FEED_QUEUE, rejectedRecordMessage, STOCK_FEED_QUEUE } from './rejected-record.js';

describe('rejectedRecordMessage', () => {
  it('carries the raw record and where it was found', () => {
    const message = rejectedRecordMessage({ id: 7, item: '' }, { feedId: '7', after: '6', index: 0 });
    expect(JSON.parse(message.body.toString('utf8'))).toEqual({ id: 7, item: '' });
    expect(message.routingKey).toBe('erp.stock_changed');
    expect(message.headers).toMatchObject({
      'content-type': 'application/json',
      'x-erp-feed-id': '7',
      'x-erp-feed-after': '6',
      'x-erp-record-type': 'stock_change',
    });
  });

  it('names a record without an id by its position, deterministically', () => {
    const first = rejectedRecordMessage('garbage', { feedId: undefined, after: '6', index: 2 });
    expect(first.id).toBe(rejectedRecordMessage('garbage', { feedId: undefined, after: '6', index: 2 }).id);
    expect(first.id).not.toBe(rejectedRecordMessage('garbage', { feedId: undefined, after: '6', index: 3 }).id);
    expect(first.headers['x-erp-feed-id']).toBeUndefined();
  });

  it('uses the routing key of the event an order record would have become', () => {
    const shipment = rejectedRecordMessage({ id: 9 }, { feedId: '9', after: '8', index: 0 }, 'item_fulfillment');
    expect(shipment.routingKey).toBe('erp.shipment_created');
    expect(shipment.id).not.toBe(rejectedRecordMessage({ id: 9 }, { feedId: '9', after: '8', index: 0 }).id);
    expect(rejectedRecordMessage({ id: 9 }, { feedId: '9', after: '8', index: 0 }, 'sales_order_cancellation').routingKey).toBe(
      'erp.order_cancelled',
    );
  });

  it('sends stock records to the stock feed DLQ and every other record to the order feed DLQ', () => {
    expect(deadLetterQueueOf('stock_change')).toBe(STOCK_FEED_QUEUE);
    expect(['item_fulfillment', 'sales_order_cancellation', 'unknown'].map((type) => deadLetterQueueOf(type as never))).toEqual([
      ORDER_FEED_QUEUE,
      ORDER_FEED_QUEUE,
      ORDER_FEED_QUEUE,
    ]);
  });
});
