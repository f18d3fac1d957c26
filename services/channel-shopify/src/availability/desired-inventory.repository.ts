import type { DesiredAvailability, PendingCounts } from '@retail-mesh/channel-kit';
import { compareKeys, newestPerKey } from '@retail-mesh/domain';
import { columnParameter, withTransaction } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { DESIRED_INVENTORY_TABLE, DesiredInventory } from './desired-inventory.entity.js';
import type { PushItem, RefusedItem } from './availability-push.js';

const MAX_ERROR_LENGTH = 1000;
// Seven parameters a row: keeps each statement well under both databases' bound-parameter limits.
const ROWS_PER_STATEMENT = 200;

/** The desired_inventory table: the durable, coalescing queue of availability pushes. */
export class DesiredInventoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores each desired quantity unless its row already holds that version or a newer one, in the
   * caller's transaction, and returns those it stored (of several versions of one key, only the
   * newest is a candidate). One conditional multi-row upsert per 200 keys, so concurrent handlers
   * (prefetch, replicas) can never replace a newer version with an older one. A stored version
   * clears a hold: the next push retries with it.
   */
  async storeDesired(manager: EntityManager, wanted: readonly DesiredAvailability[], now: Date): Promise<DesiredAvailability[]> {
    const { newest } = newestPerKey(
      wanted,
      (desired) => desiredKey(desired.channelAccountId, desired.sku),
      (desired) => desired.version,
    );
    // Rows locked in key order: two concurrent batches can wait for each other, never deadlock.
    newest.sort((a, b) => compareKeys(desiredKey(a.channelAccountId, a.sku), desiredKey(b.channelAccountId, b.sku)));
    const stored: DesiredAvailability[] = [];
    for (let start = 0; start < newest.length; start += ROWS_PER_STATEMENT) {
      const chunk = newest.slice(start, start + ROWS_PER_STATEMENT);
      const parameters: Record<string, unknown> = { now: this.timestamp('updatedAt', now) };
      const rows = chunk.map((desired, index) => {
        parameters[`account${index}`] = desired.channelAccountId;
        parameters[`sku${index}`] = desired.sku;
        parameters[`quantity${index}`] = desired.quantity;
        parameters[`version${index}`] = desired.version;
        parameters[`sourceChangedAt${index}`] = this.timestamp('sourceChangedAt', desired.sourceChangedAt);
        return `(:account${index}, :sku${index}, :quantity${index}, :version${index}, :sourceChangedAt${index}, :now, :now)`;
      });
      // pending_since survives while the row stays pending, so a busy SKU keeps its place in line.
      const sql = `
        INSERT INTO ${DESIRED_INVENTORY_TABLE}
          (channel_account_id, sku, desired_quantity, desired_version, source_changed_at, pending_since, updated_at)
        VALUES ${rows.join(', ')}
        ON CONFLICT (channel_account_id, sku) DO UPDATE SET
          desired_quantity = excluded.desired_quantity,
          desired_version = excluded.desired_version,
          source_changed_at = excluded.source_changed_at,
          pending_since = CASE
            WHEN ${DESIRED_INVENTORY_TABLE}.pushed_version IS NULL
              OR ${DESIRED_INVENTORY_TABLE}.pushed_version < ${DESIRED_INVENTORY_TABLE}.desired_version
            THEN ${DESIRED_INVENTORY_TABLE}.pending_since
            ELSE excluded.pending_since
          END,
          updated_at = excluded.updated_at,
          hold_until = NULL
        WHERE ${DESIRED_INVENTORY_TABLE}.desired_version < excluded.desired_version
        RETURNING channel_account_id, sku`;
      const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, parameters);
      const returned: Array<{ channel_account_id: string; sku: string }> = await manager.query(query, values);
      const storedKeys = new Set(returned.map((row) => desiredKey(row.channel_account_id, row.sku)));
      stored.push(...chunk.filter((desired) => storedKeys.has(desiredKey(desired.channelAccountId, desired.sku))));
    }
    return stored;
  }

  async find(channelAccountId: string, skus: readonly string[]): Promise<DesiredInventory[]> {
    if (skus.length === 0) return [];
    return this.dataSource
      .getRepository(DesiredInventory)
      .createQueryBuilder('row')
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('row.sku IN (:...skus)', { skus: [...skus] })
      .getMany();
  }

  /** Pending rows of an account not on hold, longest waiting first. */
  async pendingBatch(channelAccountId: string, now: Date, limit: number): Promise<DesiredInventory[]> {
    return this.dataSource
      .getRepository(DesiredInventory)
      .createQueryBuilder('row')
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('(row.pushedVersion IS NULL OR row.pushedVersion < row.desiredVersion)')
      .andWhere('(row.holdUntil IS NULL OR row.holdUntil <= :now)', { now: this.timestamp('holdUntil', now) })
      .orderBy('row.pendingSince', 'ASC')
      .addOrderBy('row.sku', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * Records that Shopify accepted exactly these versions. A newer desired version that arrived
   * meanwhile stays pending; an older push can never lower what is recorded.
   */
  async markPushed(channelAccountId: string, items: readonly PushItem[], now: Date): Promise<void> {
    await withTransaction(this.dataSource, async (manager) => {
      for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) {
        const parameters: Record<string, unknown> = { channelAccountId, now: this.timestamp('pushedAt', now) };
        const values = items.slice(start, start + ROWS_PER_STATEMENT).map((item, index) => {
          parameters[`sku${index}`] = item.sku;
          parameters[`version${index}`] = item.version;
          parameters[`quantity${index}`] = item.quantity;
          return `(:sku${index}, :version${index}, :quantity${index})`;
        });
        // VALUES columns are column1..3 on both databases; the casts type the bound parameters on PostgreSQL.
        const sql = `
          UPDATE ${DESIRED_INVENTORY_TABLE} SET
            pushed_version = CAST(pushed.column2 AS BIGINT),
            pushed_quantity = CAST(pushed.column3 AS INTEGER),
            shopify_quantity = CAST(pushed.column3 AS INTEGER),
            pushed_at = :now,
            hold_until = NULL,
            last_error_code = NULL,
            last_error = NULL,
            last_error_at = NULL
          FROM (VALUES ${values.join(', ')}) AS pushed
          WHERE ${DESIRED_INVENTORY_TABLE}.channel_account_id = :channelAccountId
            AND ${DESIRED_INVENTORY_TABLE}.sku = pushed.column1
            AND (${DESIRED_INVENTORY_TABLE}.pushed_version IS NULL OR ${DESIRED_INVENTORY_TABLE}.pushed_version < CAST(pushed.column2 AS BIGINT))`;
        const [query, queryValues] = manager.connection.driver.escapeQueryWithParameters(sql, parameters);
        await manager.query(query, queryValues);
      }
    });
  }

  /** Puts refused rows on hold with the reason, unless a newer version arrived meanwhile. */
  async hold(channelAccountId: string, refused: readonly RefusedItem[], until: Date, now: Date): Promise<void> {
    if (refused.length === 0) return;
    await withTransaction(this.dataSource, async (manager) => {
      for (const item of refused) {
        await manager
          .createQueryBuilder()
          .update(DesiredInventory)
          .set({ holdUntil: until, lastErrorCode: item.code, lastError: item.message.slice(0, MAX_ERROR_LENGTH), lastErrorAt: now })
          .where('channel_account_id = :channelAccountId AND sku = :sku', { channelAccountId, sku: item.sku })
          .andWhere('desired_version = :version', { version: item.version })
          .execute();
      }
    });
  }

  /** Pending rows per account, split into waiting and held. */
  async pendingCounts(now: Date): Promise<Map<string, PendingCounts>> {
    const rows: Array<{ account: string; held: number | string; total: number | string }> = await this.dataSource
      .getRepository(DesiredInventory)
      .createQueryBuilder('row')
      .select('row.channelAccountId', 'account')
      .addSelect('COUNT(*)', 'total')
      .addSelect('SUM(CASE WHEN row.holdUntil IS NOT NULL AND row.holdUntil > :now THEN 1 ELSE 0 END)', 'held')
      .where('(row.pushedVersion IS NULL OR row.pushedVersion < row.desiredVersion)')
      .setParameter('now', this.timestamp('holdUntil', now))
      .groupBy('row.channelAccountId')
      .getRawMany();
    return new Map(
      rows.map((row) => {
        const held = Number(row.held);
        return [row.account, { waiting: Number(row.total) - held, held }];
      }),
    );
  }

  private timestamp(property: keyof DesiredInventory, value: Date | null): unknown {
    return value === null ? null : columnParameter(this.dataSource, DesiredInventory, property, value);
  }
}

function desiredKey(channelAccountId: string, sku: string): string {
  return `${channelAccountId}\u0000${sku}`;
}
