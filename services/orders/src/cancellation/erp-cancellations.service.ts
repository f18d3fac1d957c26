import { Injectable } from '@nestjs/common';
import type { erpEventsV1 } from '@retail-mesh/contracts';
import { DomainValidationError, remainingLines, type LineQuantity } from '@retail-mesh/domain';
import { PoisonMessageError } from '@retail-mesh/messaging';
import type { ReceivedEvent } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import { matchErpLines } from '../fulfilment/erp-lines.js';
import { InboxTransaction } from '../fulfilment/inbox-transaction.js';
import { isOrderId } from '../orders/order-id.js';
import { toLineQuantities } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { CancellationService } from './cancellation.service.js';
import { ReservationReleases } from './reservation-releases.service.js';

/**
 * erp.order_cancelled: the ERP cancelled (part of) a sales order. The order is cancelled with
 * reason ERP_CANCELLED (its reserved units released, orders.order_cancelled.<channel>
 * published). Units already shipped or cancelled are not cancelled again, so the ERP reporting a
 * cancellation of what is gone changes nothing.
 */
@Injectable()
export class ErpCancellationsService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly cancellations: CancellationService,
    private readonly releases: ReservationReleases,
    private readonly inbox: InboxTransaction,
  ) {}

  async apply(event: ReceivedEvent<erpEventsV1.OrderCancelled>): Promise<void> {
    const { payload } = event;
    const changeId = payload.erpChangeId ? `cancellation:${payload.erpChangeId}` : undefined;
    let releaseId: string | undefined;
    await this.inbox.run(event, async (manager, publish) => {
      const order = await this.findOrder(manager, payload);
      if (changeId && (await this.orders.hasErpChange(manager, order.orderId, changeId))) return [];
      if (order.state === 'CANCELLED' || order.state === 'SHIPPED') return [];
      // A claimed order may still be on its way to ACCEPTED (the ERP order exists, the commit is pending): retry.
      const locked = await this.cancellations.lockOrder(manager, order.orderId);
      const lines = await this.cancelledLines(manager, locked, payload);
      if (lines.length === 0) return [];
      const result = await this.cancellations.cancel(
        manager,
        publish,
        { order: locked, reason: 'ERP_CANCELLED', lines, requestedBy: 'erp', note: payload.reason, erpChangeId: changeId },
        new Date(),
      );
      releaseId = result.releaseId;
      return [result.committed];
    });
    if (releaseId) this.releases.wake();
  }

  private async findOrder(manager: EntityManager, payload: erpEventsV1.OrderCancelled): Promise<OrderEntity> {
    const order = isOrderId(payload.orderId)
      ? await this.orders.findById(manager, payload.orderId)
      : payload.erpOrderId
        ? await this.orders.findByErpOrderId(manager, payload.erpOrderId)
        : null;
    if (!order)
      throw new PoisonMessageError(`OrderCancelled is for an unknown order ${payload.orderId || payload.erpOrderId || '(none given)'}`);
    return order;
  }

  /** The units to cancel: everything left when the ERP names no lines, else its lines cut to what is left. */
  private async cancelledLines(manager: EntityManager, order: OrderEntity, payload: erpEventsV1.OrderCancelled): Promise<LineQuantity[]> {
    const lines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
    if (payload.lines.length === 0) {
      return remainingLines(toLineQuantities(lines));
    }
    try {
      return matchErpLines(lines, payload.lines, true);
    } catch (error) {
      if (error instanceof DomainValidationError)
        throw new PoisonMessageError(`OrderCancelled for order ${order.orderId}: ${error.message}`);
      throw error;
    }
  }
}
