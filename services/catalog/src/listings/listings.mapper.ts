import { catalogV1, toTimestamp } from '@retail-mesh/contracts';
import { ChannelListingEntity } from './channel-listing.entity.js';
import type { ListingInput } from './listing-input.js';

export function toListingMessage(listing: ChannelListingEntity): catalogV1.ChannelListing {
  return {
    channelAccountId: listing.channelAccountId,
    channel: listing.channel,
    sku: listing.sku,
    externalProductId: listing.externalProductId,
    externalVariantId: listing.externalVariantId,
    externalInventoryItemId: listing.externalInventoryItemId,
    externalLocationId: listing.externalLocationId,
    status: listing.status,
    statusDetail: listing.statusDetail,
    externalAttributes: listing.externalAttributes,
    version: listing.version,
    updatedAt: toTimestamp(listing.updatedAt),
  };
}

export function toListingEntity(input: ListingInput, version: number, updatedAt: Date): ChannelListingEntity {
  return Object.assign(new ChannelListingEntity(), { ...input, version, updatedAt });
}
