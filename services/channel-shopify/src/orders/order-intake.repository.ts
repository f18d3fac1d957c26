import { columnParameter, EntityColumns, hydrated, inChunks, returnedRows, SqlParameters } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { OrderIdentity } from './shopify-order.js';
import { SHOPIFY_ORDERS_TABLE, ShopifyOrderRecord } from './shopify-order.entity.js';
import { SHOPIFY_WEBHOOK_DELIVERIES_TABLE, ShopifyWebhookDelivery } from './shopify-webhook-delivery.entity.js';

const MAX_TEXT = 1000;
// Two parameters a key: well under both databases' bound-parameter limits.
const KEYS_PER_STATEMENT = 200;
// Nine parameters an order (its payload the bulk of the statement).
const ORDERS_PER_STATEMENT = 50;

function orderKeyOf(channelAccountId: string, id: string): string {
  return `${channelAccountId}\u0000${id}`;
}

/** A payload `store` takes over the one before it: newer, or the order's cancellation at the same time. */
function supersedes(candidate: OrderIdentity, current: Pick<OrderIdentity, 'updatedAt' | 'cancelledAt'>): boolean {
  if (candidate.updatedAt.getTime() !== current.updatedAt.getTime()) return candidate.updatedAt > current.updatedAt;
  return current.cancelledAt === null && candidate.cancelledAt !== null;
}

/** A row whose work is done as far as it goes: no error, no claim. */
const RELEASED = { attempts: 0, lastError: null, claimedBy: null, claimExpiresAt: null } satisfies Partial<ShopifyOrderRecord>;

export type OrderSource = 'webhook' | 'poll' | 'sync';

export interface IncomingOrder {
  channelAccountId: string;
  identity: OrderIdentity;
  /** The order's JSON as received. */
  payload: string;
  source: OrderSource;
}

export interface DeliveryRecord {
  channelAccountId: string;
  webhookId: string;
  topic: string;
  channelOrderId: string;
  eventId: string | null;
}

export interface OrderKey {
  channelAccountId: string;
  channelOrderId: string;
}

