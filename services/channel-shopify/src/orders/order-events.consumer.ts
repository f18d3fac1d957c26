// The orders service's facts about Shopify orders, on the queue channel-shopify.orders (bound to
// the shopify channel only): accepted -> acknowledge on Shopify -> channel.order_acknowledged;
// shipped -> fulfil on Shopify -> channel.shipment_confirmed; cancelled -> cancel on Shopify,
// unless the cancellation came from Shopify: the whole order with orderCancel when nothing of it
// shipped, else the cancelled units with a refund of restock type CANCEL (ADR 0006). The Shopify
// effect runs outside any transaction (idempotent, read back); the follow-up event is written in
// an inbox transaction keyed by the consumed event, so a redelivery publishes nothing twice. What
// Shopify refuses is a poison message (dead-lettered with the reason); what it did not confirm
// yet is retried.
import { Events, ordersV1, toTimestamp, type ordersEventsV1 } from '@retail-mesh/contracts';
import { Inbox, PoisonMessageError } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { GroupCommit, withTransaction } from '@retail-mesh/persistence';
import { outgoingEvent, type OutboxPublisher, type OutgoingEvent, type ReceivedEvent } from '@retail-mesh/service-kit';
import type { DataSource, EntityManager } from 'typeorm';
import type { ShopifyAccountRegistry } from '../accounts/shopify-account.registry.js';
import { SHOPIFY_CHANNEL } from '../shopify/shopify-channel.js';
import { OrderActionRefused, type OrderRef, type ShopifyOrderActions } from './order-actions.service.js';
import type { OrdersMetrics } from './orders.metrics.js';

export const ORDERS_CONSUMER_PURPOSE = 'orders';

const SHOPIFY_ORDER_GID = /^gid:\/\/shopify\/Order\/\d+$/;

export interface OrderEventsConsumerDependencies {
  dataSource: DataSource;
  publisher: OutboxPublisher;
  accounts: ShopifyAccountRegistry;
  actions: ShopifyOrderActions;
  metrics: OrdersMetrics;
  logger: Logger;
}

/** The Shopify order an orders event is about; a poison message when it cannot be one of ours. */
export function shopifyOrderOf(
  order: ordersV1.Order | null | undefined,
  isServed: (channelAccountId: string) => boolean,
): OrderRef & { orderId: string } {
  if (!order) throw new PoisonMessageError('the event carries no order');
  if (order.channel !== SHOPIFY_CHANNEL)
    throw new PoisonMessageError(`order ${order.orderId} is a ${order.channel} order, not a Shopify one`);
  if (!isServed(order.channelAccountId)) throw new PoisonMessageError(`unknown Shopify channel account "${order.channelAccountId}"`);
  if (!SHOPIFY_ORDER_GID.test(order.channelOrderId)) {
    throw new PoisonMessageError(`channel_order_id "${order.channelOrderId}" of order ${order.orderId} is not a Shopify order gid`);
  }
  return { channelAccountId: order.channelAccountId, channelOrderId: order.channelOrderId, orderId: order.orderId };
}

/** A handled event whose follow-up events are to be published once. */
interface FollowUp {
  event: ReceivedEvent<unknown>;
  events: (manager: EntityManager) => Promise<OutgoingEvent<unknown>[]>;
}

// Handled events recorded in one inbox transaction at most.
const FOLLOW_UPS_PER_TRANSACTION = 100;

export class OrderEventsConsumer {
  // The events handled at the same time record their follow-ups in one inbox transaction.
  private readonly followUps = new GroupCommit<FollowUp, void>(FOLLOW_UPS_PER_TRANSACTION, (followUps) => this.recordFollowUps(followUps));

  constructor(private readonly deps: OrderEventsConsumerDependencies) {}

  async accepted(event: ReceivedEvent<ordersEventsV1.OrderAccepted>): Promise<void> {
    const order = this.ref(event.payload.order);
    // Accepted means the ERP sales order exists (ADR 0004): its reference is what Shopify shows.
    const erpOrderId = event.payload.order?.erpOrderId ?? '';
    if (erpOrderId === '') throw new PoisonMessageError(`accepted order ${order.orderId} carries no erp_order_id`);
    await this.refusalsArePoison(() => this.deps.actions.acknowledge(order, erpOrderId));
    await this.publishOnce(event, async () => [
      outgoingEvent({
        definition: Events.channel.orderAcknowledged,
        payload: {
          channelAccountId: order.channelAccountId,
          channel: SHOPIFY_CHANNEL,
          channelOrderId: order.channelOrderId,
          orderId: order.orderId,
          acknowledgedAt: toTimestamp(new Date()),
        },
        subject: order.orderId,
        channel: SHOPIFY_CHANNEL,
        channelAccountId: order.channelAccountId,
      }),
    ]);
  }

