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

/**
 * A step succeeded: `action` (validate, reserve or accept) moves the order on; `update` sets what
 * the step learnt (reservation id, line locations, ERP order id) and returns the lines it changed;
 * `then` is what the pass's next step made of the order so moved on (before anything was
 * committed): both are written as one change, with a history entry each.
 */
export interface AdvanceResult {
  item: Claimed;
  kind: 'advance';
  action: OrderAction;
  detail?: string;
  update?: (item: Claimed) => OrderLineEntity[];
  then?: StepResult;
}

/** What a worker step decided for one claimed order. */
export type StepResult =
  | AdvanceResult
  | { item: Claimed; kind: 'hold'; reason: HoldReason; detail: string }
  /** A peer failed: try the step again after a backoff that grows with the attempts. */
  | { item: Claimed; kind: 'retry'; error: string }
  /** Leave the order as it is and end its claim (the ERP is unavailable: it keeps its place in the queue). */
  | { item: Claimed; kind: 'wait' };

export interface CommitOutcome {
  /** The orders written into a state a worker works on, updated: the next step's input, still claimed. */
  next: Claimed[];
  /** The orders whose claims the commit ended (nothing left to do now, retried later, or waiting). */
  released: Set<string>;
}

/** A change to write: the pending row, and the item as it will be once written. */
interface StepChange {
  pending: PendingChange;
  updated: Claimed;
}

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

  /** A claim for orders to be inserted already claimed (by a pass that takes them over once committed). */
  newClaim(): { token: string; claimedUntil: Date } {
    return { token: randomUUID(), claimedUntil: this.leaseEnd(new Date()) };
  }

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
   * Commits the results of a step in one transaction: the orders that advanced (with what the next
   * step of the pass made of them), went on hold, are retried later or wait.
   */
  async commit(results: readonly StepResult[]): Promise<CommitOutcome> {
    if (results.length === 0) return { next: [], released: new Set() };
    const now = new Date();
    const { outcome, committed } = await this.publisher.transaction(async ({ manager, publish }) => {
      // A failed step: tried again after a backoff that grows with the attempts (nobody holds it meanwhile).
      const retried = await this.orders.updateMany(
        manager,
        results.flatMap((result) => {
          if (result.kind !== 'retry') return [];
          const { order, token } = result.item;
          return [{ order: this.retried(order, result.error, now), expected: { version: order.version, claimToken: token } }];
        }),
      );
      const waiting = results.filter((result) => result.kind === 'wait').map(({ item }) => item);
      await this.orders.releaseClaimsOf(
        manager,
        waiting.map(({ order, token }) => ({ orderId: order.orderId, token })),
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
      const next: Claimed[] = [];
      const released = new Set([...retried, ...waiting.map(({ order }) => order.orderId)]);
      const changed: CommittedChange[] = [];
      written.forEach((result, index) => {
        if (!result.written) return;
        const { pending, updated } = changes[index]!;
        // The writer reports the last step's transition; the metrics count every step.
        let from = pending.from;
        for (const step of pending.earlier ?? []) {
          changed.push({ from, to: step.to, holdReason: null });
          from = step.to;
        }
        changed.push(result.committed);
        if (updated.order.claimToken === null) released.add(updated.order.orderId);
        else if (isWorkState(updated.order.state)) next.push(updated);
      });
      return { outcome: { next, released }, committed: changed };
    });
    this.metrics.changed(committed);
    return outcome;
  }

  /**
   * The item as it will be once the step is written: what the next step of the same pass works on
   * before anything is committed (the step then goes in its `then`).
   */
  advanced(result: AdvanceResult): Claimed {
    return this.changeOf(result, new Date()).updated;
  }

  /** Ends the pass's claims but those of `except` (orders whose claims the commit ended, or that went on elsewhere). */
  async finish(batch: ClaimedBatch, except: ReadonlySet<string> = new Set()): Promise<void> {
    const claimed = batch.items.filter((item) => !except.has(item.order.orderId));
    await this.orders.releaseClaimsOf(
      this.dataSource.manager,
      claimed.map((item) => ({ orderId: item.order.orderId, token: batch.token })),
    );
  }

  /** The order after a failed step: attempts counted, due after the backoff, its claim ended. */
  private retried(order: OrderEntity, error: string, now: Date): OrderEntity {
    const attempts = order.workAttempts + 1;
    const backoff = backoffMs(attempts, this.settings.retryBackoffMs, this.settings.retryMaxBackoffMs);
    return {
      ...order,
      workAttempts: attempts,
      workDueAt: new Date(now.getTime() + backoff),
      lastError: error,
      claimToken: null,
      claimedUntil: null,
    };
  }

  /**
   * The change a step result makes (followed by its `then`, when that moved the order on or held
   * it), and the claimed item as it will be once written.
   */
  private changeOf(result: Extract<StepResult, { kind: 'advance' | 'hold' }>, now: Date): StepChange {
    const first = this.stepChange(result, now);
    const then = result.kind === 'advance' ? result.then : undefined;
    if (then === undefined || then.kind === 'wait') return first;
    if (then.kind === 'retry') {
      const order = this.retried(first.updated.order, then.error, now);
      return { ...first, pending: { ...first.pending, order }, updated: { ...first.updated, order } };
    }
    const second = this.stepChange({ ...then, item: first.updated }, now);
    const changedLines = new Map(
      [...(first.pending.changedLines ?? []), ...(second.pending.changedLines ?? [])].map((line) => [line.lineId, line]),
    );
    return {
      pending: {
        ...second.pending,
        changedLines: [...changedLines.values()],
        from: first.pending.from,
        expected: first.pending.expected,
        earlier: [{ to: first.updated.order.state, record: first.pending.record }],
        events: (message) => [...(first.pending.events?.(message) ?? []), ...(second.pending.events?.(message) ?? [])],
      },
      updated: second.updated,
    };
  }

  /** The change one step makes, and the claimed item as it will be once written. */
  private stepChange(result: Extract<StepResult, { kind: 'advance' | 'hold' }>, now: Date): StepChange {
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
