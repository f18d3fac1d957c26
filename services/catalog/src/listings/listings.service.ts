import { Injectable } from '@nestjs/common';
import { catalogV1, Events } from '@retail-mesh/contracts';
import { isUniqueViolation } from '@retail-mesh/persistence';
import {
  AbortedError,
  decodePageToken,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  OutboxPublisher,
  pageOf,
  pageSizeOf,
} from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { EffectivePricesService } from '../pricing/effective-prices.service.js';
import { ProductsRepository } from '../products/products.repository.js';
import { normalizeListingInput } from './listing-input.js';
import { toListingEntity, toListingMessage } from './listings.mapper.js';
import { ListingsRepository } from './listings.repository.js';

@Injectable()
export class ListingsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: OutboxPublisher,
    private readonly listings: ListingsRepository,
    private readonly products: ProductsRepository,
    private readonly effectivePrices: EffectivePricesService,
  ) {}

  /**
   * Creates or replaces the listing of a SKU on a channel account and publishes
   * ChannelListingUpserted; a newly listed SKU also gets its effective price (PriceChanged).
   */
  async upsertChannelListing(request: catalogV1.ChannelListing | null | undefined): Promise<catalogV1.ChannelListing> {
    const input = normalizeListingInput(request);
    try {
      return await this.publisher.transaction(async (context) => {
        const { manager, publish } = context;
        if (!(await this.products.findVariant(manager, input.sku))) {
          throw new FailedPreconditionError('sku_not_in_catalog', `SKU ${input.sku} is not in the catalog; upsert its product first`);
        }
        const other = await this.listings.findOnOtherChannel(manager, input.channelAccountId, input.channel);
        if (other) {
          throw new InvalidArgumentError(
            'channel_mismatch',
            `channel account ${input.channelAccountId} is a ${other.channel} account, not ${input.channel}`,
          );
        }
        const existing = await this.listings.findForUpdate(manager, input.channelAccountId, input.sku);
        const listing = toListingEntity(input, (existing?.version ?? 0) + 1, new Date());
        await this.listings.save(manager, listing, existing !== null);
        const message = toListingMessage(listing);
        await publish({
          definition: Events.catalog.channelListingUpserted,
          payload: { listing: message },
          subject: listing.sku,
          channel: listing.channel,
          channelAccountId: listing.channelAccountId,
        });
        await this.effectivePrices.refresh(context, [listing]);
        return message;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AbortedError('concurrent_update', `listing of ${input.sku} on ${input.channelAccountId} changed concurrently; retry`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async getChannelListing(channelAccountId: string, sku: string): Promise<catalogV1.ChannelListing> {
    const listing = await this.listings.find(this.dataSource.manager, channelAccountId, sku);
    if (!listing)
      throw new NotFoundError(
        'listing_not_found',
        `SKU ${JSON.stringify(sku)} is not listed on channel account ${JSON.stringify(channelAccountId)}`,
      );
    return toListingMessage(listing);
  }

  async listChannelListings(request: catalogV1.ListChannelListingsRequest): Promise<catalogV1.ListChannelListingsResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 2);
    const rows = await this.listings.list(this.dataSource.manager, {
      channelAccountId: request.channelAccountId,
      statuses: request.statuses,
      skus: request.skus,
      after: after && [String(after[0]), String(after[1])],
      limit: pageSize + 1,
    });
    const { items, nextPageToken } = pageOf(rows, pageSize, (listing) => [listing.channelAccountId, listing.sku]);
    return { listings: items.map(toListingMessage), page: { nextPageToken } };
  }
}
