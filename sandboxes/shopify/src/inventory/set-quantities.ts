// inventorySetQuantities: absolute quantities with compare-and-set, all or nothing. Any user
// error leaves every level untouched, as Shopify does.
import type { VersionFeatures } from '../api-versions.js';
import type { SetQuantitiesErrorCode } from '../graphql/admin-schema.js';
import type { AdjustmentChange, AdjustmentGroup, QuantityName, ShopRegistry, ShopState } from '../shops/shop-registry.js';

export const SETTABLE_NAMES = ['available', 'on_hand'] as const;
export const MAX_QUANTITY = 1_000_000_000;
export const MAX_INPUT_ITEMS = 250;

// The reasons Shopify accepts for inventory changes.
export const INVENTORY_REASONS = [
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_deleted',
  'reservation_updated',
  'restock',
  'safety_stock',
  'shrinkage',
];

export interface QuantityInput {
  inventoryItemId: string;
  locationId: string;
  quantity: number;
  compareQuantity?: number | null;
  /** Present (even as null) only when the client sent it: presence matters. */
  changeFromQuantity?: number | null;
}

export interface SetQuantitiesInput {
  name: string;
  reason: string;
  referenceDocumentUri?: string | null;
  ignoreCompareQuantity?: boolean | null;
  quantities: QuantityInput[];
}

export interface UserError {
  code: SetQuantitiesErrorCode;
  field: string[] | null;
  message: string;
}

export interface SetQuantitiesResult {
  group: AdjustmentGroup | null;
  userErrors: UserError[];
}

const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

function compareError(
  shop: ShopState,
  input: SetQuantitiesInput,
  quantity: QuantityInput,
  index: number,
  features: VersionFeatures,
): UserError | undefined {
  const current = shop.level(quantity.inventoryItemId, quantity.locationId)?.quantities[input.name as QuantityName];
  const field = (name: string) => ['input', 'quantities', String(index), name];
  if (features.changeFromQuantity && 'changeFromQuantity' in quantity) {
    if (quantity.changeFromQuantity === null || quantity.changeFromQuantity === undefined || quantity.changeFromQuantity === current)
      return undefined;
    return {
      code: 'CHANGE_FROM_QUANTITY_STALE',
      field: field('changeFromQuantity'),
      message: 'The changeFromQuantity value does not match persisted value.',
    };
  }
  if (features.changeFromQuantityRequired) {
    // From 2026-04 the field must be sent explicitly; Shopify's exact error for its absence is not documented.
    return {
      code: 'COMPARE_QUANTITY_REQUIRED',
      field: field('changeFromQuantity'),
      message: 'The changeFromQuantity argument must be given to each quantity (pass null to skip the check).',
    };
  }
  if (input.ignoreCompareQuantity === true) return undefined;
  if (quantity.compareQuantity === undefined || quantity.compareQuantity === null) {
    return {
      code: 'COMPARE_QUANTITY_REQUIRED',
      field: field('compareQuantity'),
      message: 'The compareQuantity argument must be given to each quantity or ignored using ignoreCompareQuantity.',
    };
  }
  if (quantity.compareQuantity !== current) {
    return {
      code: 'COMPARE_QUANTITY_STALE',
      field: field('compareQuantity'),
      message: 'The compareQuantity value does not match persisted value.',
    };
  }
  return undefined;
}

