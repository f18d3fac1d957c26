import type { ChannelIdentity } from '@retail-mesh/channel-kit';

/** The channel in events and routing keys (`inventory.availability_changed.amazon`). */
export const AMAZON_CHANNEL = 'amazon';
export const AMAZON: ChannelIdentity = { channel: AMAZON_CHANNEL, displayName: 'Amazon' };
