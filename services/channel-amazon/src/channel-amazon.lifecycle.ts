// Starts and stops the adapter with the service: registers the consumers while the module
// initialises, starts the per-account loops once the app is up, and on shutdown lets each loop
// finish its step (waits cut short by the shutdown signal) and releases the leases.
import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DesiredAvailabilityConsumer } from '@retail-mesh/channel-kit';
import { Events } from '@retail-mesh/contracts';
import { onEventOutsideTransaction, type EventConsumers } from '@retail-mesh/service-kit';
import { AMAZON_CHANNEL } from './amazon/amazon-channel.js';
import type { AvailabilityPusher } from './availability/availability-pusher.js';
import type { DesiredListingRepository } from './availability/desired-listing.repository.js';
import type { ChannelAmazonMetrics } from './metrics/channel-amazon.metrics.js';
import { ORDERS_CONSUMER_PURPOSE, type OrderEventsConsumer } from './order-events/order-events.consumer.js';
import type { OrderFeedWorker } from './order-feeds/order-feed.worker.js';
import type { OrderIntake } from './orders/order-intake.js';

export interface ChannelAmazonLifecycleDependencies {
  consumers: EventConsumers;
  availability: DesiredAvailabilityConsumer;
  orderEvents: OrderEventsConsumer;
  pusher: AvailabilityPusher;
  intake: OrderIntake;
  worker: OrderFeedWorker;
  desired: DesiredListingRepository;
  metrics: ChannelAmazonMetrics;
  /** Aborted at shutdown: cuts short the SP-API clients' waits (buckets, backoff, requests). */
  shutdown: AbortController;
  closeAfterStop: () => void;
}

export class ChannelAmazonLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly deps: ChannelAmazonLifecycleDependencies) {}

  onModuleInit(): void {
    // Availability in batches, one transaction each; the order handlers each run their own inbox
    // transaction, so the loop they feed is woken after the commit.
    this.deps.availability.register(this.deps.consumers);
    const channels = [AMAZON_CHANNEL];
    this.deps.consumers.register({
      purpose: ORDERS_CONSUMER_PURPOSE,
      handlers: [
        onEventOutsideTransaction(Events.orders.orderAccepted, (event) => this.deps.orderEvents.accepted(event), { channels }),
        onEventOutsideTransaction(Events.orders.orderCancelled, (event) => this.deps.orderEvents.cancelled(event), { channels }),
        onEventOutsideTransaction(Events.orders.orderShipped, (event) => this.deps.orderEvents.shipped(event), { channels }),
      ],
    });
    this.deps.metrics.trackPending(() => this.deps.desired.pendingCounts(new Date()));
  }

  onApplicationBootstrap(): void {
    this.deps.pusher.start();
    this.deps.intake.start();
    this.deps.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    const stopped = Promise.all([this.deps.pusher.stop(), this.deps.intake.stop(), this.deps.worker.stop()]);
    this.deps.shutdown.abort(new Error('channel-amazon is stopping'));
    await stopped;
    this.deps.closeAfterStop();
  }
}