export function validateSetQuantities(shop: ShopState, input: SetQuantitiesInput, features: VersionFeatures): UserError[] {
  const errors: UserError[] = [];
  if (!(SETTABLE_NAMES as readonly string[]).includes(input.name)) {
    errors.push({ code: 'INVALID_NAME', field: ['input', 'name'], message: "The quantity name must be either 'available' or 'on_hand'." });
  }
  if (!INVENTORY_REASONS.includes(input.reason))
    errors.push({ code: 'INVALID_REASON', field: ['input', 'reason'], message: 'The specified reason is invalid.' });
  if (input.referenceDocumentUri != null && !URI_PATTERN.test(input.referenceDocumentUri)) {
    errors.push({
      code: 'INVALID_REFERENCE_DOCUMENT',
      field: ['input', 'referenceDocumentUri'],
      message: 'The specified reference document is invalid.',
    });
  }
  if (errors.length > 0) return errors;

  const seen = new Set<string>();
  for (const [index, quantity] of input.quantities.entries()) {
    const field = (name: string) => ['input', 'quantities', String(index), name];
    const pair = `${quantity.inventoryItemId}|${quantity.locationId}`;
    if (!shop.itemVariants.has(quantity.inventoryItemId)) {
      errors.push({
        code: 'INVALID_INVENTORY_ITEM',
        field: field('inventoryItemId'),
        message: 'The specified inventory item could not be found.',
      });
    } else if (!shop.locations.has(quantity.locationId)) {
      errors.push({ code: 'INVALID_LOCATION', field: field('locationId'), message: 'The specified location could not be found.' });
    } else if (!shop.level(quantity.inventoryItemId, quantity.locationId)) {
      errors.push({
        code: 'ITEM_NOT_STOCKED_AT_LOCATION',
        field: field('locationId'),
        message: 'The specified inventory item is not stocked at the location.',
      });
    } else if (seen.has(pair)) {
      errors.push({
        code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
        field: ['input', 'quantities'],
        message: 'The combination of inventoryItemId and locationId must be unique.',
      });
    } else if (quantity.quantity < 0) {
      errors.push({ code: 'INVALID_QUANTITY_NEGATIVE', field: field('quantity'), message: "The quantity can't be negative." });
    } else if (quantity.quantity > MAX_QUANTITY) {
      errors.push({
        code: 'INVALID_QUANTITY_TOO_HIGH',
        field: field('quantity'),
        message: "The total quantity can't be higher than 1,000,000,000.",
      });
    } else {
      const stale = compareError(shop, input, quantity, index, features);
      if (stale) errors.push(stale);
    }
    seen.add(pair);
  }
  return errors;
}

/** Validates, then applies every quantity and records one adjustment group (or nothing). */
export function setQuantities(
  registry: ShopRegistry,
  shop: ShopState,
  input: SetQuantitiesInput,
  features: VersionFeatures,
  idempotencyKey: string | null,
): SetQuantitiesResult {
  const userErrors = validateSetQuantities(shop, input, features);
  if (userErrors.length > 0) return { group: null, userErrors };

  const name = input.name as 'available' | 'on_hand';
  // Setting one of the two moves the other by the same delta: committed units stay committed.
  const other: QuantityName = name === 'available' ? 'on_hand' : 'available';
  const createdAt = registry.timestamp();
  const group: AdjustmentGroup = {
    id: registry.newId('InventoryAdjustmentGroup').id,
    createdAt,
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    changes: [],
  };
  for (const quantity of input.quantities) {
    const level = shop.level(quantity.inventoryItemId, quantity.locationId);
    if (!level) continue;
    const delta = quantity.quantity - level.quantities[name];
    level.appliedMutations += 1;
    if (delta === 0) continue;
    level.quantities[name] = quantity.quantity;
    level.quantities[other] += delta;
    level.updatedAt = createdAt;
    for (const changed of [name, other]) {
      const change: AdjustmentChange = {
        name: changed,
        delta,
        quantityAfterChange: level.quantities[changed],
        inventoryItemId: quantity.inventoryItemId,
        locationId: quantity.locationId,
      };
      group.changes.push(change);
      level.history.push({
        adjustmentGroupId: group.id,
        name: changed,
        delta,
        quantityAfterChange: change.quantityAfterChange,
        reason: input.reason,
        referenceDocumentUri: group.referenceDocumentUri,
        idempotencyKey,
        at: createdAt,
      });
    }
  }
  shop.counters.mutationsApplied += 1;
  if (shop.levelListeners.size > 0) {
    for (const change of group.changes) {
      if (change.name !== name) continue;
      const level = shop.level(change.inventoryItemId, change.locationId)!;
      for (const listener of shop.levelListeners) listener(level);
    }
  }
  return { group, userErrors: [] };
}
