import { Injectable } from '@nestjs/common';
import type { channelEventsV1 } from '@retail-mesh/contracts';
import { applyOrderAction, DomainValidationError, type OrderChange } from '@retail-mesh/domain';
import { PoisonMessageError } from '@retail-mesh/messaging';
import type { ReceivedEvent } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import { toLineQuantities } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderWriter } from '../orders/order-writer.js';
import { InboxTransaction } from './inbox-transaction.js';
import { isOrderId } from '../orders/order-id.js';

/** channel.order_acknowledged.<channel>: the channel took the acknowledgement, ACCEPTED -> ACKNOWLEDGED. */
@Injectable()
export class AcknowledgementsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly inbox: InboxTransaction,
  ) {}

  async apply(event: ReceivedEvent<channelEventsV1.OrderAcknowledged>): Promise<void> {
    const { payload } = event;
    if (!isOrderId(payload.orderId) && (payload.channelAccountId === '' || payload.channelOrderId === '')) {
      throw new PoisonMessageError('OrderAcknowledged names no order: order_id or channel_account_id and channel_order_id are required');
    }
    await this.inbox.run(event, async (manager, publish) => {
      const order = await this.find(manager, payload);
      if (!order)
        throw new PoisonMessageError(
          `OrderAcknowledged for an unknown order ${payload.orderId || `${payload.channelAccountId}/${payload.channelOrderId}`}`,
        );
      // Cancelled after it was accepted: the acknowledgement came late and changes nothing.
      if (order.state === 'CANCELLED') return [];
      const lines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
      let change: OrderChange;
      try {
        change = applyOrderAction(order.state, toLineQuantities(lines), { kind: 'acknowledge' });
      } catch (error) {
        if (error instanceof DomainValidationError) throw new PoisonMessageError(`order ${order.orderId}: ${error.message}`);
        throw error;
      }
      if (!change.changed) return [];
      const written = await this.writer.write(
        manager,
        publish,
        {
          order: { ...order, state: change.to },
          lines,
          from: order.state,
          expected: { version: order.version },
          record: { change: 'acknowledged', actor: 'channel', detail: `acknowledged on ${event.channel ?? order.channel}` },
        },
        new Date(),
      );
      if (!written.written) throw new Error(`order ${order.orderId} changed concurrently; retrying`);
      return [written.committed];
    });
  }

  private async find(manager: EntityManager, payload: channelEventsV1.OrderAcknowledged): Promise<OrderEntity | null> {
    if (isOrderId(payload.orderId)) {
      const order = await this.orders.findByIdForUpdate(manager, payload.orderId);
      if (order) return order;
    }
    const byChannel = await this.orders.findByChannelOrder(manager, payload.channelAccountId, payload.channelOrderId);
    return byChannel && this.orders.findByIdForUpdate(manager, byChannel.orderId);
  }
}
