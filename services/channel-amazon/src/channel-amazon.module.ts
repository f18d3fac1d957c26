// The composition of the service: plain classes wired by hand (they take their dependencies as
// arguments, so they are testable without Nest), exposed to Nest as the gRPC controller's
// service and the lifecycle hooks.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Module, type DynamicModule } from '@nestjs/common';
import { DesiredAvailabilityConsumer } from '@retail-mesh/channel-kit';
import { grpcServices, type ordersV1 } from '@retail-mesh/contracts';
import { createGrpcClient, type ServiceInfrastructure } from '@retail-mesh/service-kit';
import { AmazonAccountRegistry } from './accounts/amazon-account.registry.js';
import { ChannelAdapterController } from './adapter/channel-adapter.controller.js';
import { AmazonChannelAdapterService } from './adapter/channel-adapter.service.js';
import { AMAZON } from './amazon/amazon-channel.js';
import { AvailabilityPusher } from './availability/availability-pusher.js';
import { DesiredListingRepository } from './availability/desired-listing.repository.js';
import type { ChannelAmazonSettings } from './channel-amazon.config.js';
import { ChannelAmazonLifecycle } from './channel-amazon.lifecycle.js';
import { FeedSubmissionRepository } from './feeds/feed-submission.repository.js';
import { ChannelAmazonMetrics } from './metrics/channel-amazon.metrics.js';
import { OrderEventsConsumer } from './order-events/order-events.consumer.js';
import { OrderFeedActionRepository } from './order-feeds/order-feed-action.repository.js';
import { OrderFeedWorker } from './order-feeds/order-feed.worker.js';
import { AmazonOrderRepository } from './orders/amazon-order.repository.js';
import { OrderCursorRepository } from './orders/order-cursor.repository.js';
import { OrderIntake } from './orders/order-intake.js';
import { ShipmentConfirmer } from './shipments/shipment-confirmer.js';
import { createWorkerLeaseRepository } from './workers/worker-lease.repository.js';

// package.json is one level above both src/ and dist/.
const ADAPTER_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

@Module({})
export class ChannelAmazonModule {
  static forRoot(infra: ServiceInfrastructure<ChannelAmazonSettings>): DynamicModule {
    const settings = infra.config.settings;
    const { dataSource, publisher } = infra;
    const shutdown = new AbortController();
    const holderId = randomUUID();
    const metrics = new ChannelAmazonMetrics(infra.metrics);
    const accounts = new AmazonAccountRegistry(settings.amazonAccounts, {
      tuning: { retries: settings.retries, baseDelayMs: settings.retryBaseDelayMs, requestTimeoutMs: settings.requestTimeoutMs },
      observerFor: (channelAccountId) => metrics.apiCallObserver(channelAccountId),
      signal: shutdown.signal,
    });
    const leases = createWorkerLeaseRepository(dataSource);
    const feeds = new FeedSubmissionRepository(dataSource);
    const desired = new DesiredListingRepository(dataSource);
    const actions = new OrderFeedActionRepository(dataSource);
    const loopTiming = { leaseTtlMs: settings.leaseTtlMs, failureBackoffMaxMs: settings.failureBackoffMaxMs };
    const orders = createGrpcClient<ordersV1.OrdersServiceClient>(grpcServices.orders, settings.ordersGrpcUrl);

    const pusher = new AvailabilityPusher({
      dataSource,
      accounts,
      desired,
      feeds,
      leases,
      metrics,
      logger: infra.logger.child({ component: 'availability-pusher' }),
      holderId,
      options: {
        ...loopTiming,
        feedThreshold: settings.availabilityFeedThreshold,
        feedMaxMessages: settings.availabilityFeedMaxMessages,
        pollIntervalMs: settings.pushPollIntervalMs,
        feedPollIntervalMs: settings.feedPollIntervalMs,
        holdMs: settings.holdMs,
      },
    });
    const intake = new OrderIntake({
      accounts,
      orders,
      records: new AmazonOrderRepository(dataSource),
      cursors: new OrderCursorRepository(dataSource),
      publisher,
      leases,
      metrics,
      logger: infra.logger.child({ component: 'order-intake' }),
      holderId,
      options: {
        ...loopTiming,
        pollIntervalMs: settings.orderPollIntervalMs,
        settleMs: settings.orderPollSettleMs,
        initialLookbackMs: settings.orderInitialLookbackMs,
      },
    });
    const worker = new OrderFeedWorker({
      accounts,
      actions,
      feeds,
      publisher,
      leases,
      metrics,
      logger: infra.logger.child({ component: 'order-feeds' }),
      holderId,
      options: {
        ...loopTiming,
        batchMs: settings.orderFeedBatchMs,
        feedPollIntervalMs: settings.feedPollIntervalMs,
        pollIntervalMs: settings.pushPollIntervalMs,
        maxAttempts: settings.orderFeedMaxAttempts,
      },
    });
    const shipments = new ShipmentConfirmer({ accounts, metrics, readBackAttempts: settings.shipmentReadBackAttempts });
    const adapter = new AmazonChannelAdapterService({
      dataSource,
      publisher,
      accounts,
      desired,
      pusher,
      actions,
      worker,
      intake,
      shipments,
      metrics,
      adapterVersion: ADAPTER_VERSION,
      rpcWaitMs: settings.rpcWaitMs,
    });
    const lifecycle = new ChannelAmazonLifecycle({
      consumers: infra.consumers,
      availability: new DesiredAvailabilityConsumer({
        channel: AMAZON,
        batchSize: settings.availabilityBatchSize,
        desired,
        accounts,
        pusher,
        metrics,
      }),
      orderEvents: new OrderEventsConsumer({
        dataSource,
        publisher,
        accounts,
        actions,
        worker,
        shipments,
        metrics,
        logger: infra.logger.child({ component: 'order-events' }),
      }),
      pusher,
      intake,
      worker,
      desired,
      metrics,
      shutdown,
      closeAfterStop: () => orders.close(),
    });
    return {
      module: ChannelAmazonModule,
      controllers: [ChannelAdapterController],
      providers: [
        { provide: AmazonChannelAdapterService, useValue: adapter },
        { provide: ChannelAmazonLifecycle, useValue: lifecycle },
      ],
    };
  }
}
