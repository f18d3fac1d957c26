import { Injectable } from '@nestjs/common';
import type { ordersV1 } from '@retail-mesh/contracts';
import { applyOrderAction, WAIVABLE_HOLD_REASONS } from '@retail-mesh/domain';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, OutboxPublisher } from '@retail-mesh/service-kit';
import { OrdersMetrics } from '../orders.metrics.js';
import { OrderIntakeWorker } from '../worker/order-intake.worker.js';
import { toLineQuantities } from './order.mapper.js';
import { OrdersRepository } from './orders.repository.js';
import { OrderWriter } from './order-writer.js';
import { isOrderId } from './order-id.js';

/**
 * ReleaseHold: the order goes back to RECEIVED and through validation again, so it may be held
 * again. What the operator released is waived when it is a fact of the submitted order (prices,
 * taxes, address, payment, fraud: WAIVABLE_HOLD_REASONS); catalog, stock and ERP holds are
 * checked again, and an ERP rejection is retried under a new idempotency key.
 */
@Injectable()
export class ReleaseHoldService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly publisher: OutboxPublisher,
    private readonly intake: OrderIntakeWorker,
    private readonly metrics: OrdersMetrics,
  ) {}

  async release(request: ordersV1.ReleaseHoldRequest): Promise<ordersV1.ReleaseHoldResponse> {
    if (!isOrderId(request.orderId))
      throw new InvalidArgumentError('invalid_order_id', `order_id ${JSON.stringify(request.orderId)} is not a UUID`);
    const releasedBy = request.releasedBy.trim() || 'operator';
    const now = new Date();
    const written = await this.publisher.transaction(async ({ manager, publish }) => {
      const order = await this.orders.findByIdForUpdate(manager, request.orderId);
      if (!order) throw new NotFoundError('order_not_found', `no order ${request.orderId}`);
      if (order.state !== 'ON_HOLD' || order.holdReason === null) {
        throw new FailedPreconditionError('order_not_on_hold', `order ${order.orderId} is ${order.state}, not on hold`);
      }
      const lines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
      const change = applyOrderAction(order.state, toLineQuantities(lines), { kind: 'release' });
      const released = order.holdReason;
      return this.writer.write(
        manager,
        publish,
        {
          order: {
            ...order,
            state: change.to,
            holdReason: null,
            holdDetail: '',
            waivedHoldReasons: WAIVABLE_HOLD_REASONS.has(released)
              ? [...new Set([...order.waivedHoldReasons, released])]
              : order.waivedHoldReasons,
            erpAttempt: released === 'ERP_REJECTED' ? order.erpAttempt + 1 : order.erpAttempt,
            workDueAt: now,
            workAttempts: 0,
            lastError: null,
          },
          lines,
          from: order.state,
          expected: { version: order.version },
          record: { change: 'released', actor: releasedBy, holdReason: released, detail: request.note },
        },
        now,
      );
    });
    if (!written.written) throw new Error(`order ${request.orderId} changed while locked`);
    this.metrics.changed([written.committed]);
    this.intake.wake();
    return { order: written.order };
  }
}
