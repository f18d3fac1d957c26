import { Injectable } from '@nestjs/common';
import type { catalogV1 } from '@retail-mesh/contracts';
import { PeerClients, peerFailureOf } from '../peers/peer-clients.js';

/** What the catalog says about the SKUs of one channel account's orders. */
export interface CatalogFindings {
  /** Not in the catalog at all. */
  unknownSkus: Set<string>;
  /** In the catalog, but with no listing on the channel account. */
  unlistedSkus: Set<string>;
}

// ListChannelListings pages hold at most 1000; fewer SKUs per request keep the request small.
const SKUS_PER_REQUEST = 500;
const PAGE_SIZE = 1000;

/**
 * Asks the catalog which SKUs are listed on a channel account: one paged ListChannelListings
 * for all the SKUs of a batch's orders on that account, then GetVariant only for the SKUs
 * without a listing, to tell an unknown SKU from one that is not listed there.
 */
@Injectable()
export class CatalogCheck {
  constructor(private readonly peers: PeerClients) {}

  /** Throws the catalog's error when it cannot answer (the caller retries later). */
  async check(channelAccountId: string, skus: ReadonlySet<string>): Promise<CatalogFindings> {
    const wanted = [...skus];
    const listed = new Set<string>();
    for (let start = 0; start < wanted.length; start += SKUS_PER_REQUEST) {
      for (const listing of await this.listings(channelAccountId, wanted.slice(start, start + SKUS_PER_REQUEST))) listed.add(listing.sku);
    }
    const findings: CatalogFindings = { unknownSkus: new Set(), unlistedSkus: new Set() };
    await Promise.all(
      wanted
        .filter((sku) => !listed.has(sku))
        .map(async (sku) => {
          try {
            await this.peers.catalog.getVariant({ sku });
            findings.unlistedSkus.add(sku);
          } catch (error) {
            // NOT_FOUND, or a SKU the catalog cannot even hold (INVALID_ARGUMENT): unknown either way.
            if (!peerFailureOf(error).permanent) throw error;
            findings.unknownSkus.add(sku);
          }
        }),
    );
    return findings;
  }

  private async listings(channelAccountId: string, skus: string[]): Promise<catalogV1.ChannelListing[]> {
    const listings: catalogV1.ChannelListing[] = [];
    let pageToken = '';
    do {
      const response = await this.peers.catalog.listChannelListings({
        channelAccountId,
        statuses: [],
        skus,
        page: { pageSize: PAGE_SIZE, pageToken },
      });
      listings.push(...response.listings);
      pageToken = response.page?.nextPageToken ?? '';
    } while (pageToken !== '');
    return listings;
  }
}
