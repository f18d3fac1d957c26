import type { Logger } from '@retail-mesh/observability';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountLoops, ProgressSignal } from './account-loops.js';
import type { StepOutcome, WorkerLeaseKey, WorkerLeaseStore } from './worker-loop.js';

const logger = { warn: vi.fn(), info: vi.fn(), error: vi.fn() } as unknown as Logger;

describe('AccountLoops', () => {
  const created: AccountLoops[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });

  afterEach(async () => {
    await Promise.all(created.splice(0).map((loops) => loops.stop()));
    vi.useRealTimers();
  });

  function accountLoops(step: (channelAccountId: string) => Promise<StepOutcome>, extra: { lease?: WorkerLeaseStore } = {}) {
    const failures: Array<[string, string, number]> = [];
    const loops = new AccountLoops({
      accountIds: ['shop-eu', 'shop-us'],
      step: (account) => step(account.channelAccountId),
      options: { idleMs: 60_000, failureBackoffMaxMs: 60_000 },
      logger,
      lease: extra.lease && { store: extra.lease, duty: 'availability', holderId: 'replica-1', ttlMs: 30_000 },
      onFailure: (channelAccountId, { kind, consecutiveFailures }) => failures.push([channelAccountId, kind, consecutiveFailures]),
    });
    created.push(loops);
    return { loops, failures };
  }

  it('runs one loop per account; a wake reaches only its account', async () => {
    const runs: string[] = [];
    const { loops } = accountLoops(async (channelAccountId) => {
      runs.push(channelAccountId);
      return 'idle';
    });
    loops.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.sort()).toEqual(['shop-eu', 'shop-us']);
    loops.wake('shop-us');
    loops.wake('not-served');
    await vi.advanceTimersByTimeAsync(0);
    expect(runs.filter((id) => id === 'shop-us')).toHaveLength(2);
    expect(runs.filter((id) => id === 'shop-eu')).toHaveLength(1);
    expect(loops.status('shop-us')).toMatchObject({ leader: true, consecutiveFailures: 0 });
    expect(loops.status('not-served')).toBeUndefined();
  });

  it("reports a failure with its account, and keeps each account's status apart", async () => {
    const { loops, failures } = accountLoops(async (channelAccountId) => {
      if (channelAccountId === 'shop-eu') throw new Error('token refused');
      return 'idle';
    });
    loops.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(failures).toEqual([['shop-eu', 'internal', 1]]);
    expect(loops.status('shop-eu')).toMatchObject({ consecutiveFailures: 1, lastError: 'token refused' });
    expect(loops.status('shop-us')).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it('keys each lease by account and duty, and lets steps hold it', async () => {
    const acquired: WorkerLeaseKey[] = [];
    const lease: WorkerLeaseStore = {
      acquire: async (key) => {
        acquired.push(key);
        return true;
      },
      release: async () => undefined,
    };
    const { loops } = accountLoops(async () => 'idle', { lease });
    loops.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(acquired).toEqual(
      expect.arrayContaining([
        { channelAccountId: 'shop-eu', duty: 'availability' },
        { channelAccountId: 'shop-us', duty: 'availability' },
      ]),
    );
  });

  it('resolves nextProgress after the next iteration of any account, or after the timeout', async () => {
    let release: (() => void) | undefined;
    const { loops } = accountLoops((channelAccountId) =>
      channelAccountId === 'shop-eu' ? new Promise((resolve) => (release = () => resolve('idle'))) : Promise.resolve('idle'),
    );
    const progressed = vi.fn();
    loops.start();
    await vi.advanceTimersByTimeAsync(0);
    void loops.nextProgress(60_000).then(progressed);
    await vi.advanceTimersByTimeAsync(0);
    expect(progressed).not.toHaveBeenCalled();
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(progressed).toHaveBeenCalledTimes(1);

    const timedOut = vi.fn();
    void loops.nextProgress(1_000).then(timedOut);
    await vi.advanceTimersByTimeAsync(999);
    expect(timedOut).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(timedOut).toHaveBeenCalledTimes(1);
  });
});

describe('ProgressSignal', () => {
  it('wakes every waiter once', async () => {
    const signal = new ProgressSignal();
    const first = signal.next(60_000);
    const second = signal.next(60_000);
    signal.notify();
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
  });
});
