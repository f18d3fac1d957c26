import { columnParameter } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { SHOPIFY_ORDER_CURSORS_TABLE, ShopifyOrderCursor } from './order-cursor.entity.js';

/** The poll cursors: per account, up to where every update was listed after it settled (ShopifyOrderCursor). */
export class OrderCursorRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(channelAccountId: string): Promise<ShopifyOrderCursor | null> {
    return this.dataSource.getRepository(ShopifyOrderCursor).findOneBy({ channelAccountId });
  }

  /**
   * Moves the cursor to `updatedAtSeen` unless it is already further (replicas polling
   * concurrently); in `manager`'s transaction, else in a statement of its own.
   */
  async advance(channelAccountId: string, updatedAtSeen: Date, now: Date, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const sql = `
      INSERT INTO ${SHOPIFY_ORDER_CURSORS_TABLE} (channel_account_id, updated_at_seen, last_poll_at)
      VALUES (:account, :seen, :now)
      ON CONFLICT (channel_account_id) DO UPDATE SET
        updated_at_seen = CASE
          WHEN ${SHOPIFY_ORDER_CURSORS_TABLE}.updated_at_seen < excluded.updated_at_seen THEN excluded.updated_at_seen
          ELSE ${SHOPIFY_ORDER_CURSORS_TABLE}.updated_at_seen
        END,
        last_poll_at = excluded.last_poll_at`;
    const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, {
      account: channelAccountId,
      seen: columnParameter(this.dataSource, ShopifyOrderCursor, 'updatedAtSeen', updatedAtSeen),
      now: columnParameter(this.dataSource, ShopifyOrderCursor, 'lastPollAt', now),
    });
    await manager.query(query, values);
  }
}
