// Starts and stops the availability flow with the service: registers the consumer while the
// module initialises, starts the push loops once the app is up, and on shutdown lets the push in
// flight finish (its waits cut short) and releases the push leases.
import type { OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { onEventBatch, type EventConsumers } from '@retail-mesh/service-kit';
import type { ChannelShopifyMetrics } from '../metrics/channel-shopify.metrics.js';
import {
  AVAILABILITY_CHANNELS,
  AVAILABILITY_CONSUMER_PURPOSE,
  AVAILABILITY_EVENT,
  type AvailabilityConsumer,
} from './availability.consumer.js';
import type { AvailabilityPusher } from './availability-pusher.js';
import type { DesiredInventoryRepository } from './desired-inventory.repository.js';

export interface AvailabilitySyncDependencies {
  consumers: EventConsumers;
  consumer: AvailabilityConsumer;
  /** Most availability events per transaction. */
  batchSize: number;
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
    this.deps.consumers.register({
      purpose: AVAILABILITY_CONSUMER_PURPOSE,
      // Two batches in flight and one filling.
      prefetch: this.deps.batchSize * 3,
      handlers: [
        onEventBatch(AVAILABILITY_EVENT, (events, context) => this.deps.consumer.handle(events, context), {
          channels: AVAILABILITY_CHANNELS,
          maxBatchSize: this.deps.batchSize,
          // Safe to overlap: a desired row only ever takes a newer version, and rows are locked in key order.
          maxBatchesInFlight: 2,
          // The same version makes a redelivery a no-op (nothing stored, no push woken): no inbox row needed.
          dedupe: 'versions',
        }),
      ],
    });
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
