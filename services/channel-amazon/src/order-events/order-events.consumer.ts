// Consumes the order outcomes for Amazon on one queue (`channel-amazon.orders`):
// - orders.order_accepted.amazon: queue the acknowledgement for the order feed; an order Amazon
//   fulfils (AFN) has nothing to acknowledge: channel.order_acknowledged is published at once;
// - orders.order_cancelled.amazon: queue the seller cancellation of the items Amazon can cancel
//   (unless it came from Amazon);
// - orders.order_shipped.amazon: confirm the shipment on Amazon with read-back, then publish
//   channel.shipment_confirmed.amazon (not for AFN orders: Amazon ships those itself).
// Each runs its own inbox transaction so the feed worker is woken after the commit; an event the
// adapter can never act on is a poison message with the reason.
import { Events, type ordersEventsV1, toTimestamp } from '@retail-mesh/contracts';
import { Inbox, PoisonMessageError } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import type { OutboxPublisher, ReceivedEvent } from '@retail-mesh/service-kit';
import type { DataSource } from 'typeorm';
import type { AmazonAccountRegistry } from '../accounts/amazon-account.registry.js';
import { AMAZON_CHANNEL } from '../amazon/amazon-channel.js';
import type { ChannelAmazonMetrics } from '../metrics/channel-amazon.metrics.js';
import type { OrderFeedActionRepository } from '../order-feeds/order-feed-action.repository.js';
import type { OrderFeedWorker } from '../order-feeds/order-feed.worker.js';
import { ShipmentRefusedError, type ShipmentConfirmer } from '../shipments/shipment-confirmer.js';
import { cancellationItems, orderRefOf, type OrderRef } from './order-events.mapper.js';

export const ORDERS_CONSUMER_PURPOSE = 'orders';

export interface OrderEventsConsumerDependencies {
  dataSource: DataSource;
  publisher: OutboxPublisher;
  accounts: AmazonAccountRegistry;
  actions: OrderFeedActionRepository;
  worker: OrderFeedWorker;
  shipments: ShipmentConfirmer;
  metrics: ChannelAmazonMetrics;
  logger: Logger;
}

export class OrderEventsConsumer {
  constructor(private readonly deps: OrderEventsConsumerDependencies) {}

  async accepted(event: ReceivedEvent<ordersEventsV1.OrderAccepted>): Promise<void> {
    const ref = this.refOf(event, event.payload.order);
    const order = event.payload.order as NonNullable<typeof event.payload.order>;
    if (order.fulfilledByChannel) return this.acknowledgedByAmazon(event, ref);
    await Inbox.handleOnce(this.deps.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      await this.deps.actions.enqueue(
        manager,
        {
          channelAccountId: ref.channelAccountId,
          kind: 'acknowledge',
          amazonOrderId: ref.amazonOrderId,
          orderId: ref.orderId,
          erpOrderId: order.erpOrderId,
        },
        new Date(),
      );
    });
    this.deps.worker.wake(ref.channelAccountId);
  }

  async cancelled(event: ReceivedEvent<ordersEventsV1.OrderCancelled>): Promise<void> {
    const ref = this.refOf(event, event.payload.order);
    const plan = cancellationItems(event.payload);
    if (!plan.ok) throw new PoisonMessageError(plan.reason);
    if (plan.fromChannel) return;
    if (plan.keptOpen.length > 0) {
      this.deps.logger.warn(
        { channelAccountId: ref.channelAccountId, amazonOrderId: ref.amazonOrderId, orderId: ref.orderId, keptOpen: plan.keptOpen },
        'units cancelled in the mesh stay open on Amazon: it cancels whole items only (refunded with an order adjustment once the rest ships)',
      );
    }
    if (plan.items.length === 0) return;
    await Inbox.handleOnce(this.deps.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      await this.deps.actions.enqueue(
        manager,
        {
          channelAccountId: ref.channelAccountId,
          kind: 'cancel',
          amazonOrderId: ref.amazonOrderId,
          orderId: ref.orderId,
          erpOrderId: '',
          cancelItems: plan.items,
        },
        new Date(),
      );
    });
    this.deps.worker.wake(ref.channelAccountId);
  }

  async shipped(event: ReceivedEvent<ordersEventsV1.OrderShipped>): Promise<void> {
    const ref = this.refOf(event, event.payload.order);
    const { shipment } = event.payload;
    if (!shipment) throw new PoisonMessageError('the event has no shipment');
    // Amazon ships AFN orders itself and refuses a seller's confirmation; the ERP's record of it needs no echo.
    if (event.payload.order?.fulfilledByChannel) return;
    let outcome;
    try {
      outcome = await this.deps.shipments.confirm(ref, event.payload.order as NonNullable<typeof event.payload.order>, shipment);
    } catch (error) {
      if (error instanceof ShipmentRefusedError) throw new PoisonMessageError(error.message);
      throw error;
    }
    this.deps.metrics.shipmentConfirmed(ref.channelAccountId, outcome);
    let published = false;
    await Inbox.handleOnce(this.deps.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      await this.deps.publisher.add(manager, [
        {
          definition: Events.channel.shipmentConfirmed,
          payload: {
            channelAccountId: ref.channelAccountId,
            channel: AMAZON_CHANNEL,
            channelOrderId: ref.amazonOrderId,
            orderId: ref.orderId,
            shipmentId: shipment.shipmentId,
            channelFulfillmentId: shipment.shipmentId,
            confirmedAt: toTimestamp(new Date()),
          },
          subject: ref.orderId,
          channel: AMAZON_CHANNEL,
          channelAccountId: ref.channelAccountId,
        },
      ]);
      published = true;
    });
    if (published) this.deps.publisher.wake();
  }

  /** An AFN order: Amazon has nothing to acknowledge, the order is acknowledged as far as the channel goes. */
  private async acknowledgedByAmazon(event: ReceivedEvent<ordersEventsV1.OrderAccepted>, ref: OrderRef): Promise<void> {
    let published = false;
    await Inbox.handleOnce(this.deps.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      await this.deps.publisher.add(manager, [
        {
          definition: Events.channel.orderAcknowledged,
          payload: {
            channelAccountId: ref.channelAccountId,
            channel: AMAZON_CHANNEL,
            channelOrderId: ref.amazonOrderId,
            orderId: ref.orderId,
            acknowledgedAt: toTimestamp(new Date()),
          },
          subject: ref.orderId,
          channel: AMAZON_CHANNEL,
          channelAccountId: ref.channelAccountId,
        },
      ]);
      published = true;
    });
    if (published) this.deps.publisher.wake();
  }

  private refOf(event: ReceivedEvent<unknown>, order: Parameters<typeof orderRefOf>[0]) {
    const checked = orderRefOf(order, event.envelope.channelAccountId, (id) => this.deps.accounts.has(id));
    if (!checked.ok) throw new PoisonMessageError(checked.reason);
    return checked.ref;
  }
}
