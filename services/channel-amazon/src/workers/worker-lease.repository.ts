import { WorkerLeaseRepository } from '@retail-mesh/channel-kit';
import type { DataSource } from 'typeorm';
import { WorkerLease } from './worker-lease.entity.js';

/** The duties' leases in worker_leases: one row per (account, duty). */
export function createWorkerLeaseRepository(dataSource: DataSource): WorkerLeaseRepository<WorkerLease> {
  return new WorkerLeaseRepository(dataSource, WorkerLease, ({ channelAccountId, duty }) => ({ channelAccountId, duty }));
}
