import type { Logger } from '@retail-mesh/observability';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelApiError } from '../errors/channel-api.error.js';
import {
  StepFailure,
  WorkerLoop,
  type FailedStep,
  type StepOutcome,
  type WorkerLeaseKey,
  type WorkerLeaseStore,
  type WorkerLoopDependencies,
} from './worker-loop.js';

const logger = { warn: vi.fn(), info: vi.fn(), error: vi.fn() } as unknown as Logger;

/** Leases in memory, with the store's semantics: the holder extends, anyone takes an expired one. */
class MemoryLeases implements WorkerLeaseStore {
  readonly rows = new Map<string, { holder: string; expiresAt: number }>();
  readonly released: string[] = [];

  async acquire(key: WorkerLeaseKey, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const id = `${key.channelAccountId}/${key.duty}`;
    const row = this.rows.get(id);
    if (row && row.holder !== holder && row.expiresAt > now.getTime()) return false;
    this.rows.set(id, { holder, expiresAt: now.getTime() + ttlMs });
    return true;
  }

  async release(key: WorkerLeaseKey, holder: string): Promise<void> {
    const id = `${key.channelAccountId}/${key.duty}`;
    if (this.rows.get(id)?.holder === holder) this.rows.delete(id);
    this.released.push(`${id}:${holder}`);
  }
}

/** A step that answers with the scripted outcomes (an Error is thrown), then `idle`. */
function scripted(outcomes: Array<StepOutcome | Error>) {
  const runs: number[] = [];
  const step = async () => {
    runs.push(Date.now());
    const next = outcomes.shift() ?? 'idle';
    if (next instanceof Error) throw next;
    return next;
  };
  return { step, runs };
}

const loops: WorkerLoop[] = [];
function loop(deps: Partial<WorkerLoopDependencies> & Pick<WorkerLoopDependencies, 'step'>): WorkerLoop {
  const created = new WorkerLoop({ options: { idleMs: 1_000, failureBackoffMaxMs: 60_000 }, logger, ...deps });
  loops.push(created);
  return created;
}

