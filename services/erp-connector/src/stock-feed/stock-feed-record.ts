// Validation of one record of the ERP's stock change feed. The ERP is an external system:
// anything it sends is checked here, at the boundary, and a record that fails is
// dead-lettered with the reason instead of poisoning the flow.

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

const SKU_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/ ]{0,63}$/;
// Both end up in 64-character key columns downstream.
const MAX_LOCATION_LENGTH = 64;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readFeedId(record: Record<string, unknown>): string | undefined {
  const id = record.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return String(id);
  // The id becomes an int64 version carried as a JS number: it must stay a safe integer.
  if (typeof id === 'string' && /^[1-9][0-9]{0,15}$/.test(id) && Number.isSafeInteger(Number(id))) return id;
  return undefined;
}

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
  const changedAt = typeof lastModified === 'string' ? new Date(lastModified) : undefined;
  if (!changedAt || Number.isNaN(changedAt.getTime())) return fail(`lastModified ${JSON.stringify(lastModified)} is not a timestamp`);

  return { ok: true, change: { feedId, sku: item, locationId: location, onHand: quantityOnHand, changedAt } };
}
