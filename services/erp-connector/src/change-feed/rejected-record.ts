import { Events } from '@retail-mesh/contracts';
import { eventIdFromName, type BusMessage } from '@retail-mesh/messaging';
import type { FeedRecordType } from './feed-record.js';

/** Rejected stock records (and records that are not even objects) go to `<this>.dlq`. */
export const STOCK_FEED_QUEUE = 'erp-connector.stock-feed';
/** Rejected item fulfillments, cancellations and records of an unknown type go to `<this>.dlq`. */
export const ORDER_FEED_QUEUE = 'erp-connector.order-feed';

const ROUTING_KEYS: Record<FeedRecordType | 'unknown', string> = {
  stock_change: Events.erp.stockChanged.routingKey,
  item_fulfillment: Events.erp.shipmentCreated.routingKey,
  sales_order_cancellation: Events.erp.orderCancelled.routingKey,
  unknown: 'erp.change_feed',
};

export function deadLetterQueueOf(type: FeedRecordType | 'unknown'): string {
  return type === 'stock_change' ? STOCK_FEED_QUEUE : ORDER_FEED_QUEUE;
}

/**
 * A rejected feed record as a dead letter: the raw record as JSON (what operations needs to see
 * and fix in the ERP), under the routing key its event would have had. The id is deterministic
 * too, so a re-read dead-letters a duplicate that operations can recognise.
 */
export function rejectedRecordMessage(
  raw: unknown,
  position: { feedId: string | undefined; after: string; index: number },
  type: FeedRecordType | 'unknown' = 'stock_change',
): BusMessage {
  const prefix = type === 'stock_change' ? 'erp-stock-rejected' : 'erp-feed-rejected';
  const name = position.feedId === undefined ? `${prefix}:${position.after}+${position.index}` : `${prefix}:${position.feedId}`;
  return {
    id: eventIdFromName(name),
    routingKey: ROUTING_KEYS[type],
    // The record came out of JSON.parse, so it serialises back.
    body: Buffer.from(JSON.stringify(raw), 'utf8'),
    headers: {
      'content-type': 'application/json',
      'x-erp-feed': 'stock',
      'x-erp-record-type': type,
      'x-erp-feed-after': position.after,
      ...(position.feedId === undefined ? {} : { 'x-erp-feed-id': position.feedId }),
    },
  };
}
