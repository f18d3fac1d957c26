import { catalogV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { ShopifyListingResolver, type ChannelListingSource } from './shopify-listing.resolver.js';

function listing(sku: string, item: number, channelAccountId = 'shopify-b2c'): catalogV1.ChannelListing {
  return catalogV1.ChannelListing.fromPartial({
    channelAccountId,
    channel: 'shopify',
    sku,
    externalInventoryItemId: `gid://shopify/InventoryItem/${item}`,
    externalLocationId: 'gid://shopify/Location/1',
  });
}

function fakeCatalog(listings: catalogV1.ChannelListing[]) {
  const asked: string[][] = [];
  const source: ChannelListingSource = {
    listingsOf: async (channelAccountId, skus) => {
      asked.push([...skus]);
      return listings.filter((candidate) => candidate.channelAccountId === channelAccountId && skus.includes(candidate.sku));
    },
  };
  return { source, asked };
}

describe('ShopifyListingResolver', () => {
  it('resolves listed and unlisted SKUs and asks the catalog only for what it has not cached', async () => {
    const { source, asked } = fakeCatalog([listing('A', 1), listing('B', 2)]);
    const resolver = new ShopifyListingResolver(source, { now: () => 0 });

    const first = await resolver.resolve('shopify-b2c', ['A', 'C', 'A']);
    expect(first.get('A')).toMatchObject({ listed: true, target: { inventoryItemId: 'gid://shopify/InventoryItem/1' } });
    expect(first.get('C')).toMatchObject({ listed: false });
    const second = await resolver.resolve('shopify-b2c', ['A', 'B', 'C']);
    expect(second.get('B')).toMatchObject({ listed: true });
    expect(asked).toEqual([['A', 'C'], ['B']]);
  });

  it('keeps accounts apart', async () => {
    const { source } = fakeCatalog([listing('A', 1, 'shopify-b2b')]);
    const resolver = new ShopifyListingResolver(source);
    expect((await resolver.resolve('shopify-b2c', ['A'])).get('A')?.listed).toBe(false);
    expect((await resolver.resolve('shopify-b2b', ['A'])).get('A')?.listed).toBe(true);
  });

  it('asks again once an entry expired: unlisted SKUs sooner than listed ones', async () => {
    let now = 0;
    const { source, asked } = fakeCatalog([listing('A', 1)]);
    const resolver = new ShopifyListingResolver(source, { listedTtlMs: 1_000, unlistedTtlMs: 100, now: () => now });
    await resolver.resolve('shopify-b2c', ['A', 'C']);
    now = 100;
    await resolver.resolve('shopify-b2c', ['A', 'C']);
    now = 1_000;
    await resolver.resolve('shopify-b2c', ['A', 'C']);
    expect(asked).toEqual([['A', 'C'], ['C'], ['A', 'C']]);
  });

  it('forgets listings Shopify contradicted', async () => {
    const { source, asked } = fakeCatalog([listing('A', 1)]);
    const resolver = new ShopifyListingResolver(source);
    await resolver.resolve('shopify-b2c', ['A']);
    resolver.forget('shopify-b2c', ['A']);
    await resolver.resolve('shopify-b2c', ['A']);
    expect(asked).toEqual([['A'], ['A']]);
  });
});
