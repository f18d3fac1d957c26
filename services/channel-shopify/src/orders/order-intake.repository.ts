import { columnParameter } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { OrderIdentity } from './shopify-order.js';
import { SHOPIFY_ORDERS_TABLE, ShopifyOrderRecord } from './shopify-order.entity.js';
import { SHOPIFY_WEBHOOK_DELIVERIES_TABLE, ShopifyWebhookDelivery } from './shopify-webhook-delivery.entity.js';

const MAX_TEXT = 1000;

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
   * Stores the payload in the caller's transaction unless the row already holds one at least as
   * recent (Shopify's updated_at); true when it did. One conditional upsert: a webhook and a poll
   * racing for the same order (or two replicas) can never replace a newer payload with an older.
   * Shopify's REST times have whole seconds, so a cancellation in the same second as the last
   * change is taken too (a cancellation is final). A stored payload clears a refusal and makes
   * the row due (if it has work left).
   */
  async store(manager: EntityManager, incoming: IncomingOrder, now: Date): Promise<boolean> {
    const { identity } = incoming;
    const parameters = {
      account: incoming.channelAccountId,
      order: identity.channelOrderId,
      name: identity.name.slice(0, 100),
      payload: incoming.payload,
      shopifyUpdatedAt: this.time('shopifyUpdatedAt', identity.updatedAt),
      cancelledAt: this.time('shopifyCancelledAt', identity.cancelledAt),
      source: incoming.source,
      now: this.time('updatedAt', now),
    };
    const sql = `
      INSERT INTO ${SHOPIFY_ORDERS_TABLE}
        (channel_account_id, channel_order_id, order_name, payload, shopify_updated_at, shopify_cancelled_at, source,
         first_seen_at, updated_at, attempts, next_attempt_at)
      VALUES (:account, :order, :name, :payload, :shopifyUpdatedAt, :cancelledAt, :source, :now, :now, 0, :now)
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
      RETURNING channel_order_id`;
    const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, parameters);
    const stored: unknown[] = await manager.query(query, values);
    return stored.length > 0;
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

  /** Records a webhook delivery in the caller's transaction; false when that webhook id was taken before. */
  async recordDelivery(manager: EntityManager, delivery: DeliveryRecord, now: Date): Promise<boolean> {
    const sql = `
      INSERT INTO ${SHOPIFY_WEBHOOK_DELIVERIES_TABLE} (channel_account_id, webhook_id, topic, channel_order_id, event_id, received_at)
      VALUES (:account, :webhookId, :topic, :order, :eventId, :now)
      ON CONFLICT (channel_account_id, webhook_id) DO NOTHING
      RETURNING webhook_id`;
    const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, {
      account: delivery.channelAccountId,
      webhookId: delivery.webhookId,
      topic: delivery.topic.slice(0, 64),
      order: delivery.channelOrderId,
      eventId: delivery.eventId?.slice(0, 100) ?? null,
      now: columnParameter(this.dataSource, ShopifyWebhookDelivery, 'receivedAt', now),
    });
    const inserted: unknown[] = await manager.query(query, values);
    return inserted.length > 0;
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

  /** Takes the row for `holder` until `until`; false when another replica holds it. */
  async claim(key: OrderKey, holder: string, now: Date, until: Date): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ShopifyOrderRecord)
      .set({ claimedBy: holder, claimExpiresAt: until })
      .where('channel_account_id = :account AND channel_order_id = :order', { account: key.channelAccountId, order: key.channelOrderId })
      .andWhere('(claim_expires_at IS NULL OR claim_expires_at <= :now)', { now: this.time('claimExpiresAt', now) })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async markSubmitted(manager: EntityManager, key: OrderKey, orderId: string, now: Date): Promise<void> {
    await this.update(manager, key, { orderId, submittedAt: now });
  }

  async markCancelSubmitted(key: OrderKey, now: Date): Promise<void> {
    await this.update(this.dataSource.manager, key, { cancelSubmittedAt: now });
  }

  /** The row's work is done (or done as far as it goes): no error, no claim. */
  async release(key: OrderKey): Promise<void> {
    await this.update(this.dataSource.manager, key, { attempts: 0, lastError: null, claimedBy: null, claimExpiresAt: null });
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
