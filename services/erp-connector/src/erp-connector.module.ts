import { Module, type DynamicModule } from '@nestjs/common';
import { ErpHttpClient } from './erp-client/erp-http.client.js';
import { ErpChangeFeedClient } from './erp-client/erp-change-feed.client.js';
import { ErpSalesOrderClient } from './erp-client/erp-sales-order.client.js';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from './erp-connector.config.js';
import { ErpConnectorMetrics } from './erp-connector.metrics.js';
import { ErpStockPositionRepository } from './erp-stock/erp-stock-position.repository.js';
import { ErpStockService } from './erp-stock/erp-stock.service.js';
import { ErpController } from './erp.controller.js';
import { ChangeFeedService } from './change-feed/change-feed.service.js';
import { ChannelFulfillmentService } from './channel-fulfillments/channel-fulfillment.service.js';
import { OrderShippedConsumer } from './channel-fulfillments/order-shipped.consumer.js';
import { FeedCursorRepository } from './feed-cursor/feed-cursor.repository.js';
import { OrderCancellationService } from './order-cancellations/order-cancellation.service.js';
import { OrderCancelledConsumer } from './order-cancellations/order-cancelled.consumer.js';
import { CancellationRequestRepository } from './order-cancellations/cancellation-request.repository.js';
import { OwnCancellationService } from './order-cancellations/own-cancellation.service.js';
import { SalesOrderLinkRepository } from './sales-orders/sales-order-link.repository.js';
import { SalesOrderService } from './sales-orders/sales-order.service.js';

// Backoff between retries of one ERP request (the ERP's Retry-After wins when it sends one).
const RETRY_BASE_DELAY_MS = 200;
const RETRY_MAX_DELAY_MS = 5000;

@Module({})
export class ErpConnectorModule {
  static register(settings: ErpConnectorSettings): DynamicModule {
    return {
      module: ErpConnectorModule,
      controllers: [ErpController],
      providers: [
        { provide: ERP_CONNECTOR_SETTINGS, useValue: settings },
        ErpConnectorMetrics,
        {
          provide: ErpHttpClient,
          inject: [ErpConnectorMetrics],
          useFactory: (metrics: ErpConnectorMetrics) => {
            const client = new ErpHttpClient({
              baseUrl: settings.erpBaseUrl.replace(/\/+$/, ''),
              clientId: settings.erpClientId,
              clientSecret: settings.erpClientSecret,
              requestTimeoutMs: settings.requestTimeoutMs,
              maxConcurrentRequests: settings.maxConcurrentRequests,
              retries: settings.requestRetries,
              baseDelayMs: RETRY_BASE_DELAY_MS,
              maxDelayMs: RETRY_MAX_DELAY_MS,
              onRetry: () => metrics.requestRetried(),
            });
            metrics.watchRequestsWaiting(() => client.requestsWaiting);
            return client;
          },
        },
        ErpChangeFeedClient,
        ErpSalesOrderClient,
        FeedCursorRepository,
        ErpStockPositionRepository,
        ErpStockService,
        SalesOrderLinkRepository,
        ChangeFeedService,
        SalesOrderService,
        CancellationRequestRepository,
        OwnCancellationService,
        OrderCancellationService,
        OrderCancelledConsumer,
        ChannelFulfillmentService,
        OrderShippedConsumer,
      ],
    };
  }
}
