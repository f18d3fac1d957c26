import { columnParameter, isUniqueViolation } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import { PushLease } from './push-lease.entity.js';

/**
 * The per-account lease that makes one replica the account's only pusher. Expiry is compared
 * with the replicas' own clocks, so they must agree to well within the lease time (NTP does).
 */
export class PushLeaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes the lease, or extends it when `holder` already has it; false while another replica holds an unexpired lease. */
  async acquire(channelAccountId: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const taken = await this.dataSource
      .createQueryBuilder()
      .update(PushLease)
      .set({ holder, expiresAt })
      .where('channel_account_id = :channelAccountId', { channelAccountId })
      .andWhere('(holder = :holder OR expires_at <= :now)', { holder, now: columnParameter(this.dataSource, PushLease, 'expiresAt', now) })
      .execute();
    if ((taken.affected ?? 0) > 0) return true;
    try {
      await this.dataSource.createQueryBuilder().insert().into(PushLease).values({ channelAccountId, holder, expiresAt }).execute();
      return true;
    } catch (error) {
      // Another replica holds it (or took it at the same moment).
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Gives the lease up at shutdown, so another replica takes over without waiting for expiry. */
  async release(channelAccountId: string, holder: string): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(PushLease)
      .where('channel_account_id = :channelAccountId AND holder = :holder', { channelAccountId, holder })
      .execute();
  }
}
