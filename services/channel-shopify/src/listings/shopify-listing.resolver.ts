// Resolves SKUs to Shopify inventory levels through the catalog's channel listings, with a
// cache: the pusher asks for up to 250 SKUs per push, and listings change rarely. SKUs without
// a usable listing are cached for a shorter time, so a listing added in the catalog is picked
// up soon without asking the catalog again on every push.
import type { catalogV1 } from '@retail-mesh/contracts';
import { toShopifyListing, type ShopifyListing } from './shopify-listing.mapper.js';

/** Where listings come from (the catalog's ListChannelListings). */
export interface ChannelListingSource {
  /** The listings among `skus` on the account; a SKU without a listing is simply absent. */
  listingsOf(channelAccountId: string, skus: readonly string[]): Promise<catalogV1.ChannelListing[]>;
}

export interface ShopifyListingResolverOptions {
  /** How long a usable listing is trusted. Default 5 minutes. */
  listedTtlMs?: number;
  /** How long "no usable listing" is trusted. Default 30 seconds. */
  unlistedTtlMs?: number;
  now?: () => number;
}

interface CacheEntry {
  listing: ShopifyListing;
  expiresAt: number;
}

export class ShopifyListingResolver {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly listedTtlMs: number;
  private readonly unlistedTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: ChannelListingSource,
    options: ShopifyListingResolverOptions = {},
  ) {
    this.listedTtlMs = options.listedTtlMs ?? 300_000;
    this.unlistedTtlMs = options.unlistedTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** One entry per distinct SKU; the catalog is asked only for SKUs not cached. */
  async resolve(channelAccountId: string, skus: readonly string[]): Promise<Map<string, ShopifyListing>> {
    const now = this.now();
    const resolved = new Map<string, ShopifyListing>();
    const missing: string[] = [];
    for (const sku of new Set(skus)) {
      const entry = this.cache.get(cacheKey(channelAccountId, sku));
      if (entry && entry.expiresAt > now) resolved.set(sku, entry.listing);
      else missing.push(sku);
    }
    if (missing.length === 0) return resolved;
    const listings = await this.source.listingsOf(channelAccountId, missing);
    const bySku = new Map(
      listings.filter((listing) => listing.channelAccountId === channelAccountId).map((listing) => [listing.sku, listing]),
    );
    for (const sku of missing) {
      const listing = toShopifyListing(sku, bySku.get(sku));
      this.cache.set(cacheKey(channelAccountId, sku), {
        listing,
        expiresAt: now + (listing.listed ? this.listedTtlMs : this.unlistedTtlMs),
      });
      resolved.set(sku, listing);
    }
    return resolved;
  }

  /** Drops cached listings Shopify contradicted (an unknown inventory item or location): the catalog may have changed. */
  forget(channelAccountId: string, skus: readonly string[]): void {
    for (const sku of skus) this.cache.delete(cacheKey(channelAccountId, sku));
  }
}

function cacheKey(channelAccountId: string, sku: string): string {
  return `${channelAccountId}\u0000${sku}`;
}
