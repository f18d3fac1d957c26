import { WorkerLeaseRepository } from '@retail-mesh/channel-kit';
import type { DataSource } from 'typeorm';
import { PushLease } from './push-lease.entity.js';

/** The availability duty's leases in push_leases: one row per account (the only duty this adapter leases). */
export function createPushLeaseRepository(dataSource: DataSource): WorkerLeaseRepository<PushLease> {
  return new WorkerLeaseRepository(dataSource, PushLease, ({ channelAccountId }) => ({ channelAccountId }));
}
