import { Injectable } from '@nestjs/common';
import { groupBy, type HoldReason, type OrderState } from '@retail-mesh/domain';
import {
  columnParameter,
  EntityColumns,
  forUpdate,
  hydrated,
  inChunks,
  keysetPage,
  returnedRows,
  SqlParameters,
} from '@retail-mesh/persistence';
import { In, type EntityManager } from 'typeorm';
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
const ROWS_PER_STATEMENT = 100;

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

// The columns of a history entry (its id is generated).
const HISTORY_COLUMNS = [
  'orderId',
  'version',
  'fromState',
  'toState',
  'change',
  'actor',
  'holdReason',
  'cancelReason',
  'detail',
  'erpChangeId',
  'changedAt',
] as const satisfies ReadonlyArray<keyof OrderHistoryEntity>;

@Injectable()
export class OrdersRepository {
  /**
   * Inserts new orders with their lines, one statement each per 100 orders; an order whose
   * channel order (or idempotency key) is taken is left out by the unique constraints (INSERT ...
   * ON CONFLICT DO NOTHING, which waits for a concurrent insert of the same key to commit).
   * Returns the ids of the orders inserted.
   */
  async insertNew(
    manager: EntityManager,
    orders: ReadonlyArray<{ order: OrderEntity; lines: readonly OrderLineEntity[] }>,
  ): Promise<Set<string>> {
    const columns = EntityColumns.of(manager.connection, OrderEntity);
    const records = await inChunks(orders, ROWS_PER_STATEMENT, (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map(({ order }) => columns.valuesOf(order)),
      );
      return returnedRows<{ order_id: string }>(
        manager,
        `INSERT INTO orders (${columns.names}) ${source} ON CONFLICT DO NOTHING RETURNING order_id`,
        parameters.values,
      );
    });
    const inserted = new Set(records.map((record) => record.order_id));
    const lines = orders.flatMap(({ order, lines: orderLines }) => (inserted.has(order.orderId) ? orderLines : []));
    const lineColumns = EntityColumns.of(manager.connection, OrderLineEntity);
    await inChunks(lines, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        lineColumns,
        chunk.map((line) => lineColumns.valuesOf(line)),
      );
      await manager.query(`INSERT INTO order_lines (${lineColumns.names}) ${source}`, parameters.values);
    });
    return inserted;
  }

  findById(manager: EntityManager, orderId: string): Promise<OrderEntity | null> {
    return manager.findOneBy(OrderEntity, { orderId });
  }

  /** The order, locked until the transaction ends (PostgreSQL; SQLite transactions run one at a time). */
  findByIdForUpdate(manager: EntityManager, orderId: string): Promise<OrderEntity | null> {
    return forUpdate(manager, manager.createQueryBuilder(OrderEntity, 'o').where('o.orderId = :orderId', { orderId })).getOne();
  }

  /** The orders, locked until the transaction ends, in id order (so two transactions never lock them the other way round). */
  findByIdsForUpdate(manager: EntityManager, orderIds: readonly string[]): Promise<OrderEntity[]> {
    const unique = [...new Set(orderIds)].sort();
    // Written by hand (every batch of acknowledgements runs it); SQLite transactions run one at a time: no row lock.
    const lock = manager.connection.options.type === 'postgres' ? ' FOR UPDATE' : '';
    return inChunks(unique, IDS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const rows: Array<Record<string, unknown>> = await manager.query(
        `SELECT * FROM orders WHERE order_id ${parameters.inList(chunk)} ORDER BY order_id${lock}`,
        parameters.values,
      );
      return hydrated(manager.connection, OrderEntity, rows);
    });
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
    return inChunks(orderIds, IDS_PER_STATEMENT, (chunk) => manager.findBy(OrderEntity, { orderId: In(chunk) }));
  }

  /** The lines of each order, in submitted order: one query per 500 orders. */
  async linesOf(manager: EntityManager, orderIds: readonly string[]): Promise<Map<string, OrderLineEntity[]>> {
    // Written by hand: TypeORM's find costs more than the database does here (every worker step reads lines).
    const rows = await inChunks(orderIds, IDS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const raw: Array<Record<string, unknown>> = await manager.query(
        `SELECT * FROM order_lines WHERE order_id ${parameters.inList(chunk)} ORDER BY order_id, position`,
        parameters.values,
      );
      return hydrated(manager.connection, OrderLineEntity, raw);
    });
    const byOrder = new Map<string, OrderLineEntity[]>(orderIds.map((orderId) => [orderId, []]));
    for (const row of rows) byOrder.get(row.orderId)?.push(row);
    return byOrder;
  }

  /**
   * Writes the changed columns of many orders (each at most once), in one statement per 100: an
   * order only while it is still at its expected version (and, for the worker, still claimed by
   * the expected token; another change got there first otherwise). Returns the ids written.
   */
  async updateMany(manager: EntityManager, changes: ReadonlyArray<{ order: OrderEntity; expected: ExpectedRow }>): Promise<Set<string>> {
    if (new Set(changes.map(({ order }) => order.orderId)).size !== changes.length) throw new Error('updateMany: an order appears twice');
    const columns = EntityColumns.of(manager.connection, OrderEntity, [
      { name: 'order_id', property: 'orderId' },
      { name: 'expected_version', property: 'version' },
      { name: 'expected_claim', property: 'claimToken' },
      ...MUTABLE_COLUMNS,
    ]);
    const assignments = columns.columns.slice(3).map(({ name }) => `${name} = v.${name}`);
    const records = await inChunks(changes, ROWS_PER_STATEMENT, (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map(({ order, expected }) => [
          order.orderId,
          expected.version,
          expected.claimToken ?? null,
          ...MUTABLE_COLUMNS.map((column) => order[column]),
        ]),
      );
      return returnedRows<{ order_id: string }>(
        manager,
        `WITH v(${columns.names}) AS (${source})
         UPDATE orders SET ${assignments.join(', ')} FROM v
         WHERE orders.order_id = v.order_id AND orders.version = v.expected_version
           AND (v.expected_claim IS NULL OR orders.claim_token = v.expected_claim)
         RETURNING orders.order_id`,
        parameters.values,
      );
    });
    return new Set(records.map((record) => record.order_id));
  }

  /** Writes the shipped and cancelled quantities and the location of the lines, in one statement per 100. */
  async updateLines(manager: EntityManager, lines: readonly OrderLineEntity[]): Promise<void> {
    const columns = EntityColumns.of(manager.connection, OrderLineEntity, [
      'orderId',
      'lineId',
      'shippedQuantity',
      'cancelledQuantity',
      'locationId',
    ]);
    await inChunks(lines, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((line) => columns.valuesOf(line)),
      );
      await manager.query(
        `WITH v(${columns.names}) AS (${source})
         UPDATE order_lines SET shipped_quantity = v.shipped_quantity, cancelled_quantity = v.cancelled_quantity, location_id = v.location_id
         FROM v WHERE order_lines.order_id = v.order_id AND order_lines.line_id = v.line_id`,
        parameters.values,
      );
    });
  }

  /** Appends history entries, one statement per 100 (written by hand: TypeORM's insert builder costs more than the database does). */
  async addHistory(manager: EntityManager, entries: ReadonlyArray<Omit<OrderHistoryEntity, 'id'>>): Promise<void> {
    const columns = EntityColumns.of(manager.connection, OrderHistoryEntity, HISTORY_COLUMNS);
    await inChunks(entries, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((entry) => columns.valuesOf(entry)),
      );
      await manager.query(`INSERT INTO order_history (${columns.names}) ${source}`, parameters.values);
    });
  }

  historyOf(manager: EntityManager, orderId: string): Promise<OrderHistoryEntity[]> {
    return manager.find(OrderHistoryEntity, { where: { orderId }, order: { id: 'ASC' } });
  }

  async hasErpChange(manager: EntityManager, orderId: string, erpChangeId: string): Promise<boolean> {
    return (await manager.countBy(OrderHistoryEntity, { orderId, erpChangeId })) > 0;
  }

  /**
   * Claims up to `limit` orders that are due and not claimed by a live pass, in the order they
   * became due (for RESERVED orders: the order they were reserved in), with one UPDATE (atomic on
   * its own). PostgreSQL skips rows another transaction is claiming (FOR UPDATE SKIP LOCKED in its
   * subquery), so replicas never wait for each other; SQLite transactions run one at a time anyway.
   */
  async claim(manager: EntityManager, request: ClaimRequest): Promise<OrderEntity[]> {
    const postgres = manager.connection.options.type === 'postgres';
    const time = (value: Date) => columnParameter(manager.connection, OrderEntity, 'workDueAt', value);
    const parameters = SqlParameters.for(manager.connection);
    // Values in placeholder order. The claimed rows come back whole (RETURNING *): no second read.
    const set = `claim_token = ${parameters.add(request.token)}, claimed_until = ${parameters.add(time(request.claimedUntil))}`;
    const due = `work_due_at <= ${parameters.add(time(request.now))} AND state ${parameters.inList(request.states)}`;
    const unclaimed = `(claimed_until IS NULL OR claimed_until < ${parameters.add(time(request.now))})`;
    const limit = parameters.add(request.limit);
    const rows = await returnedRows<Record<string, unknown>>(
      manager,
      `UPDATE orders SET ${set}
       WHERE order_id IN (
         SELECT order_id FROM orders WHERE ${due} AND ${unclaimed}
         ORDER BY work_due_at, order_id LIMIT ${limit}${postgres ? ' FOR UPDATE SKIP LOCKED' : ''})
       RETURNING *`,
      parameters.values,
    );
    // In the order they became due, as the subquery picked them.
    return hydrated(manager.connection, OrderEntity, rows).sort(
      (a, b) => a.workDueAt!.getTime() - b.workDueAt!.getTime() || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0),
    );
  }

  /**
   * Ends the claims of these orders that their claimant still holds (the orders stay where they are
   * in the queue). By order id, never by token alone: no index leads to a token.
   */
  async releaseClaimsOf(manager: EntityManager, claims: ReadonlyArray<{ orderId: string; token: string }>): Promise<void> {
    const byToken = groupBy(
      claims,
      (claim) => claim.token,
      (claim) => claim.orderId,
    );
    for (const [token, orderIds] of byToken) {
      await inChunks(orderIds, IDS_PER_STATEMENT, async (chunk) => {
        await manager
          .createQueryBuilder()
          .update(OrderEntity)
          .set({ claimToken: null, claimedUntil: null })
          .where({ orderId: In(chunk), claimToken: token })
          .execute();
      });
    }
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
}

/** The row an update expects: its version and, for the worker, its claim. */
export interface ExpectedRow {
  version: number;
  claimToken?: string;
}
