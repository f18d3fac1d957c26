import { LeaseRow } from '@retail-mesh/channel-kit';
import { Entity, PrimaryColumn } from 'typeorm';

export const WORKER_LEASE_TABLE = 'worker_leases';

/**
 * Which replica runs a duty (order polling, order feeds, availability pushes) of a channel
 * account (`holder`), until when (`expires_at`). One runner per account and duty keeps a cursor
 * from being read twice and an older quantity from overtaking a newer one.
 */
@Entity({ name: WORKER_LEASE_TABLE })
export class WorkerLease extends LeaseRow {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  duty!: string;
}
