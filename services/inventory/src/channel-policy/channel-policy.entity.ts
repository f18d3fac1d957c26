import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintColumn } from '../database/bigint-column.js';

export type AllocationKind = 'none' | 'percent' | 'fixed';

@Entity({ name: 'channel_policy' })
export class ChannelPolicyEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 64 })
  channelAccountId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  @Column(bigintColumn({ name: 'safety_stock' }))
  safetyStock!: number;

  @Column({ name: 'allocation_kind', type: 'varchar', length: 16 })
  allocationKind!: AllocationKind;

  /** Basis points for `percent`, units for `fixed`, null for `none`. */
  @Column(bigintColumn({ name: 'allocation_value', nullable: true }))
  allocationValue!: number | null;

  @Column(bigintColumn({ name: 'max_quantity', nullable: true }))
  maxQuantity!: number | null;

  @Column(portableColumn.json({ name: 'eligible_location_ids' }))
  eligibleLocationIds!: string[];

  @Column(bigintColumn())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
