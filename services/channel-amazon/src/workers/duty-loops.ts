// The background duties of every Amazon account (order polling, order feeds, availability
// pushes): one channel-kit loop per (account, duty), run by the replica holding the lease of that
// pair. Each duty counts its failures in loop_errors_total{duty,kind} and logs them the same way.
import type { AccountLoopsConfig, WorkerLeaseStore } from '@retail-mesh/channel-kit';
import type { Logger } from '@retail-mesh/observability';
import type { AmazonAccountRegistry } from '../accounts/amazon-account.registry.js';
import type { ChannelAmazonMetrics } from '../metrics/channel-amazon.metrics.js';

/** What every duty worker depends on. */
export interface DutyDependencies {
  accounts: AmazonAccountRegistry;
  leases: WorkerLeaseStore;
  /** This replica's lease holder id (random per process). */
  holderId: string;
  metrics: ChannelAmazonMetrics;
  logger: Logger;
  options: { leaseTtlMs: number; failureBackoffMaxMs: number };
}

export interface DutyTiming {
  /** Sleep after an idle step, unless woken. */
  idleMs: number;
  /** Sleep after a `wait` step (something in flight on Amazon). */
  waitMs: number;
}

/** The loops of `duty` for every account (an `AccountWorker`'s configuration). */
export function dutyLoopsConfig(duty: string, deps: DutyDependencies, timing: DutyTiming): Omit<AccountLoopsConfig, 'step'> {
  const { metrics, logger } = deps;
  return {
    accountIds: deps.accounts.ids(),
    options: { ...timing, failureBackoffMaxMs: deps.options.failureBackoffMaxMs },
    logger,
    lease: { store: deps.leases, duty, holderId: deps.holderId, ttlMs: deps.options.leaseTtlMs },
    onFailure: (channelAccountId, { error, kind, consecutiveFailures }) => {
      metrics.loopFailed(channelAccountId, duty, kind);
      logger.warn({ err: error, channelAccountId, duty, kind, consecutiveFailures }, `${duty} failed; it is tried again after a backoff`);
    },
  };
}
