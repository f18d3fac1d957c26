// The SQL of an adapter's desired-state table (desired-state.ts states its rules), on PostgreSQL
// and SQLite. Each adapter owns its table, entity and migration; this store only needs the
// columns every such table has (DesiredStateRow) and is told about the few that differ.
import { compareKeys, newestPerKey } from '@retail-mesh/domain';
import { columnParameter, propertyColumns, returnedRows, valuesList, withAutocommit } from '@retail-mesh/persistence';
import type { DataSource, EntityManager, EntityTarget } from 'typeorm';
import type { PendingCounts } from '../metrics/channel-adapter.metrics.js';
import type { DesiredStateRow } from './desired-state.entity.js';
import type { DesiredAvailability } from './desired-state.js';

export interface DesiredStateTable<Row extends DesiredStateRow> {
  entity: EntityTarget<Row>;
  /** A column that also takes the pushed quantity: what the channel shows now (Shopify's compare-and-set value). */
  channelQuantityProperty?: keyof Row & string;
  /** A column that records when the last refusal happened (stamped by hold, cleared by markPushed). */
  lastErrorAtProperty?: keyof Row & string;
}

/** A version the channel accepted. */
export interface PushedVersion {
  sku: string;
  version: number;
  quantity: number;
}

/** A version the channel (or the adapter) refused, with the reason. */
export interface RefusedVersion {
  sku: string;
  version: number;
  code: string;
  message: string;
}

// The entity's last_error_code and last_error lengths.
const MAX_ERROR_CODE_LENGTH = 64;
const MAX_ERROR_LENGTH = 1000;
// At most seven parameters a row: keeps each statement well under both databases' bound-parameter limits.
const ROWS_PER_STATEMENT = 200;

const STORED_PROPERTIES = ['channelAccountId', 'sku', 'desiredQuantity', 'desiredVersion', 'sourceChangedAt', 'pendingSince', 'updatedAt'];

