import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DirtySkuEntity } from './dirty-sku.entity.js';

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
  /** The marks read, to delete once the batch is published. */
  markIds: Array<string | number>;
  /** Marks read; fewer than the limit means the table was drained (as far as this transaction saw). */
  markCount: number;
}

// Keeps each statement well under both databases' bound-parameter limits.
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

  /** Marks SKUs dirty, each for its own cause. */
  async markEach(manager: EntityManager, marks: Array<{ sku: string } & DirtyCause>): Promise<void> {
    for (let start = 0; start < marks.length; start += ROWS_PER_STATEMENT) {
      const rows = marks
        .slice(start, start + ROWS_PER_STATEMENT)
        .map((mark) => ({ sku: mark.sku, sourceChangedAt: mark.sourceChangedAt, traceparent: mark.traceparent ?? null }));
      await manager.createQueryBuilder().insert().into(DirtySkuEntity).values(rows).updateEntity(false).execute();
    }
  }

  /** The oldest `limit` marks, merged per SKU. */
  async takeBatch(manager: EntityManager, limit: number): Promise<DirtyBatch> {
    const marks = await manager.find(DirtySkuEntity, { order: { id: 'ASC' }, take: limit });
    const bySku = new Map<string, DirtySku>();
    for (const mark of marks) {
      const known = bySku.get(mark.sku);
      if (known === undefined) {
        bySku.set(mark.sku, { sku: mark.sku, sourceChangedAt: mark.sourceChangedAt, traceparent: mark.traceparent ?? undefined });
      } else {
        known.sourceChangedAt = earliest(known.sourceChangedAt, mark.sourceChangedAt);
        known.traceparent ??= mark.traceparent ?? undefined;
      }
    }
    return { skus: [...bySku.values()], markIds: marks.map((mark) => mark.id), markCount: marks.length };
  }

  /**
   * Deletes exactly the marks that were read. Never "everything up to id N": on PostgreSQL a mark
   * with a lower id can commit after a higher one was read, and it must stay for the next batch.
   */
  async remove(manager: EntityManager, markIds: Array<string | number>): Promise<void> {
    for (let start = 0; start < markIds.length; start += ROWS_PER_STATEMENT) {
      await manager
        .createQueryBuilder()
        .delete()
        .from(DirtySkuEntity)
        .whereInIds(markIds.slice(start, start + ROWS_PER_STATEMENT))
        .execute();
    }
  }

  /** Marks waiting (a backlog gauge). */
  count(manager: EntityManager): Promise<number> {
    return manager.count(DirtySkuEntity);
  }
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}
