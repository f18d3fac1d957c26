import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last availability published per channel account x SKU, with its per-key version. */
export const PUBLISHED_AVAILABILITY_TABLE = 'published_availability';

@Entity({ name: PUBLISHED_AVAILABILITY_TABLE })
export class PublishedAvailabilityEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 64 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  sku!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  @Column(portableColumn.bigint({ name: 'available_quantity' }))
  availableQuantity!: number;

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'computed_at' }))
  computedAt!: Date;

  /** ERP time of the earliest change this publication carried; null for repairs and policy changes. */
  @Column(portableColumn.timestamp({ name: 'source_changed_at', nullable: true }))
  sourceChangedAt!: Date | null;
}
