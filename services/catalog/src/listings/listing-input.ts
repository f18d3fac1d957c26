// Checks and normalises an UpsertChannelListing request. Pure.
import { catalogV1, CHANNEL_SLUG_PATTERN } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { assertChannelAccountId, assertSku } from '../products/product-identifiers.js';

const { ListingStatus } = catalogV1;
const STATUSES = new Set([
  ListingStatus.LISTING_STATUS_PENDING,
  ListingStatus.LISTING_STATUS_ACTIVE,
  ListingStatus.LISTING_STATUS_INACTIVE,
  ListingStatus.LISTING_STATUS_ERROR,
]);
const EXTERNAL_ID_MAX = 255;

export interface ListingInput {
  channelAccountId: string;
  channel: string;
  sku: string;
  externalProductId: string;
  externalVariantId: string;
  externalInventoryItemId: string;
  externalLocationId: string;
  status: catalogV1.ListingStatus;
  statusDetail: string;
  externalAttributes: Record<string, string>;
}

/** An unspecified status means PENDING (mapped, not yet confirmed live). */
export function normalizeListingInput(listing: catalogV1.ChannelListing | null | undefined): ListingInput {
  if (!listing) throw new DomainValidationError('missing_listing', 'listing is required');
  assertChannelAccountId(listing.channelAccountId);
  if (!CHANNEL_SLUG_PATTERN.test(listing.channel) || listing.channel.length > 50) {
    throw new DomainValidationError(
      'invalid_channel',
      `channel ${JSON.stringify(listing.channel)} must be a lower-case slug such as "shopify"`,
    );
  }
  assertSku(listing.sku);
  const externalIds = {
    externalProductId: listing.externalProductId,
    externalVariantId: listing.externalVariantId,
    externalInventoryItemId: listing.externalInventoryItemId,
    externalLocationId: listing.externalLocationId,
  };
  for (const [field, value] of Object.entries(externalIds)) {
    if (value.length > EXTERNAL_ID_MAX)
      throw new DomainValidationError('invalid_external_id', `${field} is longer than ${EXTERNAL_ID_MAX} characters`);
  }
  let status = listing.status;
  if (status === ListingStatus.LISTING_STATUS_UNSPECIFIED) status = ListingStatus.LISTING_STATUS_PENDING;
  else if (!STATUSES.has(status)) throw new DomainValidationError('invalid_status', `unknown listing status ${status}`);
  return {
    channelAccountId: listing.channelAccountId,
    channel: listing.channel,
    sku: listing.sku,
    ...externalIds,
    status,
    statusDetail: listing.statusDetail,
    externalAttributes: { ...listing.externalAttributes },
  };
}
