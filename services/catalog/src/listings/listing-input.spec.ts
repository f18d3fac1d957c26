import { catalogV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { normalizeListingInput } from './listing-input.js';

const { ListingStatus } = catalogV1;

function listing(overrides: Partial<catalogV1.ChannelListing> = {}): catalogV1.ChannelListing {
  return catalogV1.ChannelListing.fromPartial({
    channelAccountId: 'shopify-b2c-eu',
    channel: 'shopify',
    sku: 'TEE-M',
    externalInventoryItemId: 'gid://shopify/InventoryItem/1',
    externalLocationId: 'gid://shopify/Location/1',
    externalAttributes: { market: 'EU' },
    ...overrides,
  });
}

describe('normalizeListingInput', () => {
  it('keeps the channel ids and defaults the status to PENDING', () => {
    expect(normalizeListingInput(listing())).toEqual({
      channelAccountId: 'shopify-b2c-eu',
      channel: 'shopify',
      sku: 'TEE-M',
      externalProductId: '',
      externalVariantId: '',
      externalInventoryItemId: 'gid://shopify/InventoryItem/1',
      externalLocationId: 'gid://shopify/Location/1',
      status: ListingStatus.LISTING_STATUS_PENDING,
      statusDetail: '',
      externalAttributes: { market: 'EU' },
    });
    expect(normalizeListingInput(listing({ status: ListingStatus.LISTING_STATUS_ACTIVE })).status).toBe(
      ListingStatus.LISTING_STATUS_ACTIVE,
    );
  });

  it.each([
    ['missing_listing', undefined],
    ['invalid_channel_account_id', listing({ channelAccountId: '' })],
    ['invalid_channel', listing({ channel: 'Shopify' })],
    ['invalid_sku', listing({ sku: '' })],
    ['invalid_external_id', listing({ externalVariantId: 'x'.repeat(256) })],
    ['invalid_status', listing({ status: 9 as catalogV1.ListingStatus })],
  ])('rejects with %s', (reason, input) => {
    expect(() => normalizeListingInput(input)).toThrow(expect.objectContaining({ reason }));
  });
});
