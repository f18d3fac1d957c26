import { Injectable } from '@nestjs/common';
import { claimedKeys, EntityColumns, inChunks, SqlParameters } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import { DIRTY_SKU_TABLE, DirtySkuEntity } from './dirty-sku.entity.js';

export interface DirtySku {
  sku: string;
  /** Earliest ERP change time among its marks; null when only policy changes marked it. */
  sourceChangedAt: Date | null;
  /** Trace of the first of its marks that has one. */
  traceparent: string | undefined;
}

/** Why a SKU is dirty: the ERP time of the change (null for policy changes) and its trace. */
export interface DirtyCause {
  sourceChangedAt: Date | null;
  traceparent?: string;
}

export interface DirtyBatch {
  skus: DirtySku[];
  /** Marks taken; fewer than the limit means the table was drained (as far as this transaction saw). */
  markCount: number;
}

// Three parameters a row: keeps each statement well under both databases' bound-parameter limits.
const ROWS_PER_STATEMENT = 500;

@Injectable()
export class DirtySkuRepository {
  /** Marks `skus` dirty for one cause. */
  mark(manager: EntityManager, skus: string[], cause: DirtyCause): Promise<void> {
    return this.markEach(
      manager,
      skus.map((sku) => ({ sku, ...cause })),
    );
  }

  /** Marks SKUs dirty, each for its own cause (one multi-row insert per 500, written by hand: the stock path's hot statement). */
  async markEach(manager: EntityManager, marks: Array<{ sku: string } & DirtyCause>): Promise<void> {
    const columns = EntityColumns.of(manager.connection, DirtySkuEntity, ['sku', 'sourceChangedAt', 'traceparent']);
    await inChunks(marks, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((mark) => [mark.sku, mark.sourceChangedAt, mark.traceparent ?? null]),
      );
      await manager.query(`INSERT INTO ${DIRTY_SKU_TABLE} (${columns.names}) ${source}`, parameters.values);
    });
  }

  /**
   * Takes (deletes, in the caller's transaction) the oldest `limit` marks and returns them merged
   * per SKU. Exactly the marks returned are deleted, never "everything up to id N": on PostgreSQL
   * a mark with a lower id can commit after a higher one was read, and it must stay for the next
   * batch. On PostgreSQL marks another transaction holds are skipped (a concurrent pass of this
   * process or a replica takes the next ones), and so are the marks of `busySkus` (the SKUs a
   * concurrent pass of this process is computing: two passes must not publish one key at once).
   * A rollback puts the marks back.
   */
  async takeBatch(manager: EntityManager, limit: number, busySkus: ReadonlySet<string> = new Set()): Promise<DirtyBatch> {
    if (manager.queryRunner === undefined) throw new Error('takeBatch needs the EntityManager of a transaction');
    const parameters = SqlParameters.for(manager.connection);
    const postgres = manager.connection.options.type === 'postgres';
    const busy = postgres && busySkus.size > 0 ? [...busySkus] : [];
    const notBusy = busy.length > 0 ? `WHERE sku ${parameters.notInList(busy)}` : '';
    const limitParameter = parameters.add(limit);
    const taken = claimedKeys(manager.connection, 'id', `SELECT id FROM ${DIRTY_SKU_TABLE} ${notBusy} ORDER BY id LIMIT ${limitParameter}`);
    // The structured result: TypeORM answers a PostgreSQL DELETE with [rows, count] otherwise.
    const { records } = await manager.queryRunner.query(
      `DELETE FROM ${DIRTY_SKU_TABLE} WHERE ${taken} RETURNING id, sku, source_changed_at, traceparent`,
      parameters.values,
      true,
    );
    const marks = records as Array<{
      id: string | number;
      sku: string;
      source_changed_at: Date | string | null;
      traceparent: string | null;
    }>;
    // RETURNING follows no order: merge in mark order, so a SKU's trace is that of its first mark.
    marks.sort((a, b) => Number(a.id) - Number(b.id));
    const bySku = new Map<string, DirtySku>();
    for (const mark of marks) {
      const sourceChangedAt = this.changedAtOf(manager, mark.source_changed_at);
      const known = bySku.get(mark.sku);
      if (known === undefined) {
        bySku.set(mark.sku, { sku: mark.sku, sourceChangedAt, traceparent: mark.traceparent ?? undefined });
      } else {
        known.sourceChangedAt = earliest(known.sourceChangedAt, sourceChangedAt);
        known.traceparent ??= mark.traceparent ?? undefined;
      }
    }
    return { skus: [...bySku.values()], markCount: marks.length };
  }

  /** Marks waiting (a backlog gauge). */
  count(manager: EntityManager): Promise<number> {
    return manager.count(DirtySkuEntity);
  }

  /** node-postgres reads timestamptz as a Date; SQLite's datetime comes back as the driver's UTC text. */
  private changedAtOf(manager: EntityManager, value: Date | string | null): Date | null {
    if (value === null || value instanceof Date) return value;
    const column = manager.connection.getMetadata(DirtySkuEntity).findColumnWithPropertyPath('sourceChangedAt')!;
    return manager.connection.driver.prepareHydratedValue(value, column) as Date;
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}
