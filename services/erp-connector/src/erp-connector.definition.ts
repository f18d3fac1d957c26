import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { erpConnectorSettings } from './erp-connector.config.js';
import { ErpConnectorModule } from './erp-connector.module.js';
import { ErpStockPositionEntity } from './erp-stock/erp-stock-position.entity.js';
import { FeedCursorEntity } from './feed-cursor/feed-cursor.entity.js';
import { CreateStockFeedTables1795759900000 } from './migrations/1795759900000-create-stock-feed-tables.js';
import { CreateSalesOrderLink1795760000000 } from './migrations/1795760000000-create-sales-order-link.js';
import { CreateCancellationRequests1795950000000 } from './migrations/1795950000000-create-cancellation-requests.js';
import { CancellationRequestEntity } from './order-cancellations/cancellation-request.entity.js';
import { SalesOrderLinkEntity } from './sales-orders/sales-order-link.entity.js';

export const erpConnectorService = defineService({
  name: 'erp-connector',
  grpc: grpcServices.erpConnector,
  ports: { grpc: 50056, http: 9156 },
  settings: erpConnectorSettings,
  entities: [FeedCursorEntity, ErpStockPositionEntity, SalesOrderLinkEntity, CancellationRequestEntity],
  migrations: [CreateStockFeedTables1795759900000, CreateSalesOrderLink1795760000000, CreateCancellationRequests1795950000000],
  module: (infra) => ErpConnectorModule.register(infra.config.settings),
});
