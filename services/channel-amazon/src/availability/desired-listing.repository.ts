import type { DesiredAvailability, PendingCounts } from '@retail-mesh/channel-kit';
import { columnParameter, withTransaction } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { DESIRED_LISTINGS_TABLE, DesiredListing } from './desired-listing.entity.js';
import type { RefusedListing } from './listings-push.js';

const MAX_ERROR_LENGTH = 1000;

/** The desired_listings table: the durable, coalescing queue of availability pushes. */
export class DesiredListingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores `desired` unless the row holds that version or a newer one, in the caller's
   * transaction; says whether it did. One conditional upsert, so concurrent handlers and replicas
   * never replace a newer version with an older one. A stored version lifts a hold.
   */
  async storeDesired(manager: EntityManager, desired: DesiredAvailability, now: Date): Promise<boolean> {
    const parameters = {
      account: desired.channelAccountId,
      sku: desired.sku,
      quantity: desired.quantity,
      version: desired.version,
      sourceChangedAt: desired.sourceChangedAt === null ? null : this.timestamp(desired.sourceChangedAt),
      now: this.timestamp(now),
    };
    const table = DESIRED_LISTINGS_TABLE;
    const sql = `
      INSERT INTO ${table}
        (channel_account_id, sku, desired_quantity, desired_version, source_changed_at, pending_since, updated_at)
      VALUES (:account, :sku, :quantity, :version, :sourceChangedAt, :now, :now)
      ON CONFLICT (channel_account_id, sku) DO UPDATE SET
        desired_quantity = excluded.desired_quantity,
        desired_version = excluded.desired_version,
        source_changed_at = excluded.source_changed_at,
        pending_since = CASE
          WHEN ${table}.pushed_version IS NULL OR ${table}.pushed_version < ${table}.desired_version
          THEN ${table}.pending_since
          ELSE excluded.pending_since
        END,
        updated_at = excluded.updated_at,
        hold_until = NULL
      WHERE ${table}.desired_version < excluded.desired_version
      RETURNING desired_version`;
    const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, parameters);
    const stored: unknown[] = await manager.query(query, values);
    return stored.length > 0;
  }

  async find(channelAccountId: string, skus: readonly string[]): Promise<DesiredListing[]> {
    if (skus.length === 0) return [];
    return this.dataSource
      .getRepository(DesiredListing)
      .createQueryBuilder('row')
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('row.sku IN (:...skus)', { skus: [...skus] })
      .getMany();
  }

  /** Pending rows of an account not on hold, longest waiting first. */
  async pendingBatch(channelAccountId: string, now: Date, limit: number): Promise<DesiredListing[]> {
    return this.pendingQuery(channelAccountId, now).orderBy('row.pendingSince', 'ASC').addOrderBy('row.sku', 'ASC').limit(limit).getMany();
  }

  async pendingCount(channelAccountId: string, now: Date): Promise<number> {
    return this.pendingQuery(channelAccountId, now).getCount();
  }

  /** Records that Amazon took exactly these versions; a newer desired version stays pending, an older push never lowers what is recorded. */
  async markPushed(
    channelAccountId: string,
    items: ReadonlyArray<{ sku: string; version: number; quantity: number }>,
    now: Date,
  ): Promise<void> {
    await withTransaction(this.dataSource, async (manager) => {
      for (const item of items) {
        await manager
          .createQueryBuilder()
          .update(DesiredListing)
          .set({
            pushedVersion: item.version,
            pushedQuantity: item.quantity,
            pushedAt: now,
            holdUntil: null,
            lastErrorCode: null,
            lastError: null,
          })
          .where('channel_account_id = :channelAccountId AND sku = :sku', { channelAccountId, sku: item.sku })
          .andWhere('(pushed_version IS NULL OR pushed_version < :version)', { version: item.version })
          .execute();
      }
    });
  }

  /** Puts refused rows on hold with Amazon's reason, unless a newer version arrived meanwhile. */
  async hold(channelAccountId: string, refused: readonly RefusedListing[], until: Date): Promise<void> {
    if (refused.length === 0) return;
    await withTransaction(this.dataSource, async (manager) => {
      for (const item of refused) {
        await manager
          .createQueryBuilder()
          .update(DesiredListing)
          .set({ holdUntil: until, lastErrorCode: item.code.slice(0, 64), lastError: item.message.slice(0, MAX_ERROR_LENGTH) })
          .where('channel_account_id = :channelAccountId AND sku = :sku', { channelAccountId, sku: item.sku })
          .andWhere('desired_version = :version', { version: item.version })
          .execute();
      }
    });
  }

  async pendingCounts(now: Date): Promise<Map<string, PendingCounts>> {
    const rows: Array<{ account: string; held: number | string; total: number | string }> = await this.dataSource
      .getRepository(DesiredListing)
      .createQueryBuilder('row')
      .select('row.channelAccountId', 'account')
      .addSelect('COUNT(*)', 'total')
      .addSelect('SUM(CASE WHEN row.holdUntil IS NOT NULL AND row.holdUntil > :now THEN 1 ELSE 0 END)', 'held')
      .where('(row.pushedVersion IS NULL OR row.pushedVersion < row.desiredVersion)')
      .setParameter('now', this.timestamp(now))
      .groupBy('row.channelAccountId')
      .getRawMany();
    return new Map(rows.map((row) => [row.account, { waiting: Number(row.total) - Number(row.held), held: Number(row.held) }]));
  }

  private pendingQuery(channelAccountId: string, now: Date) {
    return this.dataSource
      .getRepository(DesiredListing)
      .createQueryBuilder('row')
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('(row.pushedVersion IS NULL OR row.pushedVersion < row.desiredVersion)')
      .andWhere('(row.holdUntil IS NULL OR row.holdUntil <= :now)', { now: this.timestamp(now) });
  }

  private timestamp(value: Date): unknown {
    return columnParameter(this.dataSource, DesiredListing, 'updatedAt', value);
  }
}
