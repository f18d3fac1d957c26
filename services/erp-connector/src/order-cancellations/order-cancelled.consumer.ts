import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Events } from '@retail-mesh/contracts';
import { EventConsumers, onEventOutsideTransaction } from '@retail-mesh/service-kit';
import { OrderCancellationService } from './order-cancellation.service.js';

export const ORDER_CANCELLATIONS_PURPOSE = 'order-cancellations';

/**
 * Consumes orders.order_cancelled.<every channel> on `erp-connector.order-cancellations`. Outside
 * the inbox: the effect is a call to the ERP, idempotent by itself.
 */
@Injectable()
export class OrderCancelledConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly cancellations: OrderCancellationService,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      purpose: ORDER_CANCELLATIONS_PURPOSE,
      prefetch: 10,
      // Long enough to outlast a sales order creation in progress or a short ERP outage; then the DLQ.
      deliveryLimit: 10,
      retryDelaysMs: [1000, 5000, 30_000, 60_000],
      handlers: [
        onEventOutsideTransaction(Events.orders.orderCancelled, (event) => this.cancellations.apply(event.payload, event.envelope.id)),
      ],
    });
  }
}
