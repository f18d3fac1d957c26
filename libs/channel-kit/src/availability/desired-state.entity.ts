import { portableColumn } from '@retail-mesh/persistence';
import { Column, PrimaryColumn } from 'typeorm';

/**
 * The columns every adapter's desired-state table has (an adapter's entity extends this and
 * names its table and index): the quantity the mesh wants the channel to show for a SKU of a
 * channel account (`desired_*`) and the last version the channel accepted (`pushed_*`). Pending
 * while `pushed_version < desired_version`: the row is the durable, coalescing queue of pushes (at
 * most one pending value per SKU, the newest wins, nothing lost if the process dies).
 */
export abstract class DesiredStateRow {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  sku!: string;

  @Column({ name: 'desired_quantity', type: 'integer' })
  desiredQuantity!: number;

  @Column(portableColumn.bigint({ name: 'desired_version' }))
  desiredVersion!: number;

  /** source_changed_at of the desired version: push latency is measured from it. */
  @Column(portableColumn.timestamp({ name: 'source_changed_at', nullable: true }))
  sourceChangedAt!: Date | null;

  /** Since when the row has been waiting for a push (kept while newer versions replace the desired one). */
  @Column(portableColumn.timestamp({ name: 'pending_since' }))
  pendingSince!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;

  @Column(portableColumn.bigint({ name: 'pushed_version', nullable: true }))
  pushedVersion!: number | null;

  @Column({ name: 'pushed_quantity', type: 'integer', nullable: true })
  pushedQuantity!: number | null;

  @Column(portableColumn.timestamp({ name: 'pushed_at', nullable: true }))
  pushedAt!: Date | null;

  /** Not pushed before this time after a refusal (no listing, the channel said no); a newer version clears it. */
  @Column(portableColumn.timestamp({ name: 'hold_until', nullable: true }))
  holdUntil!: Date | null;

  @Column({ name: 'last_error_code', type: 'varchar', length: 64, nullable: true })
  lastErrorCode!: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;
}
