// One worker loop per channel account for one duty (availability pushes, order polls, order
// feeds): accounts never wait for each other, each has its own backoff and status, and with a
// lease each (account, duty) runs on one replica only. Callers waiting for an outcome (an RPC
// that pushes and waits for the channel) wait for the next iteration of any loop.
import type { Logger } from '@retail-mesh/observability';
import {
  WorkerLoop,
  type FailedStep,
  type StepOutcome,
  type WorkerLeaseStore,
  type WorkerLoopOptions,
  type WorkerLoopStatus,
} from './worker-loop.js';

/** What a step gets to know about its account's loop. */
export interface AccountStep {
  readonly channelAccountId: string;
  /** Renews the lease before an attempt that changes something at the channel; throws `lease_lost` when another replica took over. */
  holdLease(): Promise<void>;
}

export interface AccountLoopsConfig {
  accountIds: readonly string[];
  step: (account: AccountStep) => Promise<StepOutcome>;
  options: WorkerLoopOptions;
  logger: Logger;
  /** One lease per (account, `duty`): only its holder runs the step. Without it every replica does. */
  lease?: { store: WorkerLeaseStore; duty: string; holderId: string; ttlMs: number };
  /** See `WorkerLoopDependencies.failureKind`. */
  failureKind?: (error: unknown) => string | undefined;
  onFailure?: (channelAccountId: string, failure: FailedStep) => void;
}

export class AccountLoops {
  private readonly loops = new Map<string, WorkerLoop>();
  private readonly progress = new ProgressSignal();

  constructor(config: AccountLoopsConfig) {
    for (const channelAccountId of config.accountIds) {
      const { lease } = config;
      this.loops.set(
        channelAccountId,
        new WorkerLoop({
          step: (loop) => config.step({ channelAccountId, holdLease: () => loop.holdLease() }),
          options: config.options,
          logger: config.logger,
          lease: lease && {
            store: lease.store,
            key: { channelAccountId, duty: lease.duty },
            holderId: lease.holderId,
            ttlMs: lease.ttlMs,
          },
          failureKind: config.failureKind,
          onFailure: config.onFailure && ((failure) => config.onFailure?.(channelAccountId, failure)),
          onIteration: () => this.progress.notify(),
        }),
      );
    }
  }

  start(): void {
    for (const loop of this.loops.values()) loop.start();
  }

  /** Stops every loop (each finishes its step and releases its lease). */
  async stop(): Promise<void> {
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
    this.progress.notify();
  }

  wake(channelAccountId: string): void {
    this.loops.get(channelAccountId)?.wake();
  }

  status(channelAccountId: string): WorkerLoopStatus | undefined {
    return this.loops.get(channelAccountId)?.status;
  }

  /** Resolves after the next iteration of any account's loop, or after `timeoutMs`. */
  nextProgress(timeoutMs: number): Promise<void> {
    return this.progress.next(timeoutMs);
  }
}

/**
 * A duty run per channel account (pushes, polls, feeds): subclasses say what one step does, the
 * loops do the rest (wake, lease, backoff, status, progress).
 */
export abstract class AccountWorker {
  private readonly loops: AccountLoops;

  protected constructor(config: Omit<AccountLoopsConfig, 'step'>) {
    this.loops = new AccountLoops({ ...config, step: (account) => this.step(account) });
  }

  protected abstract step(account: AccountStep): Promise<StepOutcome>;

  start(): void {
    this.loops.start();
  }

  /** Finishes the steps in flight (an abort signal cuts their waits short) and releases the leases. */
  stop(): Promise<void> {
    return this.loops.stop();
  }

  /** After a commit that gave the account's loop something to do. */
  wake(channelAccountId: string): void {
    this.loops.wake(channelAccountId);
  }

  status(channelAccountId: string): WorkerLoopStatus | undefined {
    return this.loops.status(channelAccountId);
  }

  /** Resolves after the next iteration of any account's loop, or after `timeoutMs`. */
  nextProgress(timeoutMs: number): Promise<void> {
    return this.loops.nextProgress(timeoutMs);
  }
}

/** Resolves waiters on the next `notify`, or after their timeout. */
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
