// One record of the ERP change feed, by its `type`: a stock change (also the records without a
// type, the feed's first format), an item fulfillment, or a sales order cancellation.
import {
  parseCancellationRecord,
  parseShipmentRecord,
  type CancellationFeedChange,
  type ShipmentFeedChange,
} from '../order-feed/order-feed-record.js';
import { parseStockFeedRecord, type StockFeedChange } from '../stock-feed/stock-feed-record.js';
import { isRecord, readFeedId } from './feed-record-fields.js';

export type FeedRecordType = 'stock_change' | 'item_fulfillment' | 'sales_order_cancellation';

export type FeedRecord =
  | { type: 'stock_change'; change: StockFeedChange }
  | { type: 'item_fulfillment'; change: ShipmentFeedChange }
  | { type: 'sales_order_cancellation'; change: CancellationFeedChange };

export type FeedRecordParseResult =
  { ok: true; record: FeedRecord } | { ok: false; type: FeedRecordType | 'unknown'; feedId: string | undefined; reason: string };

const TYPES: Record<string, FeedRecordType> = {
  stockChange: 'stock_change',
  itemFulfillment: 'item_fulfillment',
  salesOrderCancellation: 'sales_order_cancellation',
};

export function parseFeedRecord(raw: unknown): FeedRecordParseResult {
  const declared = isRecord(raw) ? raw.type : undefined;
  const type = declared === undefined ? 'stock_change' : typeof declared === 'string' ? TYPES[declared] : undefined;
  if (type === 'stock_change') {
    const parsed = parseStockFeedRecord(raw);
    return parsed.ok
      ? { ok: true, record: { type, change: parsed.change } }
      : { ok: false, type, feedId: parsed.feedId, reason: parsed.reason };
  }
  if (!isRecord(raw)) return { ok: false, type: 'unknown', feedId: undefined, reason: 'record is not a JSON object' };
  const feedId = readFeedId(raw);
  if (type === undefined) return { ok: false, type: 'unknown', feedId, reason: `unknown record type ${JSON.stringify(declared)}` };
  if (feedId === undefined) return { ok: false, type, feedId, reason: 'id must be a positive integer sequence number' };
  if (type === 'item_fulfillment') {
    const parsed = parseShipmentRecord(raw, feedId);
    return parsed.ok ? { ok: true, record: { type, change: parsed.change } } : { ok: false, type, feedId, reason: parsed.reason };
  }
  const parsed = parseCancellationRecord(raw, feedId);
  return parsed.ok ? { ok: true, record: { type, change: parsed.change } } : { ok: false, type, feedId, reason: parsed.reason };
}
