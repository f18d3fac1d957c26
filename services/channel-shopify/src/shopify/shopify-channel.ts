import type { ChannelIdentity } from '@retail-mesh/channel-kit';

/** The channel in events and routing keys (`inventory.availability_changed.shopify`). */
export const SHOPIFY_CHANNEL = 'shopify';
export const SHOPIFY: ChannelIdentity = { channel: SHOPIFY_CHANNEL, displayName: 'Shopify' };
