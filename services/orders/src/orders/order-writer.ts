import { Injectable } from '@nestjs/common';
import type { ordersV1 } from '@retail-mesh/contracts';
import type { CancelReason, HoldReason, OrderState } from '@retail-mesh/domain';
import type { OutgoingEvent, PublishInTransaction } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import type { CommittedChange } from '../orders.metrics.js';
import type { OrderChangeName, OrderHistoryEntity } from './order-history.entity.js';
import type { OrderLineEntity } from './order-line.entity.js';
import { toOrderMessage } from './order.mapper.js';
import type { OrderEntity } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';

/** Who changed an order, how and why: its history entry. */
export interface ChangeRecord {
  change: OrderChangeName;
  actor: string;
  detail?: string;
  holdReason?: HoldReason | null;
  cancelReason?: CancelReason | null;
  /** The ERP change applied (a shipment, a cancellation): it applies once per order. */
  erpChangeId?: string | null;
}

export interface PendingChange {
  /** The order with its new values; version and updatedAt are set here. */
  order: OrderEntity;
  /** Every line after the change (the published order shows them). */
  lines: readonly OrderLineEntity[];
  /** The lines whose quantities or location changed. */
  changedLines?: readonly OrderLineEntity[];
  from: OrderState;
  /** What the stored row must still be: its version, and for the worker its claim. */
  expected: { version: number; claimToken?: string };
  /** Steps of the same change before the last one (validated, then reserved): each gets its own history entry. */
  earlier?: ReadonlyArray<{ to: OrderState; record: ChangeRecord }>;
  record: ChangeRecord;
  /** The facts to publish about the changed order. */
  events?: (order: ordersV1.Order) => ReadonlyArray<OutgoingEvent<unknown>>;
}

export type WrittenChange = { written: false } | { written: true; order: ordersV1.Order; committed: CommittedChange };

/**
 * Writes changes of orders in the caller's transaction: the rows (compare-and-set on each one's
 * version, and the worker's claim), the changed lines, the history entries and the events
 * (outbox), each kind for all the changes in one statement. A change whose row moved on
 * meanwhile is not written.
 */
@Injectable()
export class OrderWriter {
  constructor(private readonly orders: OrdersRepository) {}

  async write(manager: EntityManager, publish: PublishInTransaction, change: PendingChange, now: Date): Promise<WrittenChange> {
    const [written] = await this.writeAll(manager, publish, [change], now);
    return written!;
  }

  /** The outcome of each change, in order. */
  async writeAll(
    manager: EntityManager,
    publish: PublishInTransaction,
    changes: readonly PendingChange[],
    now: Date,
  ): Promise<WrittenChange[]> {
    const results: WrittenChange[] = [];
    const history: Array<Omit<OrderHistoryEntity, 'id'>> = [];
    const events: Array<OutgoingEvent<unknown>> = [];
    for (const { order, expected, earlier = [] } of changes) {
      order.version = expected.version + earlier.length + 1;
      order.updatedAt = now;
    }
    const written = await this.orders.updateMany(manager, changes);
    await this.orders.updateLines(
      manager,
      changes.flatMap((change) => (written.has(change.order.orderId) ? (change.changedLines ?? []) : [])),
    );
    for (const change of changes) {
      const { order } = change;
      if (!written.has(order.orderId)) {
        results.push({ written: false });
        continue;
      }
      const steps = [...(change.earlier ?? []), { to: order.state, record: change.record }];
      const fromOf = (index: number): OrderState => (index === 0 ? change.from : steps[index - 1]!.to);
      steps.forEach(({ to, record }, index) => {
        history.push({
          orderId: order.orderId,
          version: change.expected.version + index + 1,
          fromState: fromOf(index),
          toState: to,
          change: record.change,
          actor: record.actor,
          holdReason: record.holdReason ?? null,
          cancelReason: record.cancelReason ?? null,
          detail: record.detail ?? '',
          erpChangeId: record.erpChangeId ?? null,
          changedAt: now,
        });
      });
      const message = toOrderMessage(order, change.lines);
      events.push(...(change.events?.(message) ?? []));
      results.push({
        written: true,
        order: message,
        // The last step's transition (WorkQueue counts the earlier ones it chained).
        committed: {
          from: fromOf(steps.length - 1),
          to: order.state,
          holdReason: order.holdReason,
          receivedAt: order.state === 'ACCEPTED' ? order.createdAt : undefined,
        },
      });
    }
    await this.orders.addHistory(manager, history);
    if (events.length > 0) await publish(...events);
    return results;
  }
}
