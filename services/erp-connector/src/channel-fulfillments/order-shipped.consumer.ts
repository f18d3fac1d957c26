import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Events } from '@retail-mesh/contracts';
import { EventConsumers, onEventOutsideTransaction } from '@retail-mesh/service-kit';
import { ChannelFulfillmentService } from './channel-fulfillment.service.js';

export const CHANNEL_FULFILLMENTS_PURPOSE = 'channel-fulfillments';

/**
 * Consumes orders.order_shipped.<every channel> on `erp-connector.channel-fulfillments`: the
 * shipments a channel made itself become item fulfillments in the ERP. Outside the inbox
 * transaction (the effect is an ERP call, idempotent by its key); the service records the inbox
 * row once the ERP has answered.
 */
@Injectable()
export class OrderShippedConsumer implements OnModuleInit {
  private queue = '';

  constructor(
    private readonly consumers: EventConsumers,
    private readonly fulfillments: ChannelFulfillmentService,
  ) {}

  onModuleInit(): void {
    this.queue = this.consumers.register({
      purpose: CHANNEL_FULFILLMENTS_PURPOSE,
      prefetch: 10,
      // Long enough to outlast a sales order creation in progress or a short ERP outage; then the DLQ.
      deliveryLimit: 10,
      retryDelaysMs: [1000, 5000, 30_000, 60_000],
      handlers: [
        onEventOutsideTransaction(Events.orders.orderShipped, (event) =>
          this.fulfillments.record(this.queue, { payload: event.payload, eventId: event.envelope.id, time: event.time }),
        ),
      ],
    });
  }
}
