// The ERP's stock positions (SKU x location) and their change feed. NetSuite has no native change
// feed; integrations expose one through a RESTlet reading a custom change-log record, which is what
// this ledger stands for. Every change is appended with a monotonic sequence number.

export interface StockChangeInput {
  sku: string;
  location: string;
  onHand: number;
}

/** A feed record as the RESTlet returns it. `id` is the feed sequence number (a JSON number). */
export interface StockFeedRecord {
  id: number;
  item: string;
  location: string;
  quantityOnHand: number;
  lastModified: string;
}

export interface StockPosition {
  sku: string;
  location: string;
  onHand: number;
  lastModified: string;
  /** Sequence number of the feed record that set this position. */
  feedId: number;
}

/** One feed slot. `record` is a StockFeedRecord, or whatever a test appended raw. */
export interface StockFeedEntry {
  seq: number;
  record: unknown;
}

export interface StockFeedPage {
  items: unknown[];
  hasMore: boolean;
  /** Cursor to pass as `after` next time: the sequence number of the last item returned. */
  nextCursor: string;
}

export type StockChangeValidation = { ok: true; change: StockChangeInput } | { ok: false; error: string };

export function validateStockChange(value: unknown): StockChangeValidation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'a stock change must be an object' };
  const { sku, location, onHand } = value as Record<string, unknown>;
  if (typeof sku !== 'string' || sku.trim() === '') return { ok: false, error: 'sku must be a non-empty string' };
  if (typeof location !== 'string' || location.trim() === '') return { ok: false, error: 'location must be a non-empty string' };
  if (typeof onHand !== 'number' || !Number.isSafeInteger(onHand) || onHand < 0)
    return { ok: false, error: 'onHand must be a non-negative integer' };
  return { ok: true, change: { sku, location, onHand } };
}

export class StockLedger {
  private readonly positions = new Map<string, StockPosition>();
  private readonly feed: StockFeedEntry[] = [];

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.positions.clear();
    this.feed.length = 0;
  }

  /** Sets the on-hand quantity and appends the change to the feed (even when the value is unchanged, as an ERP re-save would). */
  setOnHand(change: StockChangeInput): StockFeedRecord {
    const record: StockFeedRecord = {
      id: this.feed.length + 1,
      item: change.sku,
      location: change.location,
      quantityOnHand: change.onHand,
      lastModified: new Date(this.now()).toISOString(),
    };
    this.feed.push({ seq: record.id, record });
    this.positions.set(`${change.sku}\u0000${change.location}`, {
      sku: change.sku,
      location: change.location,
      onHand: change.onHand,
      lastModified: record.lastModified,
      feedId: record.id,
    });
    return record;
  }

  /**
   * Appends an arbitrary record, for tests of malformed input. An object without an `id` gets the
   * next sequence number as its id, so consumers can still move their cursor past it.
   */
  appendRaw(raw: unknown): StockFeedEntry {
    const seq = this.feed.length + 1;
    const isPlainObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
    const record = isPlainObject && !('id' in raw) ? { id: seq, ...raw } : raw;
    const entry = { seq, record };
    this.feed.push(entry);
    return entry;
  }

  /** The records after feed position `after`, oldest first. */
  read(after: number, limit: number): StockFeedPage {
    const slice = this.feed.slice(after, after + limit);
    const last = slice.at(-1);
    return {
      items: slice.map((entry) => entry.record),
      hasMore: after + slice.length < this.feed.length,
      nextCursor: String(last ? last.seq : Math.min(after, this.feed.length)),
    };
  }

  listPositions(sku?: string): StockPosition[] {
    return [...this.positions.values()].filter((position) => sku === undefined || position.sku === sku);
  }

  entries(): StockFeedEntry[] {
    return [...this.feed];
  }
}
