import { catalogV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { toShopifyGid, toShopifyListing } from './shopify-listing.mapper.js';

function listing(overrides: Partial<catalogV1.ChannelListing> = {}): catalogV1.ChannelListing {
  return catalogV1.ChannelListing.fromPartial({
    channelAccountId: 'shopify-b2c',
    channel: 'shopify',
    sku: 'TEE-M',
    externalProductId: 'gid://shopify/Product/10',
    externalVariantId: '40000000001',
    externalInventoryItemId: 'gid://shopify/InventoryItem/45000000001',
    externalLocationId: '70000000001',
    status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
    ...overrides,
  });
}

describe('toShopifyGid', () => {
  it('keeps a gid of the right kind and builds one from a numeric id', () => {
    expect(toShopifyGid('Location', 'gid://shopify/Location/7')).toBe('gid://shopify/Location/7');
    expect(toShopifyGid('Location', ' 7 ')).toBe('gid://shopify/Location/7');
  });

  it('rejects a gid of another kind and anything else', () => {
    expect(toShopifyGid('Location', 'gid://shopify/InventoryItem/7')).toBeUndefined();
    expect(toShopifyGid('Location', 'warehouse-1')).toBeUndefined();
    expect(toShopifyGid('Location', '007')).toBeUndefined();
  });
});

describe('toShopifyListing', () => {
  it('maps the listing to the inventory level and normalises ids to gids', () => {
    expect(toShopifyListing('TEE-M', listing())).toEqual({
      listed: true,
      sku: 'TEE-M',
      target: { inventoryItemId: 'gid://shopify/InventoryItem/45000000001', locationId: 'gid://shopify/Location/70000000001' },
      productId: 'gid://shopify/Product/10',
      variantId: 'gid://shopify/ProductVariant/40000000001',
    });
  });

  it.each([
    ['no listing', undefined, /no listing/],
    ['no inventory item', listing({ externalInventoryItemId: '' }), /no external_inventory_item_id/],
    ['no location', listing({ externalLocationId: '' }), /no external_location_id/],
    [
      'an inventory item of another kind',
      listing({ externalInventoryItemId: 'gid://shopify/ProductVariant/1' }),
      /not a Shopify InventoryItem id/,
    ],
    ['a location that is not a Shopify id', listing({ externalLocationId: 'DC-1' }), /not a Shopify Location id/],
  ])('reports %s as not listed, with the reason', (_case, input, reason) => {
    const result = toShopifyListing('TEE-M', input);
    expect(result.listed).toBe(false);
    if (!result.listed) expect(result.reason).toMatch(reason);
  });
});
