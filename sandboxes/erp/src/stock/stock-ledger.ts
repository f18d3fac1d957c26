// The ERP's stock positions (SKU x location). Every change is appended to the change feed, as the
// change-log script of a real account would record an inventory adjustment or a fulfillment.
import type { ChangeFeed, FeedRecordBase } from '../feed/change-feed.js';
import type { ItemCatalog } from '../items/item-catalog.js';

export interface StockChangeInput {
  sku: string;
  location: string;
  onHand: number;
}

/** A stock change as the feed RESTlet returns it. */
export interface StockFeedRecord extends FeedRecordBase {
  type: 'stockChange';
  item: string;
  location: string;
  quantityOnHand: number;
}

export interface StockPosition {
  sku: string;
  location: string;
  onHand: number;
  lastModified: string;
  /** Sequence number of the feed record that set this position. */
  feedId: number;
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

  constructor(
    private readonly now: () => number,
    private readonly feed: ChangeFeed,
    private readonly items: ItemCatalog,
  ) {}

  clear(): void {
    this.positions.clear();
  }

  /**
   * Sets the on-hand quantity and appends the change to the feed (even when the value is
   * unchanged, as an ERP re-save would). A SKU with stock is an item the ERP knows.
   */
  setOnHand(change: StockChangeInput): StockFeedRecord {
    this.items.ensure(change.sku);
    const record = this.feed.append<StockFeedRecord>({
      type: 'stockChange',
      item: change.sku,
      location: change.location,
      quantityOnHand: change.onHand,
      lastModified: new Date(this.now()).toISOString(),
    });
    this.positions.set(positionKey(change.sku, change.location), {
      sku: change.sku,
      location: change.location,
      onHand: change.onHand,
      lastModified: record.lastModified,
      feedId: record.id,
    });
    return record;
  }

  /** Lowers (or raises) on hand by `delta`; the result may go negative, as ERPs allow. */
  adjust(sku: string, location: string, delta: number): StockFeedRecord {
    const current = this.positions.get(positionKey(sku, location))?.onHand ?? 0;
    return this.setOnHand({ sku, location, onHand: current + delta });
  }

  listPositions(sku?: string): StockPosition[] {
    return [...this.positions.values()].filter((position) => sku === undefined || position.sku === sku);
  }
}

function positionKey(sku: string, location: string): string {
  return `${sku}\u0000${location}`;
}
