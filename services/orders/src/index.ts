// The orders service: canonical orders, their state machine and the worker that takes them from
// the channel to an ERP sales order (ADR 0004); gRPC retail.orders.v1.OrdersService.
// `ordersService` is what the embedded app starts; src/main.ts runs it standalone.
import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { ReservationReleaseEntity } from './cancellation/reservation-release.entity.js';
import { CreateOrdersTables1795900000000 } from './migrations/1795900000000-create-orders-tables.js';
import { AddFulfilledByChannel1796000000000 } from './migrations/1796000000000-add-fulfilled-by-channel.js';
import { IndexWorkQueues1796500000000 } from './migrations/1796500000000-index-work-queues.js';
import { HotUpdates1796700000000 } from './migrations/1796700000000-hot-updates.js';
import { OrderHistoryEntity } from './orders/order-history.entity.js';
import { OrderLineEntity } from './orders/order-line.entity.js';
import { OrderShipmentEntity } from './orders/order-shipment.entity.js';
import { OrderEntity } from './orders/order.entity.js';
import { OrdersModule } from './orders.module.js';
import { ordersSettings } from './orders.settings.js';

export const ordersService = defineService({
  name: 'orders',
  grpc: grpcServices.orders,
  ports: { grpc: 50053, http: 9153 },
  settings: ordersSettings,
  entities: [OrderEntity, OrderLineEntity, OrderHistoryEntity, OrderShipmentEntity, ReservationReleaseEntity],
  migrations: [CreateOrdersTables1795900000000, AddFulfilledByChannel1796000000000, IndexWorkQueues1796500000000, HotUpdates1796700000000],
  module: (infra) => OrdersModule.register(infra.config.settings),
});

export { ordersSettings, type OrdersSettings } from './orders.settings.js';
export { CHANNEL_ACKNOWLEDGEMENTS_PURPOSE, ERP_ORDER_CHANGES_PURPOSE } from './fulfilment/order-updates.consumer.js';