describe('WorkerLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });

  afterEach(async () => {
    await Promise.all(loops.splice(0).map((created) => created.stop()));
    vi.useRealTimers();
  });

  it('runs again at once after `more`, then sleeps the idle interval', async () => {
    const { step, runs } = scripted(['more', 'more', 'idle']);
    loop({ step }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(4);
  });

  it('is woken out of an idle sleep, and runs again after a step during which a wake arrived', async () => {
    let wakeDuringStep: (() => void) | undefined;
    const runs: number[] = [];
    const worker = loop({
      step: async () => {
        runs.push(Date.now());
        wakeDuringStep?.();
        wakeDuringStep = undefined;
        return 'idle';
      },
      options: { idleMs: 60_000, failureBackoffMaxMs: 60_000 },
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(1);
    worker.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(2);
    wakeDuringStep = () => worker.wake();
    worker.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toHaveLength(4);
  });

  it('waits `waitMs` after a `wait` step, however often it is woken', async () => {
    const { step, runs } = scripted(['wait']);
    const worker = loop({ step, options: { idleMs: 100, waitMs: 5_000, failureBackoffMaxMs: 60_000 } });
    worker.start();
    await vi.advanceTimersByTimeAsync(0);
    worker.wake();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(runs).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
  });

  it('backs off after failures, doubling up to the maximum, and a wake does not cut a backoff short', async () => {
    const failure = () => new Error('boom');
    const { step, runs } = scripted([failure(), failure(), failure(), failure()]);
    const failures: FailedStep[] = [];
    const worker = loop({
      step,
      options: { idleMs: 100_000, failureBackoffBaseMs: 1_000, failureBackoffMaxMs: 3_000 },
      onFailure: (failed) => failures.push(failed),
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(0);
    worker.wake();
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.advanceTimersByTimeAsync(2_000);
    await vi.advanceTimersByTimeAsync(3_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(runs).toEqual([0, 1_000, 3_000, 6_000, 9_000]);
    expect(failures.map((failed) => [failed.kind, failed.consecutiveFailures])).toEqual([
      ['internal', 1],
      ['internal', 2],
      ['internal', 3],
      ['internal', 4],
    ]);
    expect(worker.status).toMatchObject({ consecutiveFailures: 0, lastError: 'boom', lastErrorKind: 'internal' });
    expect(worker.status.lastSuccessAt?.getTime()).toBe(9_000);
  });

  it("waits for the channel's Retry-After when it is longer than the backoff", async () => {
    const throttled = new ChannelApiError({
      kind: 'throttled',
      operation: 'getOrders',
      message: '429',
      retryable: true,
      retryAfterMs: 45_000,
    });
    const { step, runs } = scripted([throttled]);
    const worker = loop({ step });
    worker.start();
    await vi.advanceTimersByTimeAsync(44_999);
    expect(runs).toHaveLength(1);
    expect(worker.status).toMatchObject({ consecutiveFailures: 1, lastErrorKind: 'throttled', lastError: 'getOrders: 429' });
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toHaveLength(2);
  });

  it('takes the failure kind from StepFailure, then from failureKind, else internal', async () => {
    const kinds: string[] = [];
    const { step } = scripted([new StepFailure('feed_not_processed', 'FATAL'), new TypeError('reason:catalog_down'), new Error('other')]);
    loop({
      step,
      options: { idleMs: 100_000, failureBackoffBaseMs: 1, failureBackoffMaxMs: 1 },
      failureKind: (error) => (error instanceof TypeError ? 'catalog_down' : undefined),
      onFailure: ({ kind }) => kinds.push(kind),
    }).start();
    await vi.advanceTimersByTimeAsync(10);
    expect(kinds).toEqual(['feed_not_processed', 'catalog_down', 'internal']);
  });

  it('lets the step in flight finish on stop, then sleeps no more', async () => {
    let finishStep: (() => void) | undefined;
    const runs: number[] = [];
    const worker = loop({
      step: () => {
        runs.push(Date.now());
        return new Promise<StepOutcome>((resolve) => (finishStep = () => resolve('idle')));
      },
      options: { idleMs: 600_000, failureBackoffMaxMs: 60_000 },
    });
    worker.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopped = worker.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    finishStep?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(true);
    expect(runs).toHaveLength(1);
  });

  describe('with a lease', () => {
    const key = { channelAccountId: 'amazon-us', duty: 'availability' };

    it('runs the step only on the holder; the other replica checks back every half lease and takes over when it stops', async () => {
      const leases = new MemoryLeases();
      const first = scripted([]);
      const second = scripted([]);
      const options = { idleMs: 60_000, failureBackoffMaxMs: 60_000 };
      const leader = loop({ step: first.step, options, lease: { store: leases, key, holderId: 'replica-1', ttlMs: 10_000 } });
      const follower = loop({ step: second.step, options, lease: { store: leases, key, holderId: 'replica-2', ttlMs: 10_000 } });
      leader.start();
      await vi.advanceTimersByTimeAsync(0);
      follower.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(leader.status.leader).toBe(true);
      expect(follower.status).toMatchObject({ leader: false, lastSuccessAt: null, consecutiveFailures: 0 });
      expect(second.runs).toHaveLength(0);
      // Commits wake followers too, but only the leader can act on them.
      follower.wake();
      await vi.advanceTimersByTimeAsync(0);
      expect(second.runs).toHaveLength(0);

      await leader.stop();
      expect(leases.released).toEqual(['amazon-us/availability:replica-1']);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(follower.status.leader).toBe(true);
      expect(second.runs).toEqual([5_000]);
    });

    it('holdLease renews the lease, or throws lease_lost once another replica took it', async () => {
      const leases = new MemoryLeases();
      const failures: FailedStep[] = [];
      const worker = loop({
        step: async (self) => {
          await self.holdLease();
          leases.rows.set('amazon-us/availability', { holder: 'replica-2', expiresAt: Date.now() + 10_000 });
          await self.holdLease();
          return 'idle';
        },
        lease: { store: leases, key, holderId: 'replica-1', ttlMs: 10_000, renewAfterMs: 0 },
        onFailure: (failed) => failures.push(failed),
      });
      worker.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(failures.map((failed) => failed.kind)).toEqual(['lease_lost']);
      expect(worker.status).toMatchObject({
        leader: false,
        lastErrorKind: 'lease_lost',
        lastError: 'another replica took over availability of amazon-us',
      });
      await worker.stop();
      expect(leases.released).toEqual([]);
    });

    it('writes the lease again only once a third of it has passed since the last renewal', async () => {
      const acquiredAt: number[] = [];
      const store: WorkerLeaseStore = {
        acquire: async (_key, _holder, now) => {
          acquiredAt.push(now.getTime());
          return true;
        },
        release: async () => undefined,
      };
      const worker = loop({
        step: async (self) => {
          await self.holdLease();
          return 'wait';
        },
        options: { idleMs: 1_000, waitMs: 1_000, failureBackoffMaxMs: 60_000 },
        lease: { store, key, holderId: 'replica-1', ttlMs: 9_000 },
      });
      worker.start();
      // Steps at 0, 1 s, ... 7 s; each checks the lease twice.
      await vi.advanceTimersByTimeAsync(7_500);
      expect(acquiredAt).toEqual([0, 3_000, 6_000]);
      await worker.stop();
    });

    it('counts a failing lease store as a failed iteration', async () => {
      const store: WorkerLeaseStore = {
        acquire: async () => {
          throw new Error('database unavailable');
        },
        release: async () => undefined,
      };
      const { step, runs } = scripted([]);
      const worker = loop({ step, lease: { store, key, holderId: 'replica-1', ttlMs: 10_000 } });
      worker.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(runs).toHaveLength(0);
      expect(worker.status).toMatchObject({ consecutiveFailures: 1, lastError: 'database unavailable', lastErrorKind: 'internal' });
    });
  });
});
