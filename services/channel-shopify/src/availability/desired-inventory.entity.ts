import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

export const DESIRED_INVENTORY_TABLE = 'desired_inventory';

/** PostgreSQL hands bigint columns over as strings; versions fit in a JavaScript number. */
export const bigintAsNumber: ValueTransformer = {
  to: (value: unknown) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * The quantity the mesh wants Shopify to show for a SKU of a channel account, and how far
 * Shopify has got. Pending while `pushed_version < desired_version` (channel-kit's desired-state.ts).
 */
@Entity({ name: DESIRED_INVENTORY_TABLE })
@Index('desired_inventory_pending', ['channelAccountId', 'pendingSince'])
export class DesiredInventory {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  sku!: string;

  @Column({ name: 'desired_quantity', type: 'integer' })
  desiredQuantity!: number;

  @Column({ name: 'desired_version', type: 'bigint', transformer: bigintAsNumber })
  desiredVersion!: number;

  /** source_changed_at of the desired version: push latency is measured from it. */
  @Column(portableColumn.timestamp({ name: 'source_changed_at', nullable: true }))
  sourceChangedAt!: Date | null;

  /** Since when the row has been waiting for a push (kept while newer versions replace the desired one). */
  @Column(portableColumn.timestamp({ name: 'pending_since' }))
  pendingSince!: Date;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;

  @Column({ name: 'pushed_version', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  pushedVersion!: number | null;

  @Column({ name: 'pushed_quantity', type: 'integer', nullable: true })
  pushedQuantity!: number | null;

  @Column(portableColumn.timestamp({ name: 'pushed_at', nullable: true }))
  pushedAt!: Date | null;

  /** The `available` quantity last seen on Shopify: the next push's compare-and-set value. */
  @Column({ name: 'shopify_quantity', type: 'integer', nullable: true })
  shopifyQuantity!: number | null;

  /** Not pushed before this time after a refusal (no listing, Shopify said no); a newer version clears it. */
  @Column(portableColumn.timestamp({ name: 'hold_until', nullable: true }))
  holdUntil!: Date | null;

  @Column({ name: 'last_error_code', type: 'varchar', length: 64, nullable: true })
  lastErrorCode!: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  @Column(portableColumn.timestamp({ name: 'last_error_at', nullable: true }))
  lastErrorAt!: Date | null;
}
