// Boundary check of inventory.availability_changed.amazon: an event this adapter can never act on
// (another channel, an account it does not serve, a negative quantity, no version) is a poison
// message with the reason, instead of being retried.
import { fromTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { isQuantity } from '@retail-mesh/domain';
import { AMAZON_CHANNEL } from '../orders/amazon-order.mapper.js';

/** A quantity the mesh wants a channel account to show for a SKU. */
export interface DesiredAvailability {
  channelAccountId: string;
  sku: string;
  quantity: number;
  /** AvailabilityChanged.version: per (account, sku), monotonic. */
  version: number;
  sourceChangedAt: Date | null;
}

export type AvailabilityChangedCheck = { ok: true; desired: DesiredAvailability } | { ok: false; reason: string };

export function toDesiredAvailability(
  event: inventoryEventsV1.AvailabilityChanged,
  envelopeChannelAccountId: string,
  isServedAccount: (channelAccountId: string) => boolean,
): AvailabilityChangedCheck {
  const fail = (reason: string): AvailabilityChangedCheck => ({ ok: false, reason });
  if (event.channel !== AMAZON_CHANNEL) return fail(`channel is "${event.channel}", not "${AMAZON_CHANNEL}"`);
  if (event.channelAccountId === '') return fail('channel_account_id is empty');
  if (envelopeChannelAccountId !== '' && envelopeChannelAccountId !== event.channelAccountId) {
    return fail(`envelope channel account "${envelopeChannelAccountId}" differs from the event's "${event.channelAccountId}"`);
  }
  if (!isServedAccount(event.channelAccountId)) return fail(`unknown Amazon channel account "${event.channelAccountId}"`);
  if (event.sku.trim() === '') return fail('sku is empty');
  if (!isQuantity(event.availableQuantity)) return fail(`available_quantity ${event.availableQuantity} is not a non-negative integer`);
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
