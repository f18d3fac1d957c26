// Pure planning of one inventorySetQuantities push: which pending rows go out and with which
// compare-and-set value, the idempotency key, and what to do when Shopify answers with user
// errors. The pusher does the I/O around these decisions.
import { createHash } from 'node:crypto';
import type { ShopifyListing, ShopifyInventoryTarget } from '../listings/shopify-listing.mapper.js';
import { inventoryLevelRefKey, type ShopifyUserError } from '../shopify/shopify-admin.client.js';

/** Shopify's input array limit for inventorySetQuantities. */
export const MAX_PUSH_BATCH = 250;

/** Row-level refusal codes of the adapter itself (Shopify's own codes are passed through). */
export const NOT_LISTED = 'NOT_LISTED';
export const DUPLICATE_TARGET = 'DUPLICATE_INVENTORY_TARGET';
export const NOT_STOCKED = 'ITEM_NOT_STOCKED_AT_LOCATION';

const STALE_COMPARE_CODES = new Set(['CHANGE_FROM_QUANTITY_STALE', 'COMPARE_QUANTITY_STALE']);

/** What the planner needs of a pending desired_inventory row. */
export interface PendingDesired {
  sku: string;
  desiredQuantity: number;
  desiredVersion: number;
  sourceChangedAt: Date | null;
  /** The quantity last seen on Shopify; null when never seen. */
  shopifyQuantity: number | null;
}

export interface PushItem {
  sku: string;
  version: number;
  quantity: number;
  sourceChangedAt: Date | null;
  target: ShopifyInventoryTarget;
  /**
   * Compare-and-set: what we last saw on Shopify. Null (sent explicitly: no check) only before
   * the first push, when there is nothing to compare with; the mesh's number wins either way.
   */
  changeFromQuantity: number | null;
}

/** A row that cannot be pushed as it is; it is held until a newer version or the hold expires. */
export interface RefusedItem {
  sku: string;
  version: number;
  code: string;
  message: string;
}

export interface PushPlan {
  items: PushItem[];
  refused: RefusedItem[];
}

/** Pairs pending rows with their Shopify inventory level; rows without one are refused, not retried in a loop. */
export function planPush(rows: readonly PendingDesired[], listings: ReadonlyMap<string, ShopifyListing>): PushPlan {
  const items: PushItem[] = [];
  const refused: RefusedItem[] = [];
  const skuByTarget = new Map<string, string>();
  for (const row of rows) {
    const listing = listings.get(row.sku);
    if (!listing?.listed) {
      refused.push({ sku: row.sku, version: row.desiredVersion, code: NOT_LISTED, message: listing?.reason ?? 'no listing found' });
      continue;
    }
    // Shopify refuses a whole call that names one inventory level twice.
    const targetKey = inventoryLevelRefKey(listing.target);
    const holder = skuByTarget.get(targetKey);
    if (holder !== undefined) {
      refused.push({
        sku: row.sku,
        version: row.desiredVersion,
        code: DUPLICATE_TARGET,
        message: `SKU "${holder}" is listed with the same inventory item and location`,
      });
      continue;
    }
    skuByTarget.set(targetKey, row.sku);
    items.push({
      sku: row.sku,
      version: row.desiredVersion,
      quantity: row.desiredQuantity,
      sourceChangedAt: row.sourceChangedAt,
      target: listing.target,
      changeFromQuantity: row.shopifyQuantity,
    });
  }
  return { items, refused };
}

/**
 * The `@idempotent` key of a push: a digest of the account and of every (sku, version,
 * quantity, compare value) sent. A retry of the same request (timeout, 5xx, THROTTLED) reuses
 * it, so Shopify applies the push once; a push with other contents (a new version, a fresh
 * compare value after a mismatch) gets a new key, as Shopify requires.
 */
