import { Events, toTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { eventIdFromName, type BusMessage } from '@retail-mesh/messaging';
import type { OutgoingEvent } from '@retail-mesh/service-kit';
import type { StockFeedChange } from './stock-feed-record.js';

/**
 * The event id is derived from the feed id, never random: a record read twice (a rewound cursor,
 * a second poller, an ERP re-sending history) yields the same id, and consumers' inboxes drop it.
 */
export function stockChangedEventId(feedId: string): string {
  return eventIdFromName(`erp-stock:${feedId}`);
}

export function toStockChangedEvent(change: StockFeedChange): OutgoingEvent<erpEventsV1.StockChanged> {
  return {
    definition: Events.erp.stockChanged,
    payload: {
      erpChangeId: change.feedId,
      sku: change.sku,
      locationId: change.locationId,
      onHand: change.onHand,
      version: Number(change.feedId),
      changedAt: toTimestamp(change.changedAt),
    },
    subject: change.sku,
    id: stockChangedEventId(change.feedId),
    time: change.changedAt,
  };
}

/**
 * A rejected feed record as a dead letter: the raw record as JSON (what operations needs to see
 * and fix in the ERP), under the routing key its event would have had. The id is deterministic
 * too, so a re-read dead-letters a duplicate that operations can recognise.
 */
export function rejectedRecordMessage(raw: unknown, position: { feedId: string | undefined; after: string; index: number }): BusMessage {
  const name =
    position.feedId === undefined ? `erp-stock-rejected:${position.after}+${position.index}` : `erp-stock-rejected:${position.feedId}`;
  return {
    id: eventIdFromName(name),
    routingKey: Events.erp.stockChanged.routingKey,
    // The record came out of JSON.parse, so it serialises back.
    body: Buffer.from(JSON.stringify(raw), 'utf8'),
    headers: {
      'content-type': 'application/json',
      'x-erp-feed': 'stock',
      'x-erp-feed-after': position.after,
      ...(position.feedId === undefined ? {} : { 'x-erp-feed-id': position.feedId }),
    },
  };
}
