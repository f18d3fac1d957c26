import { Injectable } from '@nestjs/common';
import type { HoldReason, OrderState } from '@retail-mesh/domain';
import { forUpdate, keysetPage } from '@retail-mesh/persistence';
import { In, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import { OrderHistoryEntity } from './order-history.entity.js';
import { OrderLineEntity } from './order-line.entity.js';
import { OrderEntity } from './order.entity.js';

export interface OrderListFilter {
  states: readonly OrderState[];
  channel: string;
  channelAccountId: string;
  holdReasons: readonly HoldReason[];
  placedAfter: Date | undefined;
  placedBefore: Date | undefined;
}

/** The sort key of ListOrders: newest placed first, then by id. */
export interface OrderListKey {
  placedAt: Date;
  orderId: string;
}

export interface ClaimRequest {
  /** Claim orders in these states only. */
  states: readonly OrderState[];
  limit: number;
  now: Date;
  token: string;
  claimedUntil: Date;
}

// Keeps each statement well under both databases' bound-parameter limits.
const IDS_PER_STATEMENT = 500;

// Columns a change may touch (everything but the identity and what SubmitOrder set for good).
const MUTABLE_COLUMNS = [
  'state',
  'holdReason',
  'holdDetail',
  'cancelReason',
  'waivedHoldReasons',
  'erpOrderId',
  'erpAttempt',
  'reservationId',
  'version',
  'updatedAt',
  'acceptedAt',
  'workDueAt',
  'workAttempts',
  'lastError',
  'claimToken',
  'claimedUntil',
] as const satisfies ReadonlyArray<keyof OrderEntity>;

@Injectable()
export class OrdersRepository {
  /** Inserts a new order with its lines; a repeat of its channel order fails with a unique violation. */
  async insert(manager: EntityManager, order: OrderEntity, lines: OrderLineEntity[]): Promise<void> {
    await manager.insert(OrderEntity, order);
    await manager.insert(OrderLineEntity, lines);
  }

  findById(manager: EntityManager, orderId: string): Promise<OrderEntity | null> {
    return manager.findOneBy(OrderEntity, { orderId });
  }

  /** The order, locked until the transaction ends (PostgreSQL; SQLite transactions run one at a time). */
  findByIdForUpdate(manager: EntityManager, orderId: string): Promise<OrderEntity | null> {
    return forUpdate(manager, manager.createQueryBuilder(OrderEntity, 'o').where('o.orderId = :orderId', { orderId })).getOne();
  }

  findByChannelOrder(manager: EntityManager, channelAccountId: string, channelOrderId: string): Promise<OrderEntity | null> {
    return manager.findOneBy(OrderEntity, { channelAccountId, channelOrderId });
  }

  findByIdempotencyKey(manager: EntityManager, idempotencyKey: string): Promise<OrderEntity | null> {
    return manager.findOneBy(OrderEntity, { idempotencyKey });
  }

  findByErpOrderId(manager: EntityManager, erpOrderId: string): Promise<OrderEntity | null> {
    return manager.findOneBy(OrderEntity, { erpOrderId });
  }

  findByIds(manager: EntityManager, orderIds: readonly string[]): Promise<OrderEntity[]> {
    return this.inChunks(orderIds, (chunk) => manager.findBy(OrderEntity, { orderId: In(chunk) }));
  }

  /** The lines of each order, in submitted order: one query per 500 orders. */
  async linesOf(manager: EntityManager, orderIds: readonly string[]): Promise<Map<string, OrderLineEntity[]>> {
    const rows = await this.inChunks(orderIds, (chunk) =>
      manager.find(OrderLineEntity, { where: { orderId: In(chunk) }, order: { orderId: 'ASC', position: 'ASC' } }),
    );
    const byOrder = new Map<string, OrderLineEntity[]>(orderIds.map((orderId) => [orderId, []]));
    for (const row of rows) byOrder.get(row.orderId)?.push(row);
    return byOrder;
  }

  /**
   * Writes `order`'s changed columns if it is still at `expectedVersion` (and, for the worker,
   * still claimed by `claimToken`): false when another change got there first.
   */
  async update(manager: EntityManager, order: OrderEntity, expected: { version: number; claimToken?: string }): Promise<boolean> {
    const values = Object.fromEntries(MUTABLE_COLUMNS.map((column) => [column, order[column]]));
    const query = manager
      .createQueryBuilder()
      .update(OrderEntity)
      .set(values)
      .where('order_id = :orderId AND version = :version', { orderId: order.orderId, version: expected.version });
    if (expected.claimToken !== undefined) query.andWhere('claim_token = :claimToken', { claimToken: expected.claimToken });
    const result = await query.execute();
    return (result.affected ?? 0) > 0;
  }

  async updateLines(manager: EntityManager, lines: readonly OrderLineEntity[]): Promise<void> {
    for (const line of lines) {
      await manager.update(
        OrderLineEntity,
        { orderId: line.orderId, lineId: line.lineId },
        { shippedQuantity: line.shippedQuantity, cancelledQuantity: line.cancelledQuantity, locationId: line.locationId },
      );
    }
  }

  async addHistory(manager: EntityManager, entries: ReadonlyArray<Omit<OrderHistoryEntity, 'id'>>): Promise<void> {
    if (entries.length === 0) return;
    for (let start = 0; start < entries.length; start += 100) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(OrderHistoryEntity)
        .values(entries.slice(start, start + 100))
        .updateEntity(false)
        .execute();
    }
  }

  historyOf(manager: EntityManager, orderId: string): Promise<OrderHistoryEntity[]> {
    return manager.find(OrderHistoryEntity, { where: { orderId }, order: { id: 'ASC' } });
  }

  async hasErpChange(manager: EntityManager, orderId: string, erpChangeId: string): Promise<boolean> {
    return (await manager.countBy(OrderHistoryEntity, { orderId, erpChangeId })) > 0;
  }

  /**
   * Claims up to `limit` orders that are due and not claimed by a live pass, in the order they
   * became due (for RESERVED orders: the order they were reserved in). PostgreSQL skips rows
   * another transaction is claiming (FOR UPDATE SKIP LOCKED), so replicas never wait for each
   * other; SQLite transactions run one at a time anyway.
   */
  async claim(manager: EntityManager, request: ClaimRequest): Promise<OrderEntity[]> {
    const query = manager
      .createQueryBuilder(OrderEntity, 'o')
      .select('o.orderId')
      .where('o.workDueAt <= :now', { now: request.now })
      .andWhere('o.state IN (:...states)', { states: request.states })
      .andWhere('(o.claimedUntil IS NULL OR o.claimedUntil < :now)', { now: request.now })
      .orderBy('o.workDueAt', 'ASC')
      .addOrderBy('o.orderId', 'ASC')
      .limit(request.limit);
    const ids = (await skipLocked(manager, query).getMany()).map((order) => order.orderId);
    if (ids.length === 0) return [];
    await manager
      .createQueryBuilder()
      .update(OrderEntity)
      .set({ claimToken: request.token, claimedUntil: request.claimedUntil })
      .where({ orderId: In(ids) })
      .execute();
    const claimed = await manager.findBy(OrderEntity, { orderId: In(ids) });
    const position = new Map(ids.map((orderId, index) => [orderId, index]));
    return claimed.sort((a, b) => position.get(a.orderId)! - position.get(b.orderId)!);
  }

  /** Ends the claims of a pass (the orders it did not move out of the work states). */
  async releaseClaims(manager: EntityManager, token: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(OrderEntity)
      .set({ claimToken: null, claimedUntil: null })
      .where('claim_token = :token', { token })
      .execute();
  }

  /** Makes every claim expire now: for SQLite at start-up, where no other process can hold one. */
  async expireClaims(manager: EntityManager, now: Date): Promise<void> {
    await manager.createQueryBuilder().update(OrderEntity).set({ claimedUntil: now }).where('claim_token IS NOT NULL').execute();
  }

  /** When the longest-waiting work came due, or null when there is none (the worker-lag gauge). */
  async oldestDue(manager: EntityManager, now: Date): Promise<Date | null> {
    const row = await manager
      .createQueryBuilder(OrderEntity, 'o')
      .select('MIN(o.workDueAt)', 'oldest')
      .where('o.workDueAt <= :now', { now })
      .getRawOne<{ oldest: Date | string | null }>();
    if (!row?.oldest) return null;
    // SQLite returns the stored UTC text.
    return row.oldest instanceof Date ? row.oldest : new Date(`${row.oldest.replace(' ', 'T')}Z`);
  }

  /** One page of ListOrders, newest placed first. */
  list(manager: EntityManager, filter: OrderListFilter, after: OrderListKey | undefined, limit: number): Promise<OrderEntity[]> {
    const query = keysetPage(manager.createQueryBuilder(OrderEntity, 'o'), ['placedAt', 'orderId'], after, limit, 'DESC');
    if (filter.states.length > 0) query.andWhere('o.state IN (:...states)', { states: filter.states });
    if (filter.channel !== '') query.andWhere('o.channel = :channel', { channel: filter.channel });
    if (filter.channelAccountId !== '')
      query.andWhere('o.channelAccountId = :channelAccountId', { channelAccountId: filter.channelAccountId });
    if (filter.holdReasons.length > 0) query.andWhere('o.holdReason IN (:...holdReasons)', { holdReasons: filter.holdReasons });
    if (filter.placedAfter) query.andWhere('o.placedAt >= :placedAfter', { placedAfter: filter.placedAfter });
    if (filter.placedBefore) query.andWhere('o.placedAt < :placedBefore', { placedBefore: filter.placedBefore });
    return query.getMany();
  }

  private async inChunks<T>(ids: readonly string[], read: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
    const rows: T[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_STATEMENT)
      rows.push(...(await read(ids.slice(start, start + IDS_PER_STATEMENT))));
    return rows;
  }
}

/** FOR UPDATE SKIP LOCKED on PostgreSQL; unchanged on SQLite. */
function skipLocked<T extends OrderEntity>(manager: EntityManager, query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return manager.connection.options.type === 'postgres' ? forUpdate(manager, query).setOnLocked('skip_locked') : query;
}
