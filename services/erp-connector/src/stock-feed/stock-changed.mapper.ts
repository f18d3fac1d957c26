import { Events, toTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { eventIdFromName } from '@retail-mesh/messaging';
import type { OutgoingEvent } from '@retail-mesh/service-kit';
import type { StockFeedChange } from './stock-feed-record.js';

/**
 * The id of a batch is derived from the feed ids it carries, never random: a page read twice (a
 * rewound cursor, a second poller) yields the same id, and the outbox and inboxes drop it.
 */
export function stockChangeBatchEventId(changes: ReadonlyArray<Pick<StockFeedChange, 'feedId'>>): string {
  return eventIdFromName(`erp-stock-batch:${changes[0]!.feedId}-${changes.at(-1)!.feedId}:${changes.length}`);
}

/**
 * One event for the stock changes of a feed page (in feed order, at least one): its time is the
 * oldest change's, so a consumer's event age is that of the oldest fact it carries.
 */
export function toStockChangeBatchEvent(changes: readonly StockFeedChange[]): OutgoingEvent<erpEventsV1.StockChangeBatch> {
  if (changes.length === 0) throw new Error('a stock change batch needs at least one change');
  const first = changes[0]!;
  const last = changes.at(-1)!;
  return {
    definition: Events.erp.stockChangeBatch,
    payload: { changes: changes.map(stockChangedPayload) },
    subject: `erp-feed:${first.feedId}..${last.feedId}`,
    id: stockChangeBatchEventId(changes),
    time: changes.reduce((oldest, change) => (change.changedAt < oldest ? change.changedAt : oldest), first.changedAt),
  };
}

function stockChangedPayload(change: StockFeedChange): erpEventsV1.StockChanged {
  return {
    erpChangeId: change.feedId,
    sku: change.sku,
    locationId: change.locationId,
    onHand: change.onHand,
    version: Number(change.feedId),
    changedAt: toTimestamp(change.changedAt),
  };
}
