import { columnParameter, Placeholders, propertyColumns, returnedRows, valuesList } from '@retail-mesh/persistence';
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
    const stored = new Set<string>();
    const stamp = this.time('updatedAt', now);
    for (let start = 0; start < chosen.length; start += ORDERS_PER_STATEMENT) {
      // Values in placeholder order: TypeORM's named parameters cost more than the statement here.
      const placeholders = Placeholders.for(this.dataSource);
      const parameters: unknown[] = [];
      const rows = chosen.slice(start, start + ORDERS_PER_STATEMENT).map(({ channelAccountId, identity, payload, source }) => {
        parameters.push(
          channelAccountId,
          identity.channelOrderId,
          identity.name.slice(0, 100),
          payload,
          this.time('shopifyUpdatedAt', identity.updatedAt),
          this.time('shopifyCancelledAt', identity.cancelledAt),
          source,
          stamp,
          stamp,
          0,
          stamp,
        );
        return placeholders.row(11);
      });
      const sql = `
        INSERT INTO ${SHOPIFY_ORDERS_TABLE}
          (channel_account_id, channel_order_id, order_name, payload, shopify_updated_at, shopify_cancelled_at, source,
           first_seen_at, updated_at, attempts, next_attempt_at)
        VALUES ${rows.join(', ')}
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
      const returned = await returnedRows<{ channel_account_id: string; channel_order_id: string }>(manager, sql, parameters);
      for (const row of returned) stored.add(orderKeyOf(row.channel_account_id, row.channel_order_id));
    }
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
    const inserted = new Set<string>();
    const receivedAt = columnParameter(this.dataSource, ShopifyWebhookDelivery, 'receivedAt', now);
    for (let start = 0; start < chosen.length; start += KEYS_PER_STATEMENT / 2) {
      const placeholders = Placeholders.for(this.dataSource);
      const parameters: unknown[] = [];
      const rows = chosen.slice(start, start + KEYS_PER_STATEMENT / 2).map((delivery) => {
        parameters.push(
          delivery.channelAccountId,
          delivery.webhookId,
          delivery.topic.slice(0, 64),
          delivery.channelOrderId,
          delivery.eventId?.slice(0, 100) ?? null,
          receivedAt,
        );
        return placeholders.row(6);
      });
      const sql = `
        INSERT INTO ${SHOPIFY_WEBHOOK_DELIVERIES_TABLE} (channel_account_id, webhook_id, topic, channel_order_id, event_id, received_at)
        VALUES ${rows.join(', ')}
        ON CONFLICT (channel_account_id, webhook_id) DO NOTHING
        RETURNING channel_account_id, webhook_id`;
      const returned = await returnedRows<{ channel_account_id: string; webhook_id: string }>(manager, sql, parameters);
      for (const row of returned) inserted.add(orderKeyOf(row.channel_account_id, row.webhook_id));
    }
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
    const stored = new Map<string, Pick<OrderIdentity, 'updatedAt' | 'cancelledAt'>>();
    for (let start = 0; start < identities.length; start += KEYS_PER_STATEMENT) {
      // Written by hand: TypeORM's find with a long IN list costs more than the query (every poll runs it per page).
      const chunk = identities.slice(start, start + KEYS_PER_STATEMENT).map((identity) => identity.channelOrderId);
      const placeholders = Placeholders.for(this.dataSource);
      const rows: Array<{ channel_order_id: string; shopify_updated_at: unknown; shopify_cancelled_at: unknown }> =
        await this.dataSource.query(
          `SELECT channel_order_id, shopify_updated_at, shopify_cancelled_at FROM ${SHOPIFY_ORDERS_TABLE}
         WHERE channel_account_id = ${placeholders.next()} AND channel_order_id IN (${placeholders.list(chunk.length)})`,
          [channelAccountId, ...chunk],
        );
      for (const row of rows) {
        stored.set(row.channel_order_id, {
          updatedAt: time(row.shopify_updated_at, 'shopifyUpdatedAt')!,
          cancelledAt: time(row.shopify_cancelled_at, 'shopifyCancelledAt'),
        });
      }
    }
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

  /** Rows with work to do now, not claimed by a replica, oldest due first. */
  async due(now: Date, limit: number): Promise<ShopifyOrderRecord[]> {
    return this.dataSource
      .getRepository(ShopifyOrderRecord)
      .createQueryBuilder('row')
      .where('row.rejectedReason IS NULL')
      .andWhere('(row.submittedAt IS NULL OR (row.shopifyCancelledAt IS NOT NULL AND row.cancelSubmittedAt IS NULL))')
      .andWhere('row.nextAttemptAt <= :now', { now: this.time('nextAttemptAt', now) })
      .andWhere('(row.claimExpiresAt IS NULL OR row.claimExpiresAt <= :now)')
      .orderBy('row.nextAttemptAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Takes the rows for `holder` until `until`, in one statement; returns the keys it got (another
   * replica may hold some).
   */
  async claimAll(keys: readonly OrderKey[], holder: string, now: Date, until: Date): Promise<OrderKey[]> {
    const claimed: OrderKey[] = [];
    for (let start = 0; start < keys.length; start += KEYS_PER_STATEMENT) {
      const parameters: Record<string, unknown> = {
        holder,
        until: this.time('claimExpiresAt', until),
        now: this.time('claimExpiresAt', now),
      };
      const tuples = keys.slice(start, start + KEYS_PER_STATEMENT).map((key, index) => {
        parameters[`account${index}`] = key.channelAccountId;
        parameters[`order${index}`] = key.channelOrderId;
        return `(:account${index}, :order${index})`;
      });
      const sql = `
        UPDATE ${SHOPIFY_ORDERS_TABLE} SET claimed_by = :holder, claim_expires_at = :until
        WHERE (channel_account_id, channel_order_id) IN (${tuples.join(', ')})
          AND (claim_expires_at IS NULL OR claim_expires_at <= :now)
        RETURNING channel_account_id, channel_order_id`;
      const [query, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters);
      // The structured result: TypeORM answers a PostgreSQL UPDATE with [rows, count] otherwise.
      const runner = this.dataSource.createQueryRunner();
      try {
        const { records } = await runner.query(query, values, true);
        for (const row of records as Array<{ channel_account_id: string; channel_order_id: string }>) {
          claimed.push({ channelAccountId: row.channel_account_id, channelOrderId: row.channel_order_id });
        }
      } finally {
        await runner.release();
      }
    }
    return claimed;
  }

  /**
   * The orders are submitted, in the caller's transaction: one statement per 100 rows whose work is
   * done with it (released in the same statement) and per 100 others.
   */
  async markSubmitted(
    manager: EntityManager,
    submitted: ReadonlyArray<{ key: OrderKey; orderId: string; submittedAt: Date; done: boolean }>,
  ): Promise<void> {
    const columns = propertyColumns(manager, ShopifyOrderRecord, ['channelAccountId', 'channelOrderId', 'orderId', 'submittedAt']);
    const released = 'attempts = 0, last_error = NULL, claimed_by = NULL, claim_expires_at = NULL';
    for (const done of [true, false]) {
      const rows = submitted.filter((entry) => entry.done === done);
      for (let start = 0; start < rows.length; start += KEYS_PER_STATEMENT / 2) {
        const values = valuesList(
          manager,
          ShopifyOrderRecord,
          columns,
          rows
            .slice(start, start + KEYS_PER_STATEMENT / 2)
            .map(({ key, orderId, submittedAt }) => [key.channelAccountId, key.channelOrderId, orderId, submittedAt]),
        );
        await manager.query(
          `WITH v(${columns.map(({ name }) => name).join(', ')}) AS (VALUES ${values.sql})
           UPDATE ${SHOPIFY_ORDERS_TABLE} SET order_id = v.order_id, submitted_at = v.submitted_at${done ? `, ${released}` : ''}
           FROM v WHERE ${SHOPIFY_ORDERS_TABLE}.channel_account_id = v.channel_account_id
             AND ${SHOPIFY_ORDERS_TABLE}.channel_order_id = v.channel_order_id`,
          values.parameters,
        );
      }
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
