import { Events, toTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { eventIdFromName } from '@retail-mesh/messaging';
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
