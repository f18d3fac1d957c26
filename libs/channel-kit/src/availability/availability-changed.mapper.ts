// Boundary check of inventory.availability_changed.<channel>: an event the adapter can never act
// on (another channel, an account it does not serve, a negative quantity, no version) is a poison
// message and goes to the dead-letter queue with the reason, instead of being retried.
import { fromTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { isQuantity } from '@retail-mesh/domain';
import type { DesiredAvailability } from './desired-state.js';

/** How the mesh names a channel: in events and routing keys (`shopify`), and in messages (`Shopify`). */
export interface ChannelIdentity {
  channel: string;
  displayName: string;
}

export type AvailabilityChangedCheck = { ok: true; desired: DesiredAvailability } | { ok: false; reason: string };

export function toDesiredAvailability(
  channel: ChannelIdentity,
  event: inventoryEventsV1.AvailabilityChanged,
  envelopeChannelAccountId: string,
  isServedAccount: (channelAccountId: string) => boolean,
): AvailabilityChangedCheck {
  const fail = (reason: string): AvailabilityChangedCheck => ({ ok: false, reason });
  if (event.channel !== channel.channel) return fail(`channel is "${event.channel}", not "${channel.channel}"`);
  if (event.channelAccountId === '') return fail('channel_account_id is empty');
  if (envelopeChannelAccountId !== '' && envelopeChannelAccountId !== event.channelAccountId) {
    return fail(`envelope channel account "${envelopeChannelAccountId}" differs from the event's "${event.channelAccountId}"`);
  }
  if (!isServedAccount(event.channelAccountId)) return fail(`unknown ${channel.displayName} channel account "${event.channelAccountId}"`);
  if (event.sku.trim() === '') return fail('sku is empty');
  if (!isQuantity(event.availableQuantity)) return fail(`available_quantity ${event.availableQuantity} is not a non-negative integer`);
  // Producers start at 1; 0 is what an unset field decodes to.
  if (!Number.isSafeInteger(event.version) || event.version < 1) return fail(`version ${event.version} is not a positive integer`);
  return {
    ok: true,
    desired: {
      channelAccountId: event.channelAccountId,
      sku: event.sku,
      quantity: event.availableQuantity,
      version: event.version,
      sourceChangedAt: event.sourceChangedAt ? fromTimestamp(event.sourceChangedAt) : null,
    },
  };
}
