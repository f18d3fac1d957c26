import { columnParameter, isUniqueViolation } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import { WorkerLease } from './worker-lease.entity.js';

/**
 * Leases per (account, duty). Expiry is compared with the replicas' own clocks, so they must
 * agree to well within the lease time (NTP does).
 */
export class WorkerLeaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes the lease, or extends it when `holder` has it; false while another replica holds an unexpired one. */
  async acquire(channelAccountId: string, duty: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const taken = await this.dataSource
      .createQueryBuilder()
      .update(WorkerLease)
      .set({ holder, expiresAt })
      .where('channel_account_id = :channelAccountId AND duty = :duty', { channelAccountId, duty })
      .andWhere('(holder = :holder OR expires_at <= :now)', {
        holder,
        now: columnParameter(this.dataSource, WorkerLease, 'expiresAt', now),
      })
      .execute();
    if ((taken.affected ?? 0) > 0) return true;
    try {
      await this.dataSource.createQueryBuilder().insert().into(WorkerLease).values({ channelAccountId, duty, holder, expiresAt }).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async release(channelAccountId: string, duty: string, holder: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(WorkerLease)
      .where('channel_account_id = :channelAccountId AND duty = :duty AND holder = :holder', { channelAccountId, duty, holder })
      .execute();
  }
}
