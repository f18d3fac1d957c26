import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { fromTimestamp, type ordersV1 } from '@retail-mesh/contracts';
import { GroupCommit, withTransaction } from '@retail-mesh/persistence';
import {
  AbortedError,
  AlreadyExistsError,
  decodePageToken,
  InvalidArgumentError,
  NotFoundError,
  pageOf,
  pageSizeOf,
} from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { OrdersMetrics } from '../orders.metrics.js';
import { OrderIntakeWorker } from '../worker/order-intake.worker.js';
import { readSubmittedOrder } from './order-input.js';
import { holdReasonName, stateName, toHistoryMessage, toNewOrderRows, toOrderMessage } from './order.mapper.js';
import type { OrderLineEntity } from './order-line.entity.js';
import type { OrderEntity } from './order.entity.js';
import { OrdersRepository, type OrderListFilter } from './orders.repository.js';
import { isOrderId } from './order-id.js';

/** What became of a submitted order: a repeat of one recorded before, or new and waiting in the queue or taken by a worker pass. */
type Submitted = 'existing' | 'queued' | 'handed-over';

// SubmitOrders recorded in one transaction at most.
const MAX_SUBMISSIONS_PER_TRANSACTION = 100;

/** SubmitOrder, GetOrder, ListOrders. */
@Injectable()
export class OrdersService {
  private readonly submissions = new GroupCommit<{ order: OrderEntity; lines: OrderLineEntity[] }, Submitted>(
    MAX_SUBMISSIONS_PER_TRANSACTION,
    (orders) => this.insertAll(orders),
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly intake: OrderIntakeWorker,
    private readonly metrics: OrdersMetrics,
  ) {}

  /**
   * Records a channel order as RECEIVED and wakes the worker. Idempotent through the unique
   * constraint on (channel_account_id, channel_order_id): a concurrent or later repeat is not
   * inserted and gets the order that is there (`created` false), as it stands. Orders submitted
   * at the same time are recorded in one transaction.
   */
  async submit(request: ordersV1.SubmitOrderRequest): Promise<ordersV1.SubmitOrderResponse> {
    const submitted = readSubmittedOrder(request);
    const now = new Date();
    const { order, lines } = toNewOrderRows(submitted.order, { orderId: randomUUID(), idempotencyKey: submitted.idempotencyKey }, now);
    const outcome = await this.submissions.submit({ order, lines });
    if (outcome === 'existing') {
      const existing = await this.existing(order);
      this.metrics.submitted('existing');
      return { order: await this.message(existing), created: false };
    }
    this.metrics.submitted('created');
    this.metrics.changed([{ from: null, to: 'RECEIVED', holdReason: null }]);
    if (outcome === 'queued') this.intake.wake();
    return { order: toOrderMessage(order, lines), created: true };
  }

  /**
   * Inserts new orders with their history in one transaction. When a worker pass is free they are
   * inserted claimed by it and handed over once committed; else they wait in the queue.
   */
  private async insertAll(orders: ReadonlyArray<{ order: OrderEntity; lines: OrderLineEntity[] }>): Promise<Submitted[]> {
    const pass = this.intake.passForNew(orders.length);
    for (const { order } of orders) {
      order.claimToken = pass?.token ?? null;
      order.claimedUntil = pass?.claimedUntil ?? null;
    }
    let inserted: Set<string>;
    try {
      inserted = await this.insertNew(orders);
    } catch (error) {
      pass?.cancel();
      throw error;
    }
    if (pass && inserted.size > 0) pass.take(orders.filter(({ order }) => inserted.has(order.orderId)));
    else pass?.cancel();
    return orders.map(({ order }) => (!inserted.has(order.orderId) ? 'existing' : pass ? 'handed-over' : 'queued'));
  }