/** The durable, coalescing queue of availability pushes of one adapter. */
export class DesiredStateStore<Row extends DesiredStateRow> {
  private readonly entity: EntityTarget<Row>;
  private readonly tableName: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly table: DesiredStateTable<Row>,
  ) {
    this.entity = table.entity;
    this.tableName = dataSource.getMetadata(table.entity).tableName;
  }

  /**
   * Stores each desired quantity unless its row already holds that version or a newer one, in the
   * caller's transaction, and returns those it stored (of several versions of one key, only the
   * newest is a candidate). One conditional multi-row upsert per 200 keys, so concurrent handlers
   * (overlapping batches, replicas) can never replace a newer version with an older one. A stored
   * version lifts a hold: the next push retries with it.
   */
  async storeDesired(manager: EntityManager, wanted: readonly DesiredAvailability[], now: Date): Promise<DesiredAvailability[]> {
    const { newest } = newestPerKey(
      wanted,
      (desired) => desiredKey(desired.channelAccountId, desired.sku),
      (desired) => desired.version,
    );
    // Rows locked in key order: two concurrent batches can wait for each other, never deadlock.
    newest.sort((a, b) => compareKeys(desiredKey(a.channelAccountId, a.sku), desiredKey(b.channelAccountId, b.sku)));
    const table = this.tableName;
    const columns = propertyColumns(manager, this.entity, STORED_PROPERTIES);
    const stored: DesiredAvailability[] = [];
    for (let start = 0; start < newest.length; start += ROWS_PER_STATEMENT) {
      const chunk = newest.slice(start, start + ROWS_PER_STATEMENT);
      const values = valuesList(
        manager,
        this.entity,
        columns,
        chunk.map((desired) => [
          desired.channelAccountId,
          desired.sku,
          desired.quantity,
          desired.version,
          desired.sourceChangedAt,
          now,
          now,
        ]),
      );
      // pending_since survives while the row stays pending, so a busy SKU keeps its place in line.
      const returned = await returnedRows<{ channel_account_id: string; sku: string }>(
        manager,
        `INSERT INTO ${table} (${columns.map(({ name }) => name).join(', ')})
         VALUES ${values.sql}
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
         RETURNING channel_account_id, sku`,
        values.parameters,
      );
      const storedKeys = new Set(returned.map((row) => desiredKey(row.channel_account_id, row.sku)));
      stored.push(...chunk.filter((desired) => storedKeys.has(desiredKey(desired.channelAccountId, desired.sku))));
    }
    return stored;
  }

  async find(channelAccountId: string, skus: readonly string[]): Promise<Row[]> {
    if (skus.length === 0) return [];
    return this.rows()
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('row.sku IN (:...skus)', { skus: [...skus] })
      .getMany();
  }

  /** Pending rows of an account not on hold, longest waiting first. */
  async pendingBatch(channelAccountId: string, now: Date, limit: number): Promise<Row[]> {
    return this.pendingQuery(channelAccountId, now).orderBy('row.pendingSince', 'ASC').addOrderBy('row.sku', 'ASC').limit(limit).getMany();
  }

  /** How many rows of an account wait for a push (not on hold). */
  async pendingCount(channelAccountId: string, now: Date): Promise<number> {
    return this.pendingQuery(channelAccountId, now).getCount();
  }

  /**
   * Records that the channel accepted exactly these versions, in one statement per 200 rows. A
   * newer desired version that arrived meanwhile stays pending; an older push can never lower
   * what is recorded. Each statement stands alone (a push loop's hot path: no transaction).
   */
  async markPushed(channelAccountId: string, items: readonly PushedVersion[], now: Date): Promise<void> {
    if (items.length === 0) return;
    const table = this.tableName;
    // The push settles any refusal recorded before.
    const alsoSet = ['hold_until = NULL', 'last_error_code = NULL', 'last_error = NULL'];
    const channelQuantity = this.optionalColumn(this.table.channelQuantityProperty);
    const lastErrorAt = this.optionalColumn(this.table.lastErrorAtProperty);
    if (channelQuantity) alsoSet.push(`${channelQuantity} = v.pushed_quantity`);
    if (lastErrorAt) alsoSet.push(`${lastErrorAt} = NULL`);
    await withAutocommit(this.dataSource, async (manager) => {
      const columns = propertyColumns(manager, this.entity, ['channelAccountId', 'sku', 'pushedVersion', 'pushedQuantity', 'pushedAt']);
      for (let start = 0; start < items.length; start += ROWS_PER_STATEMENT) {
        const values = valuesList(
          manager,
          this.entity,
          columns,
          items.slice(start, start + ROWS_PER_STATEMENT).map((item) => [channelAccountId, item.sku, item.version, item.quantity, now]),
        );
        await manager.query(
          `WITH v(${columns.map(({ name }) => name).join(', ')}) AS (VALUES ${values.sql})
           UPDATE ${table} SET
             pushed_version = v.pushed_version,
             pushed_quantity = v.pushed_quantity,
             pushed_at = v.pushed_at,
             ${alsoSet.join(', ')}
           FROM v
           WHERE ${table}.channel_account_id = v.channel_account_id
             AND ${table}.sku = v.sku
             AND (${table}.pushed_version IS NULL OR ${table}.pushed_version < v.pushed_version)`,
          values.parameters,
        );
      }
    });
  }

  /** Puts refused rows on hold until `until` with the reason, unless a newer version arrived meanwhile. */
  async hold(channelAccountId: string, refused: readonly RefusedVersion[], until: Date, now: Date): Promise<void> {
    if (refused.length === 0) return;
    const table = this.tableName;
    const properties = ['channelAccountId', 'sku', 'desiredVersion', 'holdUntil', 'lastErrorCode', 'lastError'];
    if (this.table.lastErrorAtProperty) properties.push(this.table.lastErrorAtProperty);
    await withAutocommit(this.dataSource, async (manager) => {
      const columns = propertyColumns(manager, this.entity, properties);
      // Everything after the key and the refused version is set.
      const assignments = columns.slice(3).map(({ name }) => `${name} = v.${name}`);
      for (let start = 0; start < refused.length; start += ROWS_PER_STATEMENT) {
        const rows = refused.slice(start, start + ROWS_PER_STATEMENT).map((item) => {
          const row = [
            channelAccountId,
            item.sku,
            item.version,
            until,
            item.code.slice(0, MAX_ERROR_CODE_LENGTH),
            item.message.slice(0, MAX_ERROR_LENGTH),
          ];
          return this.table.lastErrorAtProperty ? [...row, now] : row;
        });
        const values = valuesList(manager, this.entity, columns, rows);
        await manager.query(
          `WITH v(${columns.map(({ name }) => name).join(', ')}) AS (VALUES ${values.sql})
           UPDATE ${table} SET ${assignments.join(', ')}
           FROM v
           WHERE ${table}.channel_account_id = v.channel_account_id
             AND ${table}.sku = v.sku
             AND ${table}.desired_version = v.desired_version`,
          values.parameters,
        );
      }
    });
  }

  /** Pending rows per account, split into waiting and held. */
  async pendingCounts(now: Date): Promise<Map<string, PendingCounts>> {
    const rows: Array<{ account: string; held: number | string; total: number | string }> = await this.rows()
      .select('row.channelAccountId', 'account')
      .addSelect('COUNT(*)', 'total')
      .addSelect('SUM(CASE WHEN row.holdUntil IS NOT NULL AND row.holdUntil > :now THEN 1 ELSE 0 END)', 'held')
      .where('(row.pushedVersion IS NULL OR row.pushedVersion < row.desiredVersion)')
      .setParameter('now', this.timestamp(now))
      .groupBy('row.channelAccountId')
      .getRawMany();
    return new Map(
      rows.map((row) => {
        const held = Number(row.held);
        return [row.account, { waiting: Number(row.total) - held, held }];
      }),
    );
  }

  private pendingQuery(channelAccountId: string, now: Date) {
    return this.rows()
      .where('row.channelAccountId = :channelAccountId', { channelAccountId })
      .andWhere('(row.pushedVersion IS NULL OR row.pushedVersion < row.desiredVersion)')
      .andWhere('(row.holdUntil IS NULL OR row.holdUntil <= :now)', { now: this.timestamp(now) });
  }

  private rows() {
    return this.dataSource.getRepository<Row>(this.entity).createQueryBuilder('row');
  }

  private optionalColumn(property: string | undefined): string | undefined {
    if (property === undefined) return undefined;
    const column = this.dataSource.getMetadata(this.entity).findColumnWithPropertyPath(property);
    if (column === undefined) throw new Error(`the desired-state table has no column for "${property}"`);
    return column.databaseName;
  }

  /** A time compared with a timestamp column in a hand-written condition. */
  private timestamp(value: Date): unknown {
    return columnParameter(this.dataSource, this.entity, 'holdUntil', value);
  }
}

function desiredKey(channelAccountId: string, sku: string): string {
  return `${channelAccountId}\u0000${sku}`;
}
