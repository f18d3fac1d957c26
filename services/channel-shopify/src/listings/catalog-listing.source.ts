import type { catalogV1 } from '@retail-mesh/contracts';
import { UnavailableError, type GrpcClient } from '@retail-mesh/service-kit';
import type { ChannelListingSource } from './shopify-listing.resolver.js';

const PAGE_SIZE = 1000;

/** Channel listings from the catalog service (it owns SKU <-> channel ids), one paged ListChannelListings per batch. */
export class CatalogListingSource implements ChannelListingSource {
  constructor(private readonly catalog: Pick<GrpcClient<catalogV1.CatalogServiceClient>, 'listChannelListings'>) {}

  async listingsOf(channelAccountId: string, skus: readonly string[]): Promise<catalogV1.ChannelListing[]> {
    const listings: catalogV1.ChannelListing[] = [];
    let pageToken = '';
    do {
      let response: catalogV1.ListChannelListingsResponse;
      try {
        response = await this.catalog.listChannelListings({
          channelAccountId,
          statuses: [],
          skus: [...skus],
          page: { pageSize: PAGE_SIZE, pageToken },
        });
      } catch (error) {
        throw new UnavailableError('catalog_unavailable', `could not read channel listings from the catalog: ${(error as Error).message}`, {
          cause: error,
        });
      }
      listings.push(...response.listings);
      pageToken = response.page?.nextPageToken ?? '';
    } while (pageToken !== '');
    return listings;
  }
}
