// Consumes inventory.availability_changed.amazon into desired_listings. The inbox row and the
// desired-state upsert commit together (a redelivery has no second effect); the pusher is woken
// after the commit, so it never looks before the row is visible.
import { toDesiredAvailability } from '@retail-mesh/channel-kit';
import { Events, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { Inbox, PoisonMessageError } from '@retail-mesh/messaging';
import type { ReceivedEvent } from '@retail-mesh/service-kit';
import type { DataSource } from 'typeorm';
import type { AmazonAccountRegistry } from '../accounts/amazon-account.registry.js';
import { AMAZON } from '../amazon/amazon-channel.js';
import type { ChannelAmazonMetrics } from '../metrics/channel-amazon.metrics.js';
import type { AvailabilityPusher } from './availability-pusher.js';
import type { DesiredListingRepository } from './desired-listing.repository.js';

export const AVAILABILITY_CONSUMER_PURPOSE = 'availability';
export const AVAILABILITY_EVENT = Events.inventory.availabilityChanged;

export interface AvailabilityConsumerDependencies {
  dataSource: DataSource;
  desired: DesiredListingRepository;
  accounts: AmazonAccountRegistry;
  pusher: AvailabilityPusher;
  metrics: ChannelAmazonMetrics;
}

export class AvailabilityConsumer {
  constructor(private readonly deps: AvailabilityConsumerDependencies) {}

  async handle(event: ReceivedEvent<inventoryEventsV1.AvailabilityChanged>): Promise<void> {
    const check = toDesiredAvailability(AMAZON, event.payload, event.envelope.channelAccountId, (id) => this.deps.accounts.has(id));
    if (!check.ok) throw new PoisonMessageError(check.reason);
    const { desired } = check;
    let stored = false;
    const outcome = await Inbox.handleOnce(this.deps.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      stored = await this.deps.desired.storeDesired(manager, desired, new Date());
    });
    if (stored) this.deps.pusher.wake(desired.channelAccountId);
    else if (outcome === 'processed') this.deps.metrics.staleDropped(desired.channelAccountId);
  }
}
