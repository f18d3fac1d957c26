import { Injectable } from '@nestjs/common';
import type { channelEventsV1 } from '@retail-mesh/contracts';
import { applyOrderAction, DomainValidationError, type OrderChange } from '@retail-mesh/domain';
import { PoisonMessageError } from '@retail-mesh/messaging';
import type { ReceivedEvent, TransactionContext } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import { isOrderId } from '../orders/order-id.js';
import { toLineQuantities } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderWriter, type PendingChange } from '../orders/order-writer.js';
import { OrdersMetrics } from '../orders.metrics.js';

type Acknowledged = ReceivedEvent<channelEventsV1.OrderAcknowledged>;

/**
 * channel.order_acknowledged.<channel>: the channel took the acknowledgement, ACCEPTED ->
 * ACKNOWLEDGED. The acknowledgements waiting together are applied in one inbox transaction: their
 * orders locked and read at once, written at once. An event that can never apply (no order named,
 * an unknown order) fails the batch; each event is then applied alone and that one dead-lettered.
 */
@Injectable()
export class AcknowledgementsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly metrics: OrdersMetrics,
  ) {}

  async applyAll(events: readonly Acknowledged[], { manager, publish, afterCommit }: TransactionContext): Promise<void> {
    for (const { payload } of events) {
      if (!isOrderId(payload.orderId) && (payload.channelAccountId === '' || payload.channelOrderId === '')) {
        throw new PoisonMessageError('OrderAcknowledged names no order: order_id or channel_account_id and channel_order_id are required');
      }
    }
    const orders = await this.find(manager, events);
    const lines = await this.orders.linesOf(
      manager,
      [...orders.values()].map((order) => order.orderId),
    );
    const now = new Date();
    // Where each order stands after the events before (a repeated acknowledgement changes nothing).
    const current = new Map<string, OrderEntity>();
    const changes: PendingChange[] = [];
    for (const event of events) {
      const found = orders.get(event);
      if (!found) {
        const { payload } = event;
        throw new PoisonMessageError(
          `OrderAcknowledged for an unknown order ${payload.orderId || `${payload.channelAccountId}/${payload.channelOrderId}`}`,
        );
      }
      const order = current.get(found.orderId) ?? found;
      // Cancelled after it was accepted: the acknowledgement came late and changes nothing.
      if (order.state === 'CANCELLED') continue;
      const orderLines = lines.get(order.orderId) ?? [];
      let change: OrderChange;
      try {
        change = applyOrderAction(order.state, toLineQuantities(orderLines), { kind: 'acknowledge' });
      } catch (error) {
        if (error instanceof DomainValidationError) throw new PoisonMessageError(`order ${order.orderId}: ${error.message}`);
        throw error;
      }
      if (!change.changed) continue;
      const acknowledged = { ...order, state: change.to };
      current.set(order.orderId, acknowledged);
      changes.push({
        order: acknowledged,
        lines: orderLines,
        from: order.state,
        expected: { version: found.version },
        record: { change: 'acknowledged', actor: 'channel', detail: `acknowledged on ${event.channel ?? order.channel}` },
      });
    }
    const written = await this.writer.writeAll(manager, publish, changes, now);
    if (written.some((outcome) => !outcome.written)) throw new Error('an acknowledged order changed concurrently; retrying');
    afterCommit(() => this.metrics.changed(written.flatMap((outcome) => (outcome.written ? [outcome.committed] : []))));
  }

  /** The order each event names, locked until the transaction ends (by order id, else by channel order). */
  private async find(manager: EntityManager, events: readonly Acknowledged[]): Promise<Map<Acknowledged, OrderEntity>> {
    const byId = new Map(
      (
        await this.orders.findByIdsForUpdate(
          manager,
          events.flatMap(({ payload }) => (isOrderId(payload.orderId) ? [payload.orderId] : [])),
        )
      ).map((order) => [order.orderId, order]),
    );
    const found = new Map<Acknowledged, OrderEntity>();
    for (const event of events) {
      const { payload } = event;
      const order = byId.get(payload.orderId) ?? (await this.findByChannelOrder(manager, payload));
      if (order) found.set(event, order);
    }
    return found;
  }

  private async findByChannelOrder(manager: EntityManager, payload: channelEventsV1.OrderAcknowledged): Promise<OrderEntity | null> {
    const byChannel = await this.orders.findByChannelOrder(manager, payload.channelAccountId, payload.channelOrderId);
    return byChannel && this.orders.findByIdForUpdate(manager, byChannel.orderId);
  }
}
