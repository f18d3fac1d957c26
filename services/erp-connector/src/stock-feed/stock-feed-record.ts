// Validation of a stock change record of the ERP change feed (`type` "stockChange", or no type:
// the feed's first records had none).
import { isRecord, MAX_LOCATION_LENGTH, readFeedId, readTimestamp, SKU_PATTERN } from '../change-feed/feed-record-fields.js';

export interface StockFeedChange {
  /** The feed's own sequence number: the event's version and the source of its id. */
  feedId: string;
  sku: string;
  locationId: string;
  /** Absolute on-hand quantity. May be negative: an ERP that allows negative inventory reports it. */
  onHand: number;
  changedAt: Date;
}

export type StockFeedParseResult = { ok: true; change: StockFeedChange } | { ok: false; feedId: string | undefined; reason: string };

export function parseStockFeedRecord(raw: unknown): StockFeedParseResult {
  if (!isRecord(raw)) return { ok: false, feedId: undefined, reason: 'record is not a JSON object' };
  const feedId = readFeedId(raw);
  if (feedId === undefined) return { ok: false, feedId: undefined, reason: 'id must be a positive integer sequence number' };
  const fail = (reason: string): StockFeedParseResult => ({ ok: false, feedId, reason });

  const { item, location, quantityOnHand, lastModified } = raw;
  if (typeof item !== 'string' || !SKU_PATTERN.test(item)) return fail(`item (SKU) ${JSON.stringify(item)} is not a valid SKU`);
  if (typeof location !== 'string' || location.trim() === '') return fail('location is missing');
  if (location.length > MAX_LOCATION_LENGTH) return fail(`location is longer than ${MAX_LOCATION_LENGTH} characters`);
  if (typeof quantityOnHand !== 'number' || !Number.isSafeInteger(quantityOnHand)) {
    return fail(`quantityOnHand ${JSON.stringify(quantityOnHand)} is not an integer`);
  }
  // A negative on-hand is kept, not rejected: dropping it would leave the last positive figure
  // in place and channels would keep selling stock the ERP says is gone.
  const changedAt = readTimestamp(lastModified);
  if (!changedAt) return fail(`lastModified ${JSON.stringify(lastModified)} is not a timestamp`);

  return { ok: true, change: { feedId, sku: item, locationId: location, onHand: quantityOnHand, changedAt } };
}
