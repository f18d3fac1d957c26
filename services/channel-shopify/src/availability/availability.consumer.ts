// Consumes inventory.availability_changed.shopify into desired_inventory, in batches: the
// desired-state upserts of the events waiting at once commit together, and a redelivered event
// has no second effect because a row only takes a newer version (no inbox row is needed); the
// pushers are woken only after the commit, so they never look before the rows are visible.
import { toDesiredAvailability, type DesiredAvailability } from '@retail-mesh/channel-kit';
import { Events, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { PoisonMessageError } from '@retail-mesh/messaging';
import type { ReceivedEvent, TransactionContext } from '@retail-mesh/service-kit';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import type { ChannelShopifyMetrics } from '../metrics/channel-shopify.metrics.js';
import { SHOPIFY, SHOPIFY_CHANNEL } from '../shopify/shopify-channel.js';
import type { AvailabilityPusher } from './availability-pusher.js';
import type { DesiredInventoryRepository } from './desired-inventory.repository.js';

export const AVAILABILITY_CONSUMER_PURPOSE = 'availability';
export const AVAILABILITY_EVENT = Events.inventory.availabilityChanged;
export const AVAILABILITY_CHANNELS = [SHOPIFY_CHANNEL] as const;

export interface AvailabilityConsumerDependencies {
  desired: DesiredInventoryRepository;
  accounts: ShopifyAccountRegistry;
  pusher: AvailabilityPusher;
  metrics: ChannelShopifyMetrics;
}

export class AvailabilityConsumer {
  constructor(private readonly deps: AvailabilityConsumerDependencies) {}

  async handle(events: ReceivedEvent<inventoryEventsV1.AvailabilityChanged>[], context: TransactionContext): Promise<void> {
    const wanted: DesiredAvailability[] = events.map((event) => {
      const check = toDesiredAvailability(SHOPIFY, event.payload, event.envelope.channelAccountId, (id) => this.deps.accounts.has(id));
      // The kit retries a failed batch event by event: only this one goes to the DLQ.
      if (!check.ok) throw new PoisonMessageError(check.reason);
      return check.desired;
    });
    const stored = await this.deps.desired.storeDesired(context.manager, wanted, new Date());
    context.afterCommit(() => {
      const storedPerAccount = countPerAccount(stored);
      for (const accountId of storedPerAccount.keys()) this.deps.pusher.wake(accountId);
      for (const [accountId, count] of countPerAccount(wanted)) {
        this.deps.metrics.staleDropped(accountId, count - (storedPerAccount.get(accountId) ?? 0));
      }
    });
  }
}

function countPerAccount(items: readonly DesiredAvailability[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.channelAccountId, (counts.get(item.channelAccountId) ?? 0) + 1);
  return counts;
}
