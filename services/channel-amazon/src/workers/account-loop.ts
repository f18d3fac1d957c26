// One background loop per (channel account, duty): order polling, order feeds, availability
// pushes. Only the replica holding the (account, duty) lease works; the lease is renewed before
// every step and before every HTTP attempt that changes something on Amazon (`holdLease`). A
// step says what comes next: `more` (run again at once), `idle` (sleep until woken or the poll
// interval), `wait` (something is in flight on Amazon: look again after `waitMs`, not before).
// Failures back off, doubling up to a maximum; commits during a backoff do not cut it short.
import type { Logger } from '@retail-mesh/observability';
import { SpApiError } from '../amazon/sp-api.error.js';
import type { WorkerLeaseRepository } from './worker-lease.repository.js';

export type StepOutcome = 'more' | 'idle' | 'wait';

export interface AccountLoopOptions {
  idleMs: number;
  waitMs: number;
  leaseTtlMs: number;
  failureBackoffBaseMs?: number;
  failureBackoffMaxMs: number;
}

export interface AccountLoopStatus {
  leader: boolean;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorKind: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
}

/** The step could not run for a reason of the adapter's own (not an SP-API failure). */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';

  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AccountLoopDependencies {
  channelAccountId: string;
  duty: string;
  leases: WorkerLeaseRepository;
  holderId: string;
  logger: Logger;
  options: AccountLoopOptions;
  step: (loop: AccountLoop) => Promise<StepOutcome>;
  /** After every iteration (RPCs waiting for progress). */
  onProgress?: () => void;
  onFailure?: (kind: string) => void;
}

export class AccountLoop {
  readonly status: AccountLoopStatus = {
    leader: false,
    lastSuccessAt: null,
    lastError: null,
    lastErrorKind: null,
    lastErrorAt: null,
    consecutiveFailures: 0,
  };
  private wakeRequested = false;
  private stopping = false;
  private sleeping: { wake: () => void; wakeable: boolean } | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: AccountLoopDependencies) {}

  get channelAccountId(): string {
    return this.deps.channelAccountId;
  }

  start(): void {
    this.running ??= this.run();
  }

  wake(): void {
    this.wakeRequested = true;
    if (this.sleeping?.wakeable) this.sleeping.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeping?.wake();
    await this.running;
    if (this.status.leader) {
      await this.deps.leases.release(this.deps.channelAccountId, this.deps.duty, this.deps.holderId).catch((error: unknown) => {
        this.deps.logger.warn(
          { err: error, channelAccountId: this.deps.channelAccountId, duty: this.deps.duty },
          'could not release the lease',
        );
      });
      this.status.leader = false;
    }
  }

  /** Renews the lease right before an attempt that changes something on Amazon; throws when another replica took over. */
  async holdLease(): Promise<void> {
    const { channelAccountId, duty, holderId, options } = this.deps;
    if (await this.deps.leases.acquire(channelAccountId, duty, holderId, new Date(), options.leaseTtlMs)) return;
    this.status.leader = false;
    throw new StepFailure('lease_lost', `another replica took over ${duty} of ${channelAccountId}`);
  }

  private async run(): Promise<void> {
    const { options } = this.deps;
    while (!this.stopping) {
      this.wakeRequested = false;
      let delayMs: number;
      let wakeable: boolean;
      try {
        this.status.leader = await this.deps.leases.acquire(
          this.deps.channelAccountId,
          this.deps.duty,
          this.deps.holderId,
          new Date(),
          options.leaseTtlMs,
        );
        const outcome: StepOutcome | 'follower' = this.status.leader ? await this.deps.step(this) : 'follower';
        if (outcome !== 'follower') {
          this.status.consecutiveFailures = 0;
          this.status.lastSuccessAt = new Date();
        }
        delayMs =
          outcome === 'more'
            ? 0
            : outcome === 'idle'
              ? options.idleMs
              : outcome === 'wait'
                ? options.waitMs
                : Math.min(options.idleMs, Math.ceil(options.leaseTtlMs / 2));
        wakeable = outcome === 'idle';
      } catch (error) {
        if (this.stopping) break;
        this.recordFailure(error);
        const backoffMs = Math.min(
          options.failureBackoffMaxMs,
          (options.failureBackoffBaseMs ?? 1_000) * 2 ** (this.status.consecutiveFailures - 1),
        );
        delayMs = Math.max(backoffMs, error instanceof SpApiError ? (error.retryAfterMs ?? 0) : 0);
        wakeable = false;
      }
      this.deps.onProgress?.();
      if (delayMs > 0 && !(wakeable && this.wakeRequested)) await this.sleep(delayMs, wakeable);
    }
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { wake: done, wakeable };
    });
  }

  private recordFailure(error: unknown): void {
    const kind = error instanceof SpApiError || error instanceof StepFailure ? error.kind : 'internal';
    this.status.consecutiveFailures += 1;
    this.status.lastError = error instanceof Error ? error.message : String(error);
    this.status.lastErrorKind = kind;
    this.status.lastErrorAt = new Date();
    this.deps.onFailure?.(kind);
    this.deps.logger.warn(
      {
        err: error,
        channelAccountId: this.deps.channelAccountId,
        duty: this.deps.duty,
        kind,
        consecutiveFailures: this.status.consecutiveFailures,
      },
      `${this.deps.duty} failed; it is tried again after a backoff`,
    );
  }
}

/** Resolves after the next iteration of any loop it is told about, or after `timeoutMs`. */
export class ProgressSignal {
  private waiters: Array<() => void> = [];

  notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  next(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