  /** Inserts the orders new to the table and their history entries in one transaction; the ids inserted. */
  private insertNew(orders: ReadonlyArray<{ order: OrderEntity; lines: OrderLineEntity[] }>): Promise<Set<string>> {
    return withTransaction(this.dataSource, async (manager) => {
      const ids = await this.orders.insertNew(manager, orders);
      await this.orders.addHistory(
        manager,
        orders
          .filter(({ order }) => ids.has(order.orderId))
          .map(({ order }) => ({
            orderId: order.orderId,
            version: order.version,
            fromState: null,
            toState: order.state,
            change: 'submitted' as const,
            actor: 'channel',
            holdReason: null,
            cancelReason: null,
            detail: `${order.channel} order ${order.channelOrderNumber || order.channelOrderId} on ${order.channelAccountId}`,
            erpChangeId: null,
            changedAt: order.createdAt,
          })),
      );
      return ids;
    });
  }

  async get(request: ordersV1.GetOrderRequest): Promise<ordersV1.GetOrderResponse> {
    const manager = this.dataSource.manager;
    let order: OrderEntity | null;
    if (request.orderId) {
      order = isOrderId(request.orderId) ? await this.orders.findById(manager, request.orderId) : null;
    } else if (request.channelOrder) {
      order = await this.orders.findByChannelOrder(manager, request.channelOrder.channelAccountId, request.channelOrder.channelOrderId);
    } else {
      throw new InvalidArgumentError('missing_key', 'order_id or channel_order is required');
    }
    if (!order) throw new NotFoundError('order_not_found', `no order ${JSON.stringify(request.orderId ?? request.channelOrder)}`);
    // Changes committed after the order was read are left out, so the history ends at the order's version.
    const history = (await this.orders.historyOf(manager, order.orderId)).filter((entry) => entry.version <= order.version);
    return { order: await this.message(order), history: history.map(toHistoryMessage) };
  }

  async list(request: ordersV1.ListOrdersRequest): Promise<ordersV1.ListOrdersResponse> {
    const pageSize = pageSizeOf(request.page);
    const after = decodePageToken(request.page?.pageToken, 2);
    const filter: OrderListFilter = {
      states: request.states.map((state) => stateName(state) ?? invalidFilter('states', state)),
      channel: request.channel,
      channelAccountId: request.channelAccountId,
      holdReasons: request.holdReasons.map((reason) => holdReasonName(reason) ?? invalidFilter('hold_reasons', reason)),
      placedAfter: request.placedAfter ? fromTimestamp(request.placedAfter) : undefined,
      placedBefore: request.placedBefore ? fromTimestamp(request.placedBefore) : undefined,
    };
    const manager = this.dataSource.manager;
    const rows = await this.orders.list(
      manager,
      filter,
      after && { placedAt: new Date(String(after[0])), orderId: String(after[1]) },
      pageSize + 1,
    );
    const page = pageOf(rows, pageSize, (row) => [row.placedAt.toISOString(), row.orderId]);
    const lines = await this.orders.linesOf(
      manager,
      page.items.map((row) => row.orderId),
    );
    return {
      orders: page.items.map((row) => toOrderMessage(row, lines.get(row.orderId) ?? [])),
      page: { nextPageToken: page.nextPageToken },
    };
  }

  /** The order a failed insert collided with. */
  private async existing(order: OrderEntity): Promise<OrderEntity> {
    const manager = this.dataSource.manager;
    const sameOrder = await this.orders.findByChannelOrder(manager, order.channelAccountId, order.channelOrderId);
    if (sameOrder) return sameOrder;
    if (await this.orders.findByIdempotencyKey(manager, order.idempotencyKey)) {
      throw new AlreadyExistsError(
        'idempotency_key_reused',
        `idempotency key ${JSON.stringify(order.idempotencyKey)} was used for another channel order`,
      );
    }
    throw new AbortedError('concurrent_submit', 'the order changed concurrently; retry');
  }

  private async message(order: OrderEntity): Promise<ordersV1.Order> {
    const lines = await this.orders.linesOf(this.dataSource.manager, [order.orderId]);
    return toOrderMessage(order, lines.get(order.orderId) ?? []);
  }
}

function invalidFilter(field: string, value: number): never {
  throw new InvalidArgumentError('invalid_filter', `${field} has an unknown or unspecified value ${value}`);
}
