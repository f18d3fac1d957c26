import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ordersV1 } from '@retail-mesh/contracts';
import {
  applyOrderAction,
  DomainValidationError,
  isFullyResolved,
  isWorkState,
  type CancelReason,
  type LineQuantity,
  type OrderChange,
} from '@retail-mesh/domain';
import { AbortedError, FailedPreconditionError, NotFoundError, type PublishInTransaction } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import type { CommittedChange } from '../orders.metrics.js';
import { orderCancelled } from '../orders/order-events.js';
import { toLineQuantities, toOrderMessage } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderWriter } from '../orders/order-writer.js';
import { ReservationReleaseEntity } from './reservation-release.entity.js';

export interface Cancellation {
  order: OrderEntity;
  reason: CancelReason;
  /** Empty: everything not yet shipped. */
  lines: readonly LineQuantity[];
  requestedBy: string;
  note: string;
  /** The ERP change behind it, which applies once. */
  erpChangeId?: string;
}

export interface CancellationResult {
  order: ordersV1.Order;
  committed: CommittedChange;
  /** The reservation release to send after the commit, if the order held stock. */
  releaseId: string | undefined;
}

/**
 * Cancels an order or some of its units, in the caller's transaction: the lines and state
 * (CANCELLED once nothing is left, SHIPPED when the rest had shipped), the history entry,
 * orders.order_cancelled.<channel>, and the release of the reserved units, recorded for
 * ReservationReleases to send once the transaction has committed.
 */
@Injectable()
export class CancellationService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
  ) {}

  /** The order locked for a cancellation: not found, or still being worked on (claimed), are errors. */
  async lockOrder(manager: EntityManager, orderId: string): Promise<OrderEntity> {
    const order = await this.orders.findByIdForUpdate(manager, orderId);
    if (!order) throw new NotFoundError('order_not_found', `no order ${orderId}`);
    // A claimed order may be mid-way through a reservation or ERP call whose result is not committed yet.
    if (order.claimToken !== null) {
      throw new AbortedError(
        'order_in_progress',
        `order ${orderId} is being ${order.state === 'RESERVED' ? 'sent to the ERP' : 'validated or reserved'}; retry shortly`,
      );
    }
    return order;
  }

  /** The order as it stands, with its lines (what a repeated whole-order cancellation answers). */
  async current(manager: EntityManager, order: OrderEntity): Promise<ordersV1.Order> {
    const lines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
    return toOrderMessage(order, lines);
  }

  async cancel(manager: EntityManager, publish: PublishInTransaction, cancellation: Cancellation, now: Date): Promise<CancellationResult> {
    const { order } = cancellation;
    const lines = (await this.orders.linesOf(manager, [order.orderId])).get(order.orderId) ?? [];
    let change: OrderChange;
    try {
      change = applyOrderAction(order.state, toLineQuantities(lines), { kind: 'cancel', lines: cancellation.lines });
    } catch (error) {
      // Cancelling a shipped order, or more than is left, is refused for the order's state, not the request's form.
      if (error instanceof DomainValidationError && ['invalid_transition', 'exceeds_remaining'].includes(error.reason)) {
        throw new FailedPreconditionError(error.reason, error.message, { cause: error });
      }
      throw error;
    }
    const after = new Map(change.lines.map((line) => [line.lineId, line]));
    const changedLines = lines
      .filter((line) => after.get(line.lineId)!.cancelledQuantity !== line.cancelledQuantity)
      .map((line) => ({ ...line, cancelledQuantity: after.get(line.lineId)!.cancelledQuantity }));
    const updatedLines = lines.map((line) => changedLines.find((changed) => changed.lineId === line.lineId) ?? line);
    const stillWorking = isWorkState(change.to);
    const updated: OrderEntity = {
      ...order,
      state: change.to,
      cancelReason: change.to === 'CANCELLED' ? cancellation.reason : order.cancelReason,
      holdReason: change.to === 'ON_HOLD' ? order.holdReason : null,
      holdDetail: change.to === 'ON_HOLD' ? order.holdDetail : '',
      workDueAt: stillWorking ? order.workDueAt : null,
    };
    const written = await this.writer.write(
      manager,
      publish,
      {
        order: updated,
        lines: updatedLines,
        changedLines,
        from: order.state,
        expected: { version: order.version },
        record: {
          change: 'cancelled',
          actor: cancellation.requestedBy,
          cancelReason: cancellation.reason,
          detail: [describeLines(change.changedLines), cancellation.note].filter((part) => part !== '').join('; '),
          erpChangeId: cancellation.erpChangeId ?? null,
        },
        events: (message) => [orderCancelled(message, cancellation.reason, change.changedLines, isFullyResolved(change.lines))],
      },
      now,
    );
    if (!written.written) throw new AbortedError('concurrent_update', `order ${order.orderId} changed concurrently; retry`);
    let releaseId: string | undefined;
    if (order.reservationId !== null) {
      releaseId = randomUUID();
      await manager.insert(ReservationReleaseEntity, {
        releaseId,
        orderId: order.orderId,
        reservationId: order.reservationId,
        lines: change.changedLines,
        reason: `${cancellation.reason.toLowerCase()}${cancellation.note ? `: ${cancellation.note}` : ''}`.slice(0, 500),
        dueAt: now,
        attempts: 0,
        lastError: null,
        createdAt: now,
        releasedAt: null,
      });
    }
    return { order: written.order, committed: written.committed, releaseId };
  }
}

function describeLines(lines: readonly LineQuantity[]): string {
  return lines.map((line) => `${line.quantity} of ${line.lineId}`).join(', ');
}
