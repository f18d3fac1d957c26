// Consumes the order outcomes for Amazon on one queue (`channel-amazon.orders`):
// - orders.order_accepted.amazon: queue the acknowledgement for the order feed; an order Amazon
//   fulfils (AFN) has nothing to acknowledge: channel.order_acknowledged is published at once;
// - orders.order_cancelled.amazon: queue the seller cancellation of the items left with nothing
//   to ship, and an order adjustment (cancel and refund) of the units of items that keep units to
//   ship (unless it came from Amazon);
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
import { adjustmentDedupeKey } from '../order-feeds/order-feed.documents.js';
import { adjustmentReason, planAdjustments, type AdjustItem } from '../order-feeds/payment-adjustment.js';
import type { OrderFeedWorker } from '../order-feeds/order-feed.worker.js';
import { ShipmentRefusedError, type ShipmentConfirmer } from '../shipments/shipment-confirmer.js';
import { cancellationItems, orderRefOf, type OrderRef, type UnitsOfLine } from './order-events.mapper.js';

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
    const adjustment = await this.adjustmentOf(ref, plan.units, adjustmentReason(event.payload.reason));
    if (plan.items.length === 0 && !adjustment) return;
    await Inbox.handleOnce(this.deps.dataSource, event.delivery.queue, event.envelope.id, async (manager) => {
      const now = new Date();
      const action = { channelAccountId: ref.channelAccountId, amazonOrderId: ref.amazonOrderId, orderId: ref.orderId, erpOrderId: '' };
      if (plan.items.length > 0) await this.deps.actions.enqueue(manager, { ...action, kind: 'cancel', cancelItems: plan.items }, now);
      if (adjustment) await this.deps.actions.enqueue(manager, { ...action, kind: 'adjust', ...adjustment }, now);
    });
    this.deps.worker.wake(ref.channelAccountId);
  }

  /**
   * The order adjustment for units of lines that keep units to ship, or undefined when there are
   * none or it is queued already (a redelivery: its amounts were fixed from what Amazon showed
   * before it; Amazon's items may show the units gone by now). The amounts come from the items as
   * getOrderItems shows them; an SP-API failure is retried by the bus, an adjustment that can never
   * be sent is a poison message.
   */
  private async adjustmentOf(
    ref: OrderRef,
    units: readonly UnitsOfLine[],
    reason: string,
  ): Promise<{ adjustItems: AdjustItem[]; dedupeKey: string } | undefined> {
    if (units.length === 0) return undefined;
    const dedupeKey = adjustmentDedupeKey(ref.amazonOrderId, units);
    if (await this.deps.actions.find(ref.channelAccountId, 'adjust', dedupeKey)) return undefined;
    const amazonItems = await this.deps.accounts.client(ref.channelAccountId).getOrderItems(ref.amazonOrderId);
    const planned = planAdjustments(units, amazonItems, reason);
    if (!planned.ok) throw new PoisonMessageError(`the cancelled units cannot be refunded on Amazon: ${planned.reason}`);
    return { adjustItems: planned.items, dedupeKey };
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
    });
  }

  /** An AFN order: Amazon has nothing to acknowledge, the order is acknowledged as far as the channel goes. */
  private async acknowledgedByAmazon(event: ReceivedEvent<ordersEventsV1.OrderAccepted>, ref: OrderRef): Promise<void> {
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
    });
  }

  private refOf(event: ReceivedEvent<unknown>, order: Parameters<typeof orderRefOf>[0]) {
    const checked = orderRefOf(order, event.envelope.channelAccountId, (id) => this.deps.accounts.has(id));
    if (!checked.ok) throw new PoisonMessageError(checked.reason);
    return checked.ref;
  }
}
