import { LeaseRow } from '@retail-mesh/channel-kit';
import { Entity, PrimaryColumn } from 'typeorm';

export const PUSH_LEASE_TABLE = 'push_leases';

/**
 * Which replica pushes a channel account's availability (`holder`), until when (`expires_at`).
 * One pusher per account is what guarantees that an older version never reaches Shopify after a
 * newer one.
 */
@Entity({ name: PUSH_LEASE_TABLE })
export class PushLease extends LeaseRow {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;
}
