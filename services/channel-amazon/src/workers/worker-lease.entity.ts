import { portableColumn } from '@retail-mesh/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

export const WORKER_LEASE_TABLE = 'worker_leases';

/**
 * Which replica runs a duty (order polling, order feeds, availability pushes) of a channel
 * account, until when. One runner per account and duty keeps a cursor from being read twice and
 * an older quantity from overtaking a newer one.
 */
@Entity({ name: WORKER_LEASE_TABLE })
export class WorkerLease {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  duty!: string;

  /** The replica's random id, chosen at start-up. */
  @Column({ type: 'varchar', length: 100 })
  holder!: string;

  @Column(portableColumn.timestamp({ name: 'expires_at' }))
  expiresAt!: Date;
}
