import { describe, expect, it } from 'vitest';
import type { ShopifyListing } from '../listings/shopify-listing.mapper.js';
import { inventoryLevelRefKey } from '../shopify/shopify-admin.client.js';
import {
  applyReadBack,
  decideAfterUserErrors,
  DUPLICATE_TARGET,
  NOT_LISTED,
  NOT_STOCKED,
  planPush,
  pushIdempotencyKey,
  pushReferenceDocumentUri,
  type PendingDesired,
  type PushItem,
} from './availability-push.js';

const location = 'gid://shopify/Location/1';

function row(sku: string, overrides: Partial<PendingDesired> = {}): PendingDesired {
  return { sku, desiredQuantity: 10, desiredVersion: 4, sourceChangedAt: null, shopifyQuantity: 8, ...overrides };
}

function listed(sku: string, item: number): ShopifyListing {
  return {
    listed: true,
    sku,
    target: { inventoryItemId: `gid://shopify/InventoryItem/${item}`, locationId: location },
    productId: 'gid://shopify/Product/1',
    variantId: `gid://shopify/ProductVariant/${item}`,
  };
}

function item(sku: string, itemNumber: number, overrides: Partial<PushItem> = {}): PushItem {
  return {
    sku,
    version: 4,
    quantity: 10,
    sourceChangedAt: null,
    target: { inventoryItemId: `gid://shopify/InventoryItem/${itemNumber}`, locationId: location },
    changeFromQuantity: 8,
    ...overrides,
  };
}

describe('planPush', () => {
  it('pairs each pending row with its inventory level and uses the last seen quantity as the compare value', () => {
    const changedAt = new Date('2026-03-02T10:00:00Z');
    const plan = planPush(
      [row('A', { sourceChangedAt: changedAt }), row('B', { shopifyQuantity: null, desiredQuantity: 0, desiredVersion: 9 })],
      new Map([
        ['A', listed('A', 1)],
        ['B', listed('B', 2)],
      ]),
    );
    expect(plan).toEqual({
      items: [item('A', 1, { sourceChangedAt: changedAt }), item('B', 2, { quantity: 0, version: 9, changeFromQuantity: null })],
      refused: [],
    });
  });

  it('refuses rows without a listing, with the reason, instead of sending them', () => {
    const plan = planPush(
      [row('A'), row('B'), row('C')],
      new Map<string, ShopifyListing>([
        ['A', listed('A', 1)],
        ['B', { listed: false, sku: 'B', reason: 'the listing has no external_location_id' }],
      ]),
    );
    expect(plan.items.map((planned) => planned.sku)).toEqual(['A']);
    expect(plan.refused).toEqual([
      { sku: 'B', version: 4, code: NOT_LISTED, message: 'the listing has no external_location_id' },
      { sku: 'C', version: 4, code: NOT_LISTED, message: 'no listing found' },
    ]);
  });

  it('refuses a second SKU listed on the same inventory level (Shopify would refuse the whole call)', () => {
    const plan = planPush(
      [row('A'), row('B')],
      new Map([
        ['A', listed('A', 1)],
        ['B', listed('B', 1)],
      ]),
    );
    expect(plan.items.map((planned) => planned.sku)).toEqual(['A']);
    expect(plan.refused).toEqual([
      { sku: 'B', version: 4, code: DUPLICATE_TARGET, message: 'SKU "A" is listed with the same inventory item and location' },
    ]);
  });
});

describe('pushIdempotencyKey', () => {
  it('is the same for the same contents in any order, so a retried request is recognised', () => {
    const key = pushIdempotencyKey('shopify-b2c', [item('A', 1), item('B', 2)]);
    expect(pushIdempotencyKey('shopify-b2c', [item('B', 2), item('A', 1)])).toBe(key);
    expect(key).toMatch(/^retail-mesh-availability-[0-9a-f]{40}$/);
  });

  it('changes with the account, a version, a quantity or a compare value', () => {
    const key = pushIdempotencyKey('shopify-b2c', [item('A', 1)]);
    expect(pushIdempotencyKey('shopify-b2b', [item('A', 1)])).not.toBe(key);
    expect(pushIdempotencyKey('shopify-b2c', [item('A', 1, { version: 5 })])).not.toBe(key);
    expect(pushIdempotencyKey('shopify-b2c', [item('A', 1, { quantity: 11 })])).not.toBe(key);
    expect(pushIdempotencyKey('shopify-b2c', [item('A', 1, { changeFromQuantity: 7 })])).not.toBe(key);
    expect(pushIdempotencyKey('shopify-b2c', [item('A', 1, { changeFromQuantity: null })])).not.toBe(key);
  });

  it('names the push in the reference document URI', () => {
    const key = pushIdempotencyKey('shopify-b2c', [item('A', 1)]);
    expect(pushReferenceDocumentUri(key)).toBe(`gid://retail-mesh/AvailabilityPush/${key.slice(-40)}`);
  });
});