  async shipped(event: ReceivedEvent<ordersEventsV1.OrderShipped>): Promise<void> {
    const order = this.ref(event.payload.order);
    const shipment = event.payload.shipment;
    if (!shipment?.shipmentId) throw new PoisonMessageError(`the shipment of order ${order.orderId} has no shipment id`);
    if (shipment.lines.length === 0) throw new PoisonMessageError(`shipment ${shipment.shipmentId} has no lines`);
    const request = { ...order, shipment, notifyCustomer: true };
    const result = await this.refusalsArePoison(() => this.deps.actions.confirmShipment(request));
    await this.publishOnce(event, async (manager) => {
      await this.deps.actions.recordShipment(manager, request, result);
      return [
        outgoingEvent({
          definition: Events.channel.shipmentConfirmed,
          payload: {
            channelAccountId: order.channelAccountId,
            channel: SHOPIFY_CHANNEL,
            channelOrderId: order.channelOrderId,
            orderId: order.orderId,
            shipmentId: shipment.shipmentId,
            channelFulfillmentId: result.fulfillmentIds[0] ?? '',
            // No shipped_by_channel: a mesh shipment, Shopify shipped nothing of its own.
            confirmedAt: toTimestamp(new Date()),
          },
          subject: order.orderId,
          channel: SHOPIFY_CHANNEL,
          channelAccountId: order.channelAccountId,
        }),
      ];
    });
  }

  async cancelled(event: ReceivedEvent<ordersEventsV1.OrderCancelled>): Promise<void> {
    const order = this.ref(event.payload.order);
    const { reason, fullyCancelled } = event.payload;
    if (reason === ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED) {
      // It came from Shopify: nothing to send back.
      this.deps.metrics.action(order.channelAccountId, 'cancel', 'skipped');
      return;
    }
    const after = event.payload.order as ordersV1.Order;
    // orderCancel takes whole orders that shipped nothing; anything else is units of lines.
    if (fullyCancelled && after.lines.every((line) => line.shippedQuantity === 0)) {
      await this.refusalsArePoison(() => this.deps.actions.cancel({ ...order, reason, note: '', notifyCustomer: false }));
      return;
    }
    // A change that names no lines cancelled what was left: every line's cancelled units.
    const lines =
      event.payload.lines.length > 0
        ? event.payload.lines
        : after.lines
            .filter((line) => line.cancelledQuantity > 0)
            .map((line) => ({ lineId: line.lineId, quantity: line.cancelledQuantity }));
    const { already } = await this.refusalsArePoison(() => this.deps.actions.cancelUnits({ ...order, order: after, lines, reason }));
    if (!already) this.deps.logger.info({ ...order, lines }, 'units cancelled on Shopify with a refund (restock type CANCEL)');
  }

  private ref(order: ordersV1.Order | null | undefined): OrderRef & { orderId: string } {
    return shopifyOrderOf(order, (channelAccountId) => this.deps.accounts.has(channelAccountId));
  }

  private async refusalsArePoison<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof OrderActionRefused) throw new PoisonMessageError(error.message);
      throw error;
    }
  }

  /** Writes the follow-up events (and what `events` records) once per consumed event. */
  private async publishOnce(
    event: ReceivedEvent<unknown>,
    events: (manager: EntityManager) => Promise<OutgoingEvent<unknown>[]>,
  ): Promise<void> {
    await this.followUps.submit({ event, events });
  }

  /**
   * Runs each event's follow-up at most once per event (the inbox rows, its writes and the events it
   * publishes commit together).
   */
  private recordFollowUps(followUps: readonly FollowUp[]): Promise<void[]> {
    return withTransaction(this.deps.dataSource, async (manager) => {
      const fresh = new Set<string>();
      for (const queue of new Set(followUps.map(({ event }) => event.delivery.queue))) {
        const ids = followUps.filter(({ event }) => event.delivery.queue === queue).map(({ event }) => event.envelope.id);
        for (const id of await Inbox.record(manager, queue, ids)) fresh.add(`${queue}\u0000${id}`);
      }
      const outgoing: OutgoingEvent<unknown>[] = [];
      for (const { event, events } of followUps) {
        // Taken by the first of two deliveries of one event in this batch, or processed before.
        if (!fresh.delete(`${event.delivery.queue}\u0000${event.envelope.id}`)) continue;
        outgoing.push(...(await events(manager)));
      }
      // One multi-row insert for the whole batch.
      await this.deps.publisher.add(manager, outgoing);
      return followUps.map(() => undefined);
    });
  }
}
