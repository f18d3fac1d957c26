// A background loop of an adapter (availability pushes, order polls, feed follow-ups): runs a
// step, then sleeps until woken or its interval passes. A step says what comes next: `more` (run
// again at once), `idle` (sleep until woken or `idleMs`), `wait` (something is in flight at the
// channel: look again after `waitMs`, not before). A failed step backs off, doubling up to a
// maximum, and no sooner than the channel's Retry-After; wakes during a backoff or a wait do not
// cut it short, or a burst of commits would defeat it. `stop` lets the step in flight finish.
//
// With a lease, only the replica holding the (channel account, duty) lease runs the step; the
// others check back every half lease. The holder makes sure of it before every step and, through
// `holdLease`, before every attempt that changes something at the channel: a replica that paused
// longer than the lease may have been replaced and must then not send what it read before. A lease
// renewed less than `renewAfterMs` ago (default a third of the lease) is still safely held, so it
// is not written again: a busy loop would otherwise commit twice per step for nothing.
import { WakeSignal } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { ChannelApiError } from '../errors/channel-api.error.js';
import { backoffDelayMs } from '../retry/retry-with-backoff.js';

export type StepOutcome = 'more' | 'idle' | 'wait';

/** A step that failed for a reason of the adapter's own (not a channel API failure); `kind` labels metrics and status. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';

  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface WorkerLeaseKey {
  channelAccountId: string;
  /** What the lease is for: `availability`, `orders`, ... */
  duty: string;
}

/** Where leases live (a table of the service); expiry is compared with the replicas' clocks. */
export interface WorkerLeaseStore {
  /** Takes the lease, or extends it when `holder` has it; false while another holder has an unexpired one. */
  acquire(key: WorkerLeaseKey, holder: string, now: Date, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, so another replica takes over without waiting for expiry. */
  release(key: WorkerLeaseKey, holder: string): Promise<void>;
}

export interface WorkerLoopLease {
  store: WorkerLeaseStore;
  key: WorkerLeaseKey;
  /** This replica's id (random per process). */
  holderId: string;
  /** A replica that dies is replaced after this long; keep one channel request well under it. */
  ttlMs: number;
  /** Renew only once this long has passed since the last renewal. Default a third of `ttlMs`. */
  renewAfterMs?: number;
}

export interface WorkerLoopOptions {
  /** Sleep after an idle step when nothing wakes the loop. */
  idleMs: number;
  /** Sleep after a `wait` step; wakes do not cut it short. Default `idleMs`. */
  waitMs?: number;
  /** Backoff after a failed step: doubled per consecutive failure up to the maximum. Default 1 s. */
  failureBackoffBaseMs?: number;
  failureBackoffMaxMs: number;
}

export interface WorkerLoopStatus {
  /** This replica holds the lease (always true for a loop without one). */
  leader: boolean;
  /** When a step last completed. */
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: Date | null;
  /** Failed iterations since the last one that did not fail. */
  consecutiveFailures: number;
}

export interface FailedStep {
  error: unknown;
  kind: string;
  consecutiveFailures: number;
}

export interface WorkerLoopDependencies {
  step: (loop: WorkerLoop) => Promise<StepOutcome>;
  options: WorkerLoopOptions;
  /** Reports what no step sees (a lease that could not be released). */
  logger: Logger;
  /** Without one, every replica runs the step. */
  lease?: WorkerLoopLease;
  /**
   * The kind of a failure that is neither a `ChannelApiError` nor a `StepFailure` (those carry
   * their own); undefined: `internal`.
   */
  failureKind?: (error: unknown) => string | undefined;
  /** A step failed (already in `status`): metrics and logs. */
  onFailure?: (failure: FailedStep) => void;
  /** After every iteration, failed or not (callers waiting for progress). */
  onIteration?: () => void;
}

const DEFAULT_FAILURE_BACKOFF_BASE_MS = 1_000;

export class WorkerLoop {
  readonly status: WorkerLoopStatus;
  private readonly signal = new WakeSignal();
  private running: Promise<void> | undefined;
  /** When this replica last took or renewed the lease (Date.now()); undefined while it does not hold it. */
  private leaseRenewedAt: number | undefined;

