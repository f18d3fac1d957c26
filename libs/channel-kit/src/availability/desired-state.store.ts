// The SQL of an adapter's desired-state table (desired-state.ts states its rules), on PostgreSQL
// and SQLite. Each adapter owns its table, entity and migration; this store only needs the
// columns every such table has (DesiredStateRow) and is told about the few that differ.
import { compareKeys, newestPerKey } from '@retail-mesh/domain';
import { columnParameter, EntityColumns, hydrated, inChunks, returnedRows, SqlParameters, withAutocommit } from '@retail-mesh/persistence';
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
// Keeps each IN (...) list well under both databases' bound-parameter limits.
const SKUS_PER_QUERY = 500;

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
    const columns = EntityColumns.of(this.dataSource, this.entity, STORED_PROPERTIES);
    return inChunks(newest, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(this.dataSource);
      const source = parameters.rowSource(
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
        `INSERT INTO ${table} (${columns.names})
         ${source}
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
        parameters.values,
      );
      const storedKeys = new Set(returned.map((row) => desiredKey(row.channel_account_id, row.sku)));
      return chunk.filter((desired) => storedKeys.has(desiredKey(desired.channelAccountId, desired.sku)));
    });
  }

  /** The rows of `skus` of an account (read by hand, like pendingBatch: the push loop's hot path). */
  async find(channelAccountId: string, skus: readonly string[]): Promise<Row[]> {
    return inChunks(skus, SKUS_PER_QUERY, async (chunk) => {
      const parameters = SqlParameters.for(this.dataSource);
      const rows: Array<Record<string, unknown>> = await this.dataSource.query(
        `SELECT * FROM ${this.tableName} WHERE channel_account_id = ${parameters.add(channelAccountId)} AND sku ${parameters.inList(chunk)}`,
        parameters.values,
      );
      return hydrated(this.dataSource, this.entity, rows);
    });
  }

  /** Pending rows of an account not on hold, longest waiting first (read by hand: TypeORM's query builder costs more than the query). */
  async pendingBatch(channelAccountId: string, now: Date, limit: number): Promise<Row[]> {
    const parameters = SqlParameters.for(this.dataSource);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT * FROM ${this.tableName} WHERE ${this.pending(parameters, channelAccountId, now)}
       ORDER BY pending_since, sku LIMIT ${parameters.add(limit)}`,
      parameters.values,
    );
    return hydrated(this.dataSource, this.entity, rows);
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
      const columns = EntityColumns.of(manager.connection, this.entity, [
        'channelAccountId',
        'sku',
        'pushedVersion',
        'pushedQuantity',
        'pushedAt',
      ]);
      await inChunks(items, ROWS_PER_STATEMENT, (chunk) =>
        this.updateFrom(
          manager,
          channelAccountId,
          columns,
          chunk.map((item) => [channelAccountId, item.sku, item.version, item.quantity, now]),
          ['pushed_version = v.pushed_version', 'pushed_quantity = v.pushed_quantity', 'pushed_at = v.pushed_at', ...alsoSet],
          `(${table}.pushed_version IS NULL OR ${table}.pushed_version < v.pushed_version)`,
        ),
      );
    });
  }

  /** Puts refused rows on hold until `until` with the reason, unless a newer version arrived meanwhile. */
  async hold(channelAccountId: string, refused: readonly RefusedVersion[], until: Date, now: Date): Promise<void> {
    if (refused.length === 0) return;
    const table = this.tableName;
    const properties = ['channelAccountId', 'sku', 'desiredVersion', 'holdUntil', 'lastErrorCode', 'lastError'];
    if (this.table.lastErrorAtProperty) properties.push(this.table.lastErrorAtProperty);
    await withAutocommit(this.dataSource, async (manager) => {
      const columns = EntityColumns.of(manager.connection, this.entity, properties);
      // Everything after the key and the refused version is set.
      const assignments = columns.columns.slice(3).map(({ name }) => `${name} = v.${name}`);
      await inChunks(refused, ROWS_PER_STATEMENT, (chunk) =>
        this.updateFrom(
          manager,
          channelAccountId,
          columns,
          chunk.map((item) => {
            const row = [
              channelAccountId,
              item.sku,
              item.version,
              until,
              item.code.slice(0, MAX_ERROR_CODE_LENGTH),
              item.message.slice(0, MAX_ERROR_LENGTH),
            ];
            return this.table.lastErrorAtProperty ? [...row, now] : row;
          }),
          assignments,
          `${table}.desired_version = v.desired_version`,
        ),
      );
    });
  }

  /**
   * `UPDATE <table> SET <assignments> FROM v WHERE <v's key> AND <condition>` for rows of one
   * account, v being `rows` in the order of `columns` (the key first: channel account, SKU). On
   * PostgreSQL the rows are first locked in key order, the order storeDesired's upsert takes them
   * in: a push recorded while the consumer stores newer versions of the same keys then waits for
   * it, where locking in the join's order could deadlock, and the database would abort one of them
   * after deadlock_timeout (the push's record with it, leaving the channel quantity it compares
   * against stale). The locks are found by primary key (a join with v let the planner scan the
   * account's index once per row: 53 ms calls under load). SQLite runs one writer at a time.
   */
  private async updateFrom(
    manager: EntityManager,
    channelAccountId: string,
    columns: EntityColumns,
    rows: ReadonlyArray<readonly unknown[]>,
    assignments: string[],
    condition: string,
  ): Promise<void> {
    const table = this.tableName;
    const parameters = SqlParameters.for(manager.connection);
    const values = `v(${columns.names}) AS (${parameters.rowSource(columns, rows)})`;
    const update = `UPDATE ${table} SET ${assignments.join(', ')} FROM v
      WHERE ${table}.channel_account_id = v.channel_account_id AND ${table}.sku = v.sku AND ${condition}`;
    if (manager.connection.options.type !== 'postgres') {
      await manager.query(`WITH ${values} ${update}`, parameters.values);
      return;
    }
    // `locked` takes the locks: the InitPlan counts it in full before the UPDATE reads a row.
    // COLLATE "C": byte order, the order of storeDesired's compareKeys.
    await manager.query(
      `WITH ${values},
       locked AS MATERIALIZED (
         SELECT sku FROM ${table}
         WHERE channel_account_id = ${parameters.add(channelAccountId)} AND sku ${parameters.inList(rows.map((row) => row[1]))}
         ORDER BY sku COLLATE "C"
         FOR UPDATE
       )
       ${update} AND (SELECT count(*) FROM locked) >= 0`,
      parameters.values,
    );
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

  /** The condition of an account's rows that wait for a push (not on hold). */
  private pending(parameters: SqlParameters, channelAccountId: string, now: Date): string {
    return `channel_account_id = ${parameters.add(channelAccountId)}
      AND (pushed_version IS NULL OR pushed_version < desired_version)
      AND (hold_until IS NULL OR hold_until <= ${parameters.add(this.timestamp(now))})`;
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
