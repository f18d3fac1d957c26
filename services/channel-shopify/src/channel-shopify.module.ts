// The composition of the service: plain classes wired by hand (they take their dependencies as
// arguments, so they are testable without Nest), exposed to Nest as the gRPC controller's
// service and the lifecycle hooks.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Module, type DynamicModule } from '@nestjs/common';
import { DesiredAvailabilityConsumer } from '@retail-mesh/channel-kit';
import { grpcServices, type catalogV1 } from '@retail-mesh/contracts';
import { createGrpcClient, type ServiceInfrastructure } from '@retail-mesh/service-kit';
import { ShopifyAccountRegistry } from './accounts/shopify-account.registry.js';
import { ChannelAdapterController } from './adapter/channel-adapter.controller.js';
import { ShopifyChannelAdapterService } from './adapter/channel-adapter.service.js';
import { AvailabilityPusher } from './availability/availability-pusher.js';
import { AvailabilitySyncService } from './availability/availability-sync.service.js';
import { DesiredInventoryRepository } from './availability/desired-inventory.repository.js';
import { createPushLeaseRepository } from './availability/push-lease.repository.js';
import type { ChannelShopifySettings } from './channel-shopify.config.js';
import { CatalogListingSource } from './listings/catalog-listing.source.js';
import { ShopifyListingResolver } from './listings/shopify-listing.resolver.js';
import { ChannelShopifyMetrics } from './metrics/channel-shopify.metrics.js';
import { SHOPIFY } from './shopify/shopify-channel.js';
import { createShopifyOrders, ShopifyOrdersModule } from './orders/orders.module.js';

// package.json is one level above both src/ and dist/.
const ADAPTER_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

@Module({})
export class ChannelShopifyModule {
  static forRoot(infra: ServiceInfrastructure<ChannelShopifySettings>): DynamicModule {
    const settings = infra.config.settings;
    const shutdown = new AbortController();
    const metrics = new ChannelShopifyMetrics(infra.metrics);
    const accounts = new ShopifyAccountRegistry(settings.shopifyAccounts, {
      tuning: { retries: settings.retries, baseDelayMs: settings.retryBaseDelayMs, requestTimeoutMs: settings.requestTimeoutMs },
      observerFor: (channelAccountId) => metrics.apiCallObserver(channelAccountId),
      signal: shutdown.signal,
    });
    const desired = new DesiredInventoryRepository(infra.dataSource);
    const catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, settings.catalogGrpcUrl);
    const listings = new ShopifyListingResolver(new CatalogListingSource(catalog), { listedTtlMs: settings.listingCacheTtlMs });
    const pusher = new AvailabilityPusher({
      accounts,
      desired,
      leases: createPushLeaseRepository(infra.dataSource),
      listings,
      metrics,
      logger: infra.logger.child({ component: 'availability-pusher' }),
      holderId: randomUUID(),
      options: {
        pollIntervalMs: settings.pollIntervalMs,
        holdMs: settings.holdMs,
        leaseTtlMs: settings.leaseTtlMs,
        failureBackoffMaxMs: settings.failureBackoffMaxMs,
      },
    });
    const consumer = new DesiredAvailabilityConsumer({
      channel: SHOPIFY,
      batchSize: settings.availabilityBatchSize,
      desired,
      accounts,
      pusher,
      metrics,
    });
    const orders = createShopifyOrders(infra, accounts, shutdown.signal);
    const adapter = new ShopifyChannelAdapterService({
      dataSource: infra.dataSource,
      accounts,
      desired,
      pusher,
      listings,
      metrics,
      adapterVersion: ADAPTER_VERSION,
      pushWaitMs: settings.pushWaitMs,
      orderPolls: (channelAccountId) => orders.poller.status(channelAccountId),
    });
    const sync = new AvailabilitySyncService({
      consumers: infra.consumers,
      consumer,
      pusher,
      desired,
      metrics,
      shutdown,
      closeAfterStop: () => catalog.close(),
    });
    return {
      module: ChannelShopifyModule,
      imports: [ShopifyOrdersModule.forFeature(orders)],
      controllers: [ChannelAdapterController],
      providers: [
        { provide: ShopifyChannelAdapterService, useValue: adapter },
        { provide: AvailabilitySyncService, useValue: sync },
      ],
    };
  }
}
