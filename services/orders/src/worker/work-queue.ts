import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { applyOrderAction, isWorkState, type HoldReason, type OrderAction, type OrderState } from '@retail-mesh/domain';
import { OutboxPublisher } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { orderAccepted, orderOnHold } from '../orders/order-events.js';
import type { OrderLineEntity } from '../orders/order-line.entity.js';
import { toLineQuantities } from '../orders/order.mapper.js';
import type { OrderEntity } from '../orders/order.entity.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrderWriter, type ChangeRecord, type PendingChange } from '../orders/order-writer.js';
import { OrdersMetrics, type CommittedChange } from '../orders.metrics.js';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings.js';
import { backoffMs } from './erp-gate.js';

/** Who the worker's changes are attributed to in an order's history. */
export const WORKER_ACTOR = 'orders';

/** An order a pass holds, with its lines and the token of its claim. */
export interface Claimed {
  order: OrderEntity;
  lines: OrderLineEntity[];
  token: string;
}

export interface ClaimedBatch {
  token: string;
  items: Claimed[];
}

/** What a worker step decided for one claimed order. */
export type StepResult =
  /**
   * The step succeeded: `action` (validate, reserve or accept) moves the order on; `update`
   * sets what the step learnt (reservation id, line locations, ERP order id) and returns the
   * lines it changed.
   */
  | { item: Claimed; kind: 'advance'; action: OrderAction; detail?: string; update?: (item: Claimed) => OrderLineEntity[] }
  | { item: Claimed; kind: 'hold'; reason: HoldReason; detail: string }
  /** A peer failed: try the step again after a backoff that grows with the attempts. */
  | { item: Claimed; kind: 'retry'; error: string }
  /** Leave the order as it is and end its claim (the ERP is unavailable: it keeps its place in the queue). */
  | { item: Claimed; kind: 'wait' };

const CHANGE_OF: Partial<Record<OrderAction['kind'], ChangeRecord['change']>> = {
  validate: 'validated',
  reserve: 'reserved',
  accept: 'accepted',
};

/**
 * The orders table as the worker's durable queue. A pass claims due orders (FOR UPDATE SKIP
 * LOCKED on PostgreSQL), calls its peers outside any transaction, then commits the outcome of
 * each step for the whole batch in one transaction: state, history, events (outbox), and the
 * renewed claim of the orders that stay in the pass. Every commit is compare-and-set on the
 * order's version and the pass's claim token, so a pass whose claim expired changes nothing.
 */
@Injectable()
export class WorkQueue {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly writer: OrderWriter,
    private readonly publisher: OutboxPublisher,
    private readonly metrics: OrdersMetrics,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {}

  /** Claims up to `limit` due orders in `states`, oldest due first, with their lines. */
  async claim(states: readonly OrderState[], limit: number): Promise<ClaimedBatch> {
    const token = randomUUID();
    if (limit === 0) return { token, items: [] };
    const now = new Date();
    const claimed = await this.orders.claim(this.dataSource.manager, { states, limit, now, token, claimedUntil: this.leaseEnd(now) });
    if (claimed.length === 0) return { token, items: [] };
    const lines = await this.orders.linesOf(
      this.dataSource.manager,
      claimed.map((order) => order.orderId),
    );
    return { token, items: claimed.map((order) => ({ order, lines: lines.get(order.orderId) ?? [], token })) };
  }

  /**
   * Commits the results of a step in one transaction; returns the items that advanced and are
   * still in a work state (the next step's input), updated.
   */
  async commit(results: readonly StepResult[]): Promise<Claimed[]> {
    if (results.length === 0) return [];
    const now = new Date();
    const { next, committed } = await this.publisher.transaction(async ({ manager, publish }) => {
      // A failed step: tried again after a backoff that grows with the attempts.
      await this.orders.updateMany(
        manager,
        results.flatMap((result) => {
          if (result.kind !== 'retry') return [];
          const { order, token } = result.item;
          const attempts = order.workAttempts + 1;
          const workDueAt = new Date(now.getTime() + backoffMs(attempts, this.settings.retryBackoffMs, this.settings.retryMaxBackoffMs));
          return [
            {
              order: { ...order, workAttempts: attempts, workDueAt, lastError: result.error },
              expected: { version: order.version, claimToken: token },
            },
          ];
        }),
      );
      await this.orders.releaseClaimsOf(
        manager,
        results.filter((result) => result.kind === 'wait').map(({ item }) => ({ orderId: item.order.orderId, token: item.token })),
      );
      const changes = results
        .filter(
          (result): result is Extract<StepResult, { kind: 'advance' | 'hold' }> => result.kind === 'advance' || result.kind === 'hold',
        )
        .map((result) => this.changeOf(result, now));
      const written = await this.writer.writeAll(
        manager,
        publish,
        changes.map((change) => change.pending),
        now,
      );
      const advanced: Claimed[] = [];
      const changed: CommittedChange[] = [];
      written.forEach((outcome, index) => {
        if (!outcome.written) return;
        changed.push(outcome.committed);
        const item = changes[index]!.updated;
        if (isWorkState(item.order.state)) advanced.push(item);
      });
      return { next: advanced, committed: changed };
    });
    this.metrics.changed(committed);
    return next;
  }

  /** Ends the pass's claims (orders it leaves in a work state become claimable again). */
  async finish(batch: ClaimedBatch): Promise<void> {
    await this.orders.releaseClaimsOf(
      this.dataSource.manager,
      batch.items.map((item) => ({ orderId: item.order.orderId, token: batch.token })),
    );
  }

  /** The change a step result makes, and the claimed item as it will be once written. */
  private changeOf(result: Extract<StepResult, { kind: 'advance' | 'hold' }>, now: Date): { pending: PendingChange; updated: Claimed } {
    const { item } = result;
    const { token } = item;
    const from = item.order.state;
    const action: OrderAction = result.kind === 'hold' ? { kind: 'hold', reason: result.reason } : result.action;
    const change = applyOrderAction(from, toLineQuantities(item.lines), action);
    const order: OrderEntity = { ...item.order, state: change.to, workAttempts: 0, lastError: null };
    const updated: Claimed = { order, lines: item.lines.map((line) => ({ ...line })), token };
    const changedLines = result.kind === 'advance' && result.update ? result.update(updated) : [];
    if (isWorkState(change.to)) {
      order.workDueAt = now;
      order.claimedUntil = this.leaseEnd(now);
    } else {
      order.workDueAt = null;
      order.claimToken = null;
      order.claimedUntil = null;
    }
    if (result.kind === 'hold') {
      order.holdReason = result.reason;
      order.holdDetail = result.detail;
    }
    if (change.to === 'ACCEPTED') order.acceptedAt = now;
    const pending: PendingChange = {
      order,
      lines: updated.lines,
      changedLines,
      from,
      expected: { version: item.order.version, claimToken: token },
      record:
        result.kind === 'hold'
          ? { change: 'held', actor: WORKER_ACTOR, holdReason: result.reason, detail: result.detail }
          : { change: CHANGE_OF[result.action.kind]!, actor: WORKER_ACTOR, detail: result.detail ?? '' },
      events: (message) =>
        change.events.map((kind) =>
          kind === 'order_accepted' ? orderAccepted(message) : orderOnHold(message, order.holdReason!, order.holdDetail),
        ),
    };
    return { pending, updated };
  }

  private leaseEnd(now: Date): Date {
    return new Date(now.getTime() + this.settings.workerLeaseMs);
  }
}
