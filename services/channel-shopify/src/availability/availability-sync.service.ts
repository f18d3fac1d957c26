// Starts and stops the availability flow with the service: registers the consumer while the
// module initialises, starts the push loops once the app is up, and on shutdown lets the push in
// flight finish (its waits cut short) and releases the push leases.
import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { DesiredAvailabilityConsumer } from '@retail-mesh/channel-kit';
import type { EventConsumers } from '@retail-mesh/service-kit';
import type { ChannelShopifyMetrics } from '../metrics/channel-shopify.metrics.js';
import type { AvailabilityPusher } from './availability-pusher.js';
import type { DesiredInventoryRepository } from './desired-inventory.repository.js';

export interface AvailabilitySyncDependencies {
  consumers: EventConsumers;
  consumer: DesiredAvailabilityConsumer;
  pusher: AvailabilityPusher;
  desired: DesiredInventoryRepository;
  metrics: ChannelShopifyMetrics;
  /** Aborted at shutdown: cuts short the Shopify clients' waits (bucket, backoff, requests). */
  shutdown: AbortController;
  /** Resources to close after the pusher stopped (the catalog client). */
  closeAfterStop: () => void;
}

export class AvailabilitySyncService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly deps: AvailabilitySyncDependencies) {}

  onModuleInit(): void {
    this.deps.consumer.register(this.deps.consumers);
    this.deps.metrics.trackPending(() => this.deps.desired.pendingCounts(new Date()));
  }

  onApplicationBootstrap(): void {
    this.deps.pusher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    const stopped = this.deps.pusher.stop();
    this.deps.shutdown.abort(new Error('channel-shopify is stopping'));
    await stopped;
    this.deps.closeAfterStop();
  }
}