describe('decideAfterUserErrors', () => {
  const items = [item('A', 1), item('B', 2), item('C', 3)];
  const stale = (index: number) => ({
    code: 'CHANGE_FROM_QUANTITY_STALE',
    field: ['input', 'quantities', String(index), 'changeFromQuantity'],
    message: 'The changeFromQuantity value does not match persisted value.',
  });
  const notStocked = (index: number) => ({
    code: 'ITEM_NOT_STOCKED_AT_LOCATION',
    field: ['input', 'quantities', String(index), 'locationId'],
    message: 'The specified inventory item is not stocked at the location.',
  });

  it('after a stale compare value, reads every item back before sending again', () => {
    expect(decideAfterUserErrors(items, [stale(1)])).toEqual({ action: 'retry', items, refused: [], readBackFirst: true });
  });

  it('refuses the items an error names and sends the rest again as they were', () => {
    expect(decideAfterUserErrors(items, [notStocked(2)])).toEqual({
      action: 'retry',
      items: [items[0], items[1]],
      refused: [
        {
          sku: 'C',
          version: 4,
          code: 'ITEM_NOT_STOCKED_AT_LOCATION',
          message: 'The specified inventory item is not stocked at the location.',
        },
      ],
      readBackFirst: false,
    });
  });

  it('does both when both happen', () => {
    const decision = decideAfterUserErrors(items, [stale(0), notStocked(1)]);
    expect(decision).toMatchObject({ action: 'retry', items: [items[0], items[2]], readBackFirst: true });
  });

  it('fails the call for an error about the call as a whole', () => {
    expect(
      decideAfterUserErrors(items, [{ code: 'INVALID_REASON', field: ['input', 'reason'], message: 'The specified reason is invalid.' }]),
    ).toEqual({
      action: 'fail',
      message: 'INVALID_REASON: The specified reason is invalid.',
    });
    expect(decideAfterUserErrors(items, [{ ...notStocked(0), field: ['input', 'quantities', '7', 'locationId'] }])).toMatchObject({
      action: 'fail',
    });
  });
});

describe('applyReadBack', () => {
  it('takes what Shopify holds now as the compare value and reports drift', () => {
    const items = [item('A', 1), item('B', 2), item('C', 3, { changeFromQuantity: null })];
    const outcome = applyReadBack(
      items,
      new Map([
        [inventoryLevelRefKey(items[0].target), 8],
        [inventoryLevelRefKey(items[1].target), 5],
        [inventoryLevelRefKey(items[2].target), 3],
      ]),
    );
    expect(outcome.items.map((planned) => planned.changeFromQuantity)).toEqual([8, 5, 3]);
    expect(outcome.drifted).toEqual([
      { sku: 'B', expected: 8, actual: 5 },
      { sku: 'C', expected: null, actual: 3 },
    ]);
    expect(outcome.refused).toEqual([]);
  });

  it('does not count our own unrecorded write as drift', () => {
    const outcome = applyReadBack([item('A', 1)], new Map([[inventoryLevelRefKey(item('A', 1).target), 10]]));
    expect(outcome.drifted).toEqual([]);
    expect(outcome.items[0].changeFromQuantity).toBe(10);
  });

  it('refuses an item whose level no longer exists', () => {
    const outcome = applyReadBack([item('A', 1)], new Map([[inventoryLevelRefKey(item('A', 1).target), undefined]]));
    expect(outcome.items).toEqual([]);
    expect(outcome.refused).toMatchObject([{ sku: 'A', version: 4, code: NOT_STOCKED }]);
  });
});