/** The shopify_orders and shopify_webhook_deliveries tables: deduplicated intake and its work queue. */
export class OrderIntakeRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores the payloads in the caller's transaction, each unless its row already holds one at
   * least as recent (Shopify's updated_at); true for each one stored. One conditional upsert per
   * 50 orders: a webhook and a poll racing for the same order (or two replicas) can never replace a
   * newer payload with an older. Shopify's REST times have whole seconds, so a cancellation in the
   * same second as the last change is taken too (a cancellation is final). A stored payload clears
   * a refusal and makes the row due (if it has work left). Of several payloads of one order here,
   * only the one that would win is written.
   */
  async storeAll(manager: EntityManager, incoming: readonly IncomingOrder[], now: Date): Promise<boolean[]> {
    const winners = new Map<string, number>();
    incoming.forEach((order, index) => {
      const key = orderKeyOf(order.channelAccountId, order.identity.channelOrderId);
      const current = winners.get(key);
      if (current === undefined || supersedes(order.identity, incoming[current]!.identity)) winners.set(key, index);
    });
    const chosen = [...winners.values()].sort((a, b) => a - b).map((index) => incoming[index]!);
    const columns = EntityColumns.of(this.dataSource, ShopifyOrderRecord, [
      'channelAccountId',
      'channelOrderId',
      'orderName',
      'payload',
      'shopifyUpdatedAt',
      'shopifyCancelledAt',
      'source',
      'firstSeenAt',
      'updatedAt',
      'attempts',
      'nextAttemptAt',
    ]);
    const returned = await inChunks(chosen, ORDERS_PER_STATEMENT, (chunk) => {
      // Values in placeholder order: TypeORM's named parameters cost more than the statement here.
      const parameters = SqlParameters.for(this.dataSource);
      const source = parameters.rowSource(
        columns,
        chunk.map(({ channelAccountId, identity, payload, source }) => [
          channelAccountId,
          identity.channelOrderId,
          identity.name.slice(0, 100),
          payload,
          identity.updatedAt,
          identity.cancelledAt,
          source,
          now,
          now,
          0,
          now,
        ]),
      );
      const sql = `
        INSERT INTO ${SHOPIFY_ORDERS_TABLE} (${columns.names})
        ${source}
        ON CONFLICT (channel_account_id, channel_order_id) DO UPDATE SET
          order_name = excluded.order_name,
          payload = excluded.payload,
          shopify_updated_at = excluded.shopify_updated_at,
          shopify_cancelled_at = COALESCE(${SHOPIFY_ORDERS_TABLE}.shopify_cancelled_at, excluded.shopify_cancelled_at),
          source = excluded.source,
          updated_at = excluded.updated_at,
          attempts = 0,
          next_attempt_at = excluded.next_attempt_at,
          rejected_reason = NULL
        WHERE ${SHOPIFY_ORDERS_TABLE}.shopify_updated_at < excluded.shopify_updated_at
          OR (${SHOPIFY_ORDERS_TABLE}.shopify_updated_at = excluded.shopify_updated_at
            AND ${SHOPIFY_ORDERS_TABLE}.shopify_cancelled_at IS NULL AND excluded.shopify_cancelled_at IS NOT NULL)
        RETURNING channel_account_id, channel_order_id`;
      return returnedRows<{ channel_account_id: string; channel_order_id: string }>(manager, sql, parameters.values);
    });
    const stored = new Set(returned.map((row) => orderKeyOf(row.channel_account_id, row.channel_order_id)));
    return incoming.map(
      (order, index) =>
        winners.get(orderKeyOf(order.channelAccountId, order.identity.channelOrderId)) === index &&
        stored.has(orderKeyOf(order.channelAccountId, order.identity.channelOrderId)),
    );
  }

  /** Asks for the order to be submitted again (SyncOrders: repair), in the caller's transaction. */
  async requestResubmission(manager: EntityManager, key: OrderKey, now: Date): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(ShopifyOrderRecord)
      .set({ submittedAt: null, attempts: 0, nextAttemptAt: now, rejectedReason: null })
      .where('channel_account_id = :account AND channel_order_id = :order', { account: key.channelAccountId, order: key.channelOrderId })
      .execute();
  }

  /**
   * Records webhook deliveries in the caller's transaction, one statement per 100; false for each
   * one whose webhook id was taken before (or earlier in the list).
   */
  async recordDeliveries(manager: EntityManager, deliveries: readonly DeliveryRecord[], now: Date): Promise<boolean[]> {
    const firsts = new Map<string, number>();
    deliveries.forEach((delivery, index) => {
      const key = orderKeyOf(delivery.channelAccountId, delivery.webhookId);
      if (!firsts.has(key)) firsts.set(key, index);
    });
    const chosen = [...firsts.values()].map((index) => deliveries[index]!);
    const columns = EntityColumns.of(this.dataSource, ShopifyWebhookDelivery, [
      'channelAccountId',
      'webhookId',
      'topic',
      'channelOrderId',
      'eventId',
      'receivedAt',
    ]);
    const returned = await inChunks(chosen, KEYS_PER_STATEMENT / 2, (chunk) => {
      const parameters = SqlParameters.for(this.dataSource);
      const source = parameters.rowSource(
        columns,
        chunk.map((delivery) => [
          delivery.channelAccountId,
          delivery.webhookId,
          delivery.topic.slice(0, 64),
          delivery.channelOrderId,
          delivery.eventId?.slice(0, 100) ?? null,
          now,
        ]),
      );
      const sql = `
        INSERT INTO ${SHOPIFY_WEBHOOK_DELIVERIES_TABLE} (${columns.names})
        ${source}
        ON CONFLICT (channel_account_id, webhook_id) DO NOTHING
        RETURNING channel_account_id, webhook_id`;
      return returnedRows<{ channel_account_id: string; webhook_id: string }>(manager, sql, parameters.values);
    });
    const inserted = new Set(returned.map((row) => orderKeyOf(row.channel_account_id, row.webhook_id)));
    return deliveries.map((delivery, index) => {
      const key = orderKeyOf(delivery.channelAccountId, delivery.webhookId);
      return firsts.get(key) === index && inserted.has(key);
    });
  }

  /**
   * Of these orders of one account, those whose payload `storeAll` would store: not held yet, or
   * newer than the one held (one query per 200 orders).
   */
  async newerThanStored(channelAccountId: string, identities: readonly OrderIdentity[]): Promise<OrderIdentity[]> {
    const metadata = this.dataSource.getMetadata(ShopifyOrderRecord);
    const time = (value: unknown, property: keyof ShopifyOrderRecord) =>
      this.dataSource.driver.prepareHydratedValue(value, metadata.findColumnWithPropertyPath(property)!) as Date | null;
    const rows = await inChunks(identities, KEYS_PER_STATEMENT, (chunk) => {
      // Written by hand: TypeORM's find with a long IN list costs more than the query (every poll runs it per page).
      const parameters = SqlParameters.for(this.dataSource);
      const sql = `SELECT channel_order_id, shopify_updated_at, shopify_cancelled_at FROM ${SHOPIFY_ORDERS_TABLE}
        WHERE channel_account_id = ${parameters.add(channelAccountId)}
          AND channel_order_id ${parameters.inList(chunk.map((identity) => identity.channelOrderId))}`;
      return this.dataSource.query<Array<{ channel_order_id: string; shopify_updated_at: unknown; shopify_cancelled_at: unknown }>>(
        sql,
        parameters.values,
      );
    });
    const stored = new Map<string, Pick<OrderIdentity, 'updatedAt' | 'cancelledAt'>>(
      rows.map((row) => [
        row.channel_order_id,
        { updatedAt: time(row.shopify_updated_at, 'shopifyUpdatedAt')!, cancelledAt: time(row.shopify_cancelled_at, 'shopifyCancelledAt') },
      ]),
    );
    return identities.filter((identity) => {
      const current = stored.get(identity.channelOrderId);
      return current === undefined || supersedes(identity, current);
    });
  }

  async find(key: OrderKey): Promise<ShopifyOrderRecord | null> {
    return this.dataSource
      .getRepository(ShopifyOrderRecord)
      .findOneBy({ channelAccountId: key.channelAccountId, channelOrderId: key.channelOrderId });
  }

  /**
   * Claims for `holder` until `until` up to `limit` rows with work to do now that no replica holds,
   * oldest due first, in one statement (the condition of the shopify_orders_work index; PostgreSQL
   * skips rows another replica is claiming, so replicas never wait for each other), and returns
   * them whole.
   */
  async claimDue(holder: string, now: Date, until: Date, limit: number): Promise<ShopifyOrderRecord[]> {
    const postgres = this.dataSource.options.type === 'postgres';
    const parameters = SqlParameters.for(this.dataSource);
    // Values in placeholder order.
    const set = `claimed_by = ${parameters.add(holder)}, claim_expires_at = ${parameters.add(this.time('claimExpiresAt', until))}`;
    const due = `next_attempt_at <= ${parameters.add(this.time('nextAttemptAt', now))}`;
    const unclaimed = `(claim_expires_at IS NULL OR claim_expires_at <= ${parameters.add(this.time('claimExpiresAt', now))})`;
    const sql = `
      UPDATE ${SHOPIFY_ORDERS_TABLE} SET ${set}
      WHERE (channel_account_id, channel_order_id) IN (
        SELECT channel_account_id, channel_order_id FROM ${SHOPIFY_ORDERS_TABLE}
        WHERE rejected_reason IS NULL AND (submitted_at IS NULL OR (shopify_cancelled_at IS NOT NULL AND cancel_submitted_at IS NULL))
          AND ${due} AND ${unclaimed}
        ORDER BY next_attempt_at LIMIT ${parameters.add(limit)}${postgres ? ' FOR UPDATE SKIP LOCKED' : ''})
      RETURNING *`;
    const rows = await returnedRows<Record<string, unknown>>(this.dataSource.manager, sql, parameters.values);
    // Oldest due first, as the subquery picked them.
    return hydrated(this.dataSource, ShopifyOrderRecord, rows).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
  }

  /**
   * The orders are submitted, in the caller's transaction: one statement per 100 rows whose work is
   * done with it (released in the same statement) and per 100 others.
   */
  async markSubmitted(
    manager: EntityManager,
    submitted: ReadonlyArray<{ key: OrderKey; orderId: string; submittedAt: Date; done: boolean }>,
  ): Promise<void> {
    const columns = EntityColumns.of(this.dataSource, ShopifyOrderRecord, ['channelAccountId', 'channelOrderId', 'orderId', 'submittedAt']);
    const released = 'attempts = 0, last_error = NULL, claimed_by = NULL, claim_expires_at = NULL';
    for (const done of [true, false]) {
      await inChunks(
        submitted.filter((entry) => entry.done === done),
        KEYS_PER_STATEMENT / 2,
        async (chunk) => {
          const parameters = SqlParameters.for(this.dataSource);
          const source = parameters.rowSource(
            columns,
            chunk.map(({ key, orderId, submittedAt }) => [key.channelAccountId, key.channelOrderId, orderId, submittedAt]),
          );
          await manager.query(
            `WITH v(${columns.names}) AS (${source})
             UPDATE ${SHOPIFY_ORDERS_TABLE} SET order_id = v.order_id, submitted_at = v.submitted_at${done ? `, ${released}` : ''}
             FROM v WHERE ${SHOPIFY_ORDERS_TABLE}.channel_account_id = v.channel_account_id
               AND ${SHOPIFY_ORDERS_TABLE}.channel_order_id = v.channel_order_id`,
            parameters.values,
          );
        },
      );
    }
  }

  async markCancelSubmitted(key: OrderKey, now: Date): Promise<void> {
    await this.update(this.dataSource.manager, key, { cancelSubmittedAt: now });
  }

  /** The row's work is done (or done as far as it goes): no error, no claim. */
  async release(key: OrderKey): Promise<void> {
    await this.update(this.dataSource.manager, key, RELEASED);
  }

  /** A transient failure: try again at `nextAttemptAt`. */
  async retryLater(key: OrderKey, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
    await this.update(this.dataSource.manager, key, {
      attempts,
      nextAttemptAt,
      lastError: error.slice(0, MAX_TEXT),
      claimedBy: null,
      claimExpiresAt: null,
    });
  }

  /** This payload can never be submitted: it waits for a newer one (or a SyncOrders) with the reason on the row. */
  async reject(key: OrderKey, reason: string): Promise<void> {
    await this.update(this.dataSource.manager, key, { rejectedReason: reason.slice(0, MAX_TEXT), claimedBy: null, claimExpiresAt: null });
  }

  private async update(manager: EntityManager, key: OrderKey, values: Partial<ShopifyOrderRecord>): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(ShopifyOrderRecord)
      .set(values)
      .where('channel_account_id = :account AND channel_order_id = :order', { account: key.channelAccountId, order: key.channelOrderId })
      .execute();
  }

  private time(property: keyof ShopifyOrderRecord, value: Date | null): unknown {
    return value === null ? null : columnParameter(this.dataSource, ShopifyOrderRecord, property, value);
  }
}
