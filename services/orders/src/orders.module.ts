import { Module, type DynamicModule } from '@nestjs/common';
import { CancelOrderService } from './cancellation/cancel-order.service.js';
import { CancellationService } from './cancellation/cancellation.service.js';
import { ErpCancellationsService } from './cancellation/erp-cancellations.service.js';
import { ReservationReleases } from './cancellation/reservation-releases.service.js';
import { AcknowledgementsService } from './fulfilment/acknowledgements.service.js';
import { InboxTransaction } from './fulfilment/inbox-transaction.js';
import { OrderUpdatesConsumer } from './fulfilment/order-updates.consumer.js';
import { ShipmentsService } from './fulfilment/shipments.service.js';
import { OrdersController } from './grpc/orders.controller.js';
import { OrderWriter } from './orders/order-writer.js';
import { OrdersRepository } from './orders/orders.repository.js';
import { OrdersService } from './orders/orders.service.js';
import { ReleaseHoldService } from './orders/release-hold.service.js';
import { OrdersMetrics } from './orders.metrics.js';
import { ORDERS_SETTINGS, type OrdersSettings } from './orders.settings.js';
import { PeerClients } from './peers/peer-clients.js';
import { CatalogCheck } from './worker/catalog-check.js';
import { ErpSubmissionWorker } from './worker/erp-submission.worker.js';
import { OrderIntakeWorker } from './worker/order-intake.worker.js';
import { WorkQueue } from './worker/work-queue.js';

@Module({})
export class OrdersModule {
  static register(settings: OrdersSettings): DynamicModule {
    return {
      module: OrdersModule,
      controllers: [OrdersController],
      providers: [
        { provide: ORDERS_SETTINGS, useValue: settings },
        OrdersMetrics,
        OrdersRepository,
        OrderWriter,
        PeerClients,
        WorkQueue,
        CatalogCheck,
        OrderIntakeWorker,
        ErpSubmissionWorker,
        OrdersService,
        ReleaseHoldService,
        CancellationService,
        CancelOrderService,
        ReservationReleases,
        InboxTransaction,
        AcknowledgementsService,
        ShipmentsService,
        ErpCancellationsService,
        OrderUpdatesConsumer,
      ],
    };
  }
}
