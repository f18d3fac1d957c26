import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Events } from '@retail-mesh/contracts';
import { EventConsumers, onEvent, onEventBatch, onEventOutsideTransaction } from '@retail-mesh/service-kit';
import { ErpCancellationsService } from '../cancellation/erp-cancellations.service.js';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings.js';
import { AcknowledgementsService } from './acknowledgements.service.js';
import { ShipmentsService } from './shipments.service.js';

/** Queue orders.channel-acknowledgements: channel.order_acknowledged.* (every channel). */
export const CHANNEL_ACKNOWLEDGEMENTS_PURPOSE = 'channel-acknowledgements';
/** Queue orders.erp-order-changes: erp.shipment_created and erp.order_cancelled. */
export const ERP_ORDER_CHANGES_PURPOSE = 'erp-order-changes';
/** Queue orders.channel-shipments: channel.shipment_confirmed.* (the channel's own shipments of orders it fulfils). */
export const CHANNEL_SHIPMENTS_PURPOSE = 'channel-shipments';

// Acknowledgements applied in one inbox transaction at most (the consumer's prefetch bounds it too).
const ACKNOWLEDGEMENTS_PER_TRANSACTION = 50;

/**
 * What happens to orders after the ERP accepted them. Acknowledgements are applied in batches, and
 * the channels' own shipments one by one, in the kit's inbox transaction; the ERP's changes run
 * the inbox themselves (InboxTransaction): shipments call inventory before their transaction.
 * Every handler counts its changes once committed. Events that can never apply (an unknown order,
 * a shipment of more than was ordered) are poison messages: dead-lettered with the reason.
 */
@Injectable()
export class OrderUpdatesConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly acknowledgements: AcknowledgementsService,
    private readonly shipments: ShipmentsService,
    private readonly erpCancellations: ErpCancellationsService,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      purpose: CHANNEL_ACKNOWLEDGEMENTS_PURPOSE,
      // The next batch fills while one is applied.
      prefetch: Math.max(this.settings.consumerPrefetch, 2 * ACKNOWLEDGEMENTS_PER_TRANSACTION),
      handlers: [
        onEventBatch(Events.channel.orderAcknowledged, (events, context) => this.acknowledgements.applyAll(events, context), {
          maxBatchSize: ACKNOWLEDGEMENTS_PER_TRANSACTION,
        }),
      ],
    });
    this.consumers.register({
      purpose: ERP_ORDER_CHANGES_PURPOSE,
      prefetch: this.settings.consumerPrefetch,
      handlers: [
        onEventOutsideTransaction(Events.erp.shipmentCreated, (event) => this.shipments.apply(event)),
        onEventOutsideTransaction(Events.erp.orderCancelled, (event) => this.erpCancellations.apply(event)),
      ],
    });
    this.consumers.register({
      purpose: CHANNEL_SHIPMENTS_PURPOSE,
      prefetch: this.settings.consumerPrefetch,
      handlers: [onEvent(Events.channel.shipmentConfirmed, (event, context) => this.shipments.applyFromChannel(event, context))],
    });
  }
}