  constructor(private readonly deps: WorkerLoopDependencies) {
    this.status = {
      leader: deps.lease === undefined,
      lastSuccessAt: null,
      lastError: null,
      lastErrorKind: null,
      lastErrorAt: null,
      consecutiveFailures: 0,
    };
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Something to do arrived (a commit): an idle loop runs now, a running one runs again after its step. */
  wake(): void {
    this.signal.wake();
  }

  /** Lets the step in flight finish (cut its waits short with an abort signal), then releases the lease. */
  async stop(): Promise<void> {
    this.signal.stop();
    await this.running;
    const { lease } = this.deps;
    if (lease && this.status.leader) {
      await lease.store.release(lease.key, lease.holderId).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, ...lease.key }, 'could not release the lease');
      });
      this.status.leader = false;
      this.leaseRenewedAt = undefined;
    }
  }

  /** Renews the lease right before an attempt that changes something at the channel; throws `lease_lost` when another replica took over. */
  async holdLease(): Promise<void> {
    const { lease } = this.deps;
    if (!lease) return;
    if (await this.renewLease(lease)) return;
    this.status.leader = false;
    throw new StepFailure('lease_lost', `another replica took over ${lease.key.duty} of ${lease.key.channelAccountId}`);
  }

  private async run(): Promise<void> {
    const { options } = this.deps;
    while (!this.signal.isStopped) {
      const seen = this.signal.checkpoint();
      let delayMs: number;
      let wakeable: boolean;
      try {
        const outcome = await this.iterate();
        this.status.consecutiveFailures = 0;
        delayMs = this.delayAfter(outcome);
        // A follower is woken by commits too, but only the leader can act on them.
        wakeable = outcome === 'idle';
      } catch (error) {
        if (this.signal.isStopped) break;
        const failures = this.recordFailure(error);
        const backoffMs = backoffDelayMs(failures, {
          baseDelayMs: options.failureBackoffBaseMs ?? DEFAULT_FAILURE_BACKOFF_BASE_MS,
          maxDelayMs: options.failureBackoffMaxMs,
          jitter: 'none',
        });
        // The channel's own Retry-After (a wait too long for the client to sleep through) wins when longer.
        delayMs = Math.max(backoffMs, error instanceof ChannelApiError ? (error.retryAfterMs ?? 0) : 0);
        wakeable = false;
      }
      this.deps.onIteration?.();
      if (delayMs > 0) await this.signal.sleep(delayMs, { wakeable, since: seen });
    }
  }

  private async iterate(): Promise<StepOutcome | 'follower'> {
    const { lease } = this.deps;
    if (lease) {
      this.status.leader = await this.renewLease(lease);
      if (!this.status.leader) return 'follower';
    }
    const outcome = await this.deps.step(this);
    this.status.lastSuccessAt = new Date();
    return outcome;
  }

  /** Whether this replica holds the lease: renewed recently enough, or taken or renewed now. */
  private async renewLease(lease: WorkerLoopLease): Promise<boolean> {
    const renewAfterMs = lease.renewAfterMs ?? Math.floor(lease.ttlMs / 3);
    if (this.leaseRenewedAt !== undefined && Date.now() - this.leaseRenewedAt < renewAfterMs) return true;
    const now = Date.now();
    const held = await lease.store.acquire(lease.key, lease.holderId, new Date(now), lease.ttlMs);
    this.leaseRenewedAt = held ? now : undefined;
    return held;
  }

  private delayAfter(outcome: StepOutcome | 'follower'): number {
    const { options, lease } = this.deps;
    switch (outcome) {
      case 'more':
        return 0;
      case 'idle':
        return options.idleMs;
      case 'wait':
        return options.waitMs ?? options.idleMs;
      case 'follower':
        return Math.min(options.idleMs, Math.ceil((lease as WorkerLoopLease).ttlMs / 2));
    }
  }

  /** Returns the failures in a row, this one included. */
  private recordFailure(error: unknown): number {
    const kind =
      error instanceof ChannelApiError || error instanceof StepFailure ? error.kind : (this.deps.failureKind?.(error) ?? 'internal');
    this.status.consecutiveFailures += 1;
    this.status.lastError = error instanceof Error ? error.message : String(error);
    this.status.lastErrorKind = kind;
    this.status.lastErrorAt = new Date();
    this.deps.onFailure?.({ error, kind, consecutiveFailures: this.status.consecutiveFailures });
    return this.status.consecutiveFailures;
  }
}
