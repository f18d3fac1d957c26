import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * "Recompute this SKU's availability": written in the transaction that changed its stock (or a
 * policy), consumed by the availability publisher. Append-only, so concurrent stock changes
 * never contend on it; many marks of one SKU collapse into one computation (bursts coalesce).
 */
export const DIRTY_SKU_TABLE = 'dirty_sku';

@Entity({ name: DIRTY_SKU_TABLE })
export class DirtySkuEntity {
  /** node-postgres hands int8 over as a string, SQLite as a number; only ever passed back in a query. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string | number;

  @Column({ type: 'varchar', length: 64 })
  sku!: string;

  /** ERP time of the change behind the mark; null for policy changes. */
  @Column(portableColumn.timestamp({ name: 'source_changed_at', nullable: true }))
  sourceChangedAt!: Date | null;

  /** W3C trace context of the change, so the publication continues its trace. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  traceparent!: string | null;
}
