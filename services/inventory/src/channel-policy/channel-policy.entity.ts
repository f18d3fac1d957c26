import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AllocationKind = 'none' | 'percent' | 'fixed';

export const CHANNEL_POLICY_TABLE = 'channel_policy';

@Entity({ name: CHANNEL_POLICY_TABLE })
export class ChannelPolicyEntity {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 64 })
  channelAccountId!: string;

  @Column({ type: 'varchar', length: 32 })
  channel!: string;

  @Column(portableColumn.bigint({ name: 'safety_stock' }))
  safetyStock!: number;

  @Column({ name: 'allocation_kind', type: 'varchar', length: 16 })
  allocationKind!: AllocationKind;

  /** Basis points for `percent`, units for `fixed`, null for `none`. */
  @Column(portableColumn.bigint({ name: 'allocation_value', nullable: true }))
  allocationValue!: number | null;

  @Column(portableColumn.bigint({ name: 'max_quantity', nullable: true }))
  maxQuantity!: number | null;

  @Column(portableColumn.json({ name: 'eligible_location_ids' }))
  eligibleLocationIds!: string[];

  @Column(portableColumn.bigint())
  version!: number;

  @Column(portableColumn.timestamp({ name: 'updated_at' }))
  updatedAt!: Date;
}
