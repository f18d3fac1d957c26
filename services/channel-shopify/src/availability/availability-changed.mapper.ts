// Boundary check of inventory.availability_changed.shopify: an event this adapter can never act
// on (another channel, an account it does not serve, a negative quantity) is a poison message
// and goes to the dead-letter queue with the reason, instead of being retried.
import { fromTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { isQuantity } from '@retail-mesh/domain';
import type { DesiredAvailability } from './desired-availability.js';

export const SHOPIFY_CHANNEL = 'shopify';

export type AvailabilityChangedCheck = { ok: true; desired: DesiredAvailability } | { ok: false; reason: string };

export function toDesiredAvailability(
  event: inventoryEventsV1.AvailabilityChanged,
  envelopeChannelAccountId: string,
  isServedAccount: (channelAccountId: string) => boolean,
): AvailabilityChangedCheck {
  const fail = (reason: string): AvailabilityChangedCheck => ({ ok: false, reason });
  if (event.channel !== SHOPIFY_CHANNEL) return fail(`channel is "${event.channel}", not "${SHOPIFY_CHANNEL}"`);
  if (event.channelAccountId === '') return fail('channel_account_id is empty');
  if (envelopeChannelAccountId !== '' && envelopeChannelAccountId !== event.channelAccountId) {
    return fail(`envelope channel account "${envelopeChannelAccountId}" differs from the event's "${event.channelAccountId}"`);
  }
  if (!isServedAccount(event.channelAccountId)) return fail(`unknown Shopify channel account "${event.channelAccountId}"`);
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
