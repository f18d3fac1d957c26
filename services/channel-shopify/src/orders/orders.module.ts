// The order flow of the adapter, composed by hand like the rest of the service: intake (webhooks,
// poll, worker submitting to the orders service), the actions on Shopify and their consumers, the
// RPCs, and the lifecycle that starts and stops it all with the service.
import { randomUUID } from 'node:crypto';
import {
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { KeyedRegistry, ORDER_POLL_BOUNDARY_MARGIN_MS } from '@retail-mesh/channel-kit';
import { Events, grpcServices, type ordersV1 } from '@retail-mesh/contracts';
import { createGrpcClient, onEventOutsideTransaction, type GrpcClient, type ServiceInfrastructure } from '@retail-mesh/service-kit';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import { SHOPIFY_CHANNEL } from '../shopify/shopify-channel.js';
import type { ChannelShopifySettings } from '../channel-shopify.config.js';
import { ShopifyOrderActions } from './order-actions.service.js';
import { OrderAdapterService } from './order-adapter.service.js';
import { OrderCursorRepository } from './order-cursor.repository.js';
import { ORDERS_CONSUMER_PURPOSE, OrderEventsConsumer } from './order-events.consumer.js';
import { OrderIntakeRepository } from './order-intake.repository.js';
import { OrderIntake } from './order-intake.service.js';
import { OrderPoller } from './order-poller.js';
import { OrdersMetrics } from './orders.metrics.js';
import { ShopifyOrdersRestClient } from './shopify-orders-rest.client.js';
import { ShopifyShipmentRepository } from './shopify-shipment.repository.js';
import { ShopifyWebhookReceiver } from './shopify-webhook.receiver.js';

const CLAIM_TTL_MS = 60_000;
const INTAKE_BATCH_SIZE = 50;
/** Orders of a batch submitted at once (a Black Friday backlog drains in parallel, not one by one). */
const INTAKE_CONCURRENCY = 16;
/**
 * How long an intake round gives way at most to webhooks arriving faster than they are stored (a
 * flash sale): long enough for the adapter to answer them within Shopify's 5 s, short enough that
 * processing is never starved.
 */
const WEBHOOK_PRIORITY_MAX_MS = 2_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;
const ORDERS_DEADLINE_MS = 10_000;

/** Registers the consumers while the module initialises, runs the worker and the polls while the service is up. */
export class OrdersSyncService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly deps: {
      infra: ServiceInfrastructure<ChannelShopifySettings>;
      consumer: OrderEventsConsumer;
      intake: OrderIntake;
      poller: OrderPoller;
      orders: GrpcClient<ordersV1.OrdersServiceClient>;
    },
  ) {}

  onModuleInit(): void {
    const { consumer } = this.deps;
    const channels = [SHOPIFY_CHANNEL];
    this.deps.infra.consumers.register({
      purpose: ORDERS_CONSUMER_PURPOSE,
      // Acknowledgements handled at once share a metafieldsSet of up to 25 orders: two calls'
      // worth, one out and the next one filling.
      prefetch: 50,
      handlers: [
        onEventOutsideTransaction(Events.orders.orderAccepted, (event) => consumer.accepted(event), { channels }),
        onEventOutsideTransaction(Events.orders.orderShipped, (event) => consumer.shipped(event), { channels }),
        onEventOutsideTransaction(Events.orders.orderCancelled, (event) => consumer.cancelled(event), { channels }),
      ],
    });
  }

  onApplicationBootstrap(): void {
    this.deps.intake.start();
    this.deps.poller.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.deps.poller.stop(), this.deps.intake.stop()]);
    this.deps.orders.close();
  }
}

/** The order flow's providers (the webhook receiver: the definition's rawHttpRoutes) and lifecycle; exports the order RPCs for the ChannelAdapterService controller. */
@Module({})
export class ShopifyOrdersModule {
  static forFeature(feature: ShopifyOrdersFeature): DynamicModule {
    return {
      module: ShopifyOrdersModule,
      providers: [...feature.providers, { provide: OrderAdapterService, useValue: feature.adapter }],
      exports: [OrderAdapterService],
    };
  }
}

export interface ShopifyOrdersFeature {
  providers: Provider[];
  adapter: OrderAdapterService;
  poller: OrderPoller;
}

export function createShopifyOrders(
  infra: ServiceInfrastructure<ChannelShopifySettings>,
  accounts: ShopifyAccountRegistry,
  signal: AbortSignal,
): ShopifyOrdersFeature {
  const settings = infra.config.settings;
  const logger = infra.logger.child({ component: 'orders' });
  const metrics = new OrdersMetrics(infra.metrics);
  const orders = createGrpcClient<ordersV1.OrdersServiceClient>(grpcServices.orders, settings.ordersGrpcUrl, {
    deadlineMs: ORDERS_DEADLINE_MS,
  });
  const intake = new OrderIntake({
    dataSource: infra.dataSource,
    repository: new OrderIntakeRepository(infra.dataSource),
    publisher: infra.publisher,
    orders,
    metrics,
    logger,
    holderId: randomUUID(),
    options: {
      intervalMs: settings.orderIntakeIntervalMs,
      claimTtlMs: CLAIM_TTL_MS,
      retryBaseMs: RETRY_BASE_MS,
      retryMaxMs: RETRY_MAX_MS,
      batchSize: INTAKE_BATCH_SIZE,
      concurrency: INTAKE_CONCURRENCY,
      webhookPriorityMaxMs: WEBHOOK_PRIORITY_MAX_MS,
    },
  });
  const actions = new ShopifyOrderActions({
    accounts,
    shipments: new ShopifyShipmentRepository(infra.dataSource),
    metrics,
    cancelConfirmMs: settings.orderCancelConfirmMs,
    signal,
  });
  const restClients = new KeyedRegistry(
    (channelAccountId) =>
      new ShopifyOrdersRestClient({
        account: accounts.get(channelAccountId),
        retries: settings.retries,
        baseDelayMs: settings.retryBaseDelayMs,
        requestTimeoutMs: settings.requestTimeoutMs,
        signal,
      }),
  );
  const poller = new OrderPoller({
    accounts,
    cursors: new OrderCursorRepository(infra.dataSource),
    intake,
    restClient: (channelAccountId) => restClients.get(channelAccountId),
    graphqlClient: (channelAccountId) => actions.client(channelAccountId),
    metrics,
    logger,
    options: {
      intervalMs: settings.orderPollIntervalMs,
      settleMs: settings.orderPollSettleMs,
      marginMs: ORDER_POLL_BOUNDARY_MARGIN_MS,
      lookbackMs: settings.orderPollLookbackMs,
      failureBackoffMaxMs: settings.failureBackoffMaxMs,
      webhookBaseUrl: settings.webhookBaseUrl,
    },
  });
  const consumer = new OrderEventsConsumer({
    dataSource: infra.dataSource,
    publisher: infra.publisher,
    accounts,
    actions,
    metrics,
    logger,
  });
  const receiver = new ShopifyWebhookReceiver({ accounts, intake, metrics, logger });
  const sync = new OrdersSyncService({ infra, consumer, intake, poller, orders });
  return {
    providers: [
      { provide: ShopifyWebhookReceiver, useValue: receiver },
      { provide: OrdersSyncService, useValue: sync },
    ],
    adapter: new OrderAdapterService({ dataSource: infra.dataSource, accounts, actions, poller }),
    poller,
  };
}