export function pushIdempotencyKey(channelAccountId: string, items: readonly PushItem[]): string {
  const contents = items
    .map((item) => [item.sku, item.version, item.quantity, item.changeFromQuantity] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const digest = createHash('sha256')
    .update(JSON.stringify([channelAccountId, contents]))
    .digest('hex');
  return `retail-mesh-availability-${digest.slice(0, 40)}`;
}

/** Shown in Shopify's inventory history: which mesh push made the change. */
export function pushReferenceDocumentUri(idempotencyKey: string): string {
  return `gid://retail-mesh/AvailabilityPush/${idempotencyKey.slice(idempotencyKey.lastIndexOf('-') + 1)}`;
}

export type UserErrorDecision =
  /** Send `items` again and hold `refused`; with `readBackFirst`, after reading their compare values back from Shopify. */
  | { action: 'retry'; items: PushItem[]; refused: RefusedItem[]; readBackFirst: boolean }
  /** An error about the call as a whole (bad reason, bad name): retrying the same call cannot help. */
  | { action: 'fail'; message: string };

/**
 * Decides what follows user errors (Shopify applied nothing: the call is all or nothing). Errors
 * naming a quantity refuse that row, except a stale compare value; after any stale compare every
 * remaining item's level is read back, so one more round converges however many levels moved.
 */
export function decideAfterUserErrors(items: readonly PushItem[], userErrors: readonly ShopifyUserError[]): UserErrorDecision {
  const refusedIndexes = new Map<number, ShopifyUserError>();
  let stale = false;
  for (const error of userErrors) {
    if (error.code !== null && STALE_COMPARE_CODES.has(error.code)) {
      stale = true;
      continue;
    }
    const index = quantityIndexOf(error.field);
    if (index === undefined || index >= items.length) {
      return { action: 'fail', message: `${error.code ?? 'ERROR'}: ${error.message}` };
    }
    if (!refusedIndexes.has(index)) refusedIndexes.set(index, error);
  }
  const refused: RefusedItem[] = [];
  const remaining: PushItem[] = [];
  items.forEach((item, index) => {
    const error = refusedIndexes.get(index);
    if (error) refused.push({ sku: item.sku, version: item.version, code: error.code ?? 'USER_ERROR', message: error.message });
    else remaining.push(item);
  });
  return { action: 'retry', items: remaining, refused, readBackFirst: stale };
}

/** `["input", "quantities", "3", "changeFromQuantity"]` -> 3. */
function quantityIndexOf(field: readonly string[] | null): number | undefined {
  if (!field || field[0] !== 'input' || field[1] !== 'quantities' || field[2] === undefined) return undefined;
  return /^\d+$/.test(field[2]) ? Number(field[2]) : undefined;
}

export interface ReadBackOutcome {
  /** The items with the compare value Shopify holds now. */
  items: PushItem[];
  /** Items whose inventory level no longer exists on Shopify. */
  refused: RefusedItem[];
  /** Levels changed behind the mesh's back: Shopify held neither what we last saw nor what we are setting. */
  drifted: Array<{ sku: string; expected: number | null; actual: number }>;
}

/** Applies read-back `available` quantities (by `inventoryLevelRefKey`; undefined = no such level) as the new compare values. */
export function applyReadBack(items: readonly PushItem[], available: ReadonlyMap<string, number | undefined>): ReadBackOutcome {
  const outcome: ReadBackOutcome = { items: [], refused: [], drifted: [] };
  for (const item of items) {
    const actual = available.get(inventoryLevelRefKey(item.target));
    if (actual === undefined) {
      outcome.refused.push({
        sku: item.sku,
        version: item.version,
        code: NOT_STOCKED,
        message: `Shopify has no inventory level for ${item.target.inventoryItemId} at ${item.target.locationId}`,
      });
      continue;
    }
    // Shopify already showing the quantity we are setting is our own earlier write that was not recorded (a crash mid-push), not drift.
    if (actual !== item.changeFromQuantity && actual !== item.quantity) {
      outcome.drifted.push({ sku: item.sku, expected: item.changeFromQuantity, actual });
    }
    outcome.items.push({ ...item, changeFromQuantity: actual });
  }
  return outcome;
}
