import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const PUSH_LEASE_TABLE = 'push_leases';

/**
 * Which replica pushes a channel account's availability, until when. One pusher per account is
 * what guarantees that an older version never reaches Shopify after a newer one.
 */
@Entity({ name: PUSH_LEASE_TABLE })
export class PushLease {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  /** The replica's random id, chosen at start-up. */
  @Column({ type: 'varchar', length: 100 })
  holder!: string;

  @Column(portableColumn.timestamp({ name: 'expires_at' }))
  expiresAt!: Date;
}
