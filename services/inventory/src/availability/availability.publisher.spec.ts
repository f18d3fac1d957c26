// How the publisher runs its passes (timing, and which SKUs a pass leaves to another), with the
// database and the computation replaced by calls the test answers by hand.
import { createLogger } from '@retail-mesh/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChannelPolicyRepository } from '../channel-policy/channel-policy.repository.js';
import type { InventorySettings } from '../inventory.config.js';
import type { InventoryMetrics } from '../inventory.metrics.js';
import { AvailabilityPublisher } from './availability.publisher.js';
import type { AvailabilityService, PublishedCounts } from './availability.service.js';
import type { DirtyBatch, DirtySkuRepository } from './dirty-sku.repository.js';

const logger = createLogger({ service: 'availability-publisher-spec', level: 'silent', destination: { write: () => undefined } });

const COALESCE_WINDOW_MS = 20;
const POLL_INTERVAL_MS = 1_000;

/** A call the test answers later. */
interface Pending<A, T> {
  args: A;
  answer(value: T): void;
}

function pendingCalls<A, T>() {
  const calls: Array<Pending<A, T>> = [];
  const call = (args: A) => new Promise<T>((answer) => calls.push({ args, answer }));
  return { calls, call };
}

describe('AvailabilityPublisher', () => {
  /** Each takeBatch: the busy SKUs it was told to leave alone. */
  const takes = pendingCalls<{ busy: string[] }, DirtyBatch>();
  /** Each computation: the SKUs of its batch. */
  const computations = pendingCalls<{ skus: string[] }, PublishedCounts>();

  function batchOf(...skus: string[]): DirtyBatch {
    return { skus: skus.map((sku) => ({ sku, sourceChangedAt: null, traceparent: undefined })), markCount: skus.length };
  }

  function open(passesInFlight: number): AvailabilityPublisher {
    // withTransaction keeps what runs after the commit per query runner.
    const manager = { queryRunner: {} } as EntityManager;
    const dataSource = {
      options: { type: 'postgres' },
      transaction: (work: (manager: EntityManager) => Promise<unknown>) => work(manager),
    } as unknown as DataSource;
    const dirty = {
      takeBatch: (_manager: EntityManager, _limit: number, busy: ReadonlySet<string>) => takes.call({ busy: [...busy].sort() }),
    } as unknown as DirtySkuRepository;
    const policies = { findAll: async () => [] } as unknown as ChannelPolicyRepository;
    const availability = {
      publishChanges: (_manager: EntityManager, skus: Array<{ sku: string }>) =>
        computations.call({ skus: skus.map((entry) => entry.sku) }),
    } as unknown as AvailabilityService;
    const metrics = { published: () => undefined } as unknown as InventoryMetrics;
    const settings = {
      coalesceWindowMs: COALESCE_WINDOW_MS,
      publishPollIntervalMs: POLL_INTERVAL_MS,
      publishBatchSize: 10,
      publishPassesInFlight: passesInFlight,
    } as InventorySettings;
    return new AvailabilityPublisher(dataSource, dirty, policies, availability, metrics, logger, settings);
  }

  beforeEach(() => {
    vi.useFakeTimers();
    takes.calls.length = 0;
    computations.calls.length = 0;
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a SKU busy until every pass that took it has finished', async () => {
    const publisher = open(2);
    publisher.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    // A second pass starts while the first still takes its batch: neither knows the other's SKUs yet.
    publisher.wake();
    await vi.advanceTimersByTimeAsync(COALESCE_WINDOW_MS);
    expect(takes.calls.map((call) => call.args.busy)).toEqual([[], []]);

    // Both took marks of SKU-X (different marks: neither skips the other's).
    takes.calls[0]!.answer(batchOf('SKU-X', 'SKU-A'));
    takes.calls[1]!.answer(batchOf('SKU-X', 'SKU-B'));
    await vi.advanceTimersByTimeAsync(0);
    expect(computations.calls.map((call) => call.args.skus)).toEqual([
      ['SKU-X', 'SKU-A'],
      ['SKU-X', 'SKU-B'],
    ]);

    // The first pass finishes; the second still computes SKU-X, so the next pass must leave it alone.
    computations.calls[0]!.answer(new Map());
    await vi.advanceTimersByTimeAsync(COALESCE_WINDOW_MS);
    expect(takes.calls).toHaveLength(3);
    expect(takes.calls[2]!.args.busy).toEqual(['SKU-B', 'SKU-X']);

    // Once the second pass is done too, nothing is busy any more.
    takes.calls[2]!.answer(batchOf());
    computations.calls[1]!.answer(new Map());
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(takes.calls).toHaveLength(4);
    expect(takes.calls[3]!.args.busy).toEqual([]);
    takes.calls[3]!.answer(batchOf());

    const stopped = publisher.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(0);
    takes.calls[4]!.answer(batchOf());
    await stopped;
  });

  it('waits out the coalescing window after a wake, and after a pass during which a wake came; else polls', async () => {
    const publisher = open(1);
    publisher.onApplicationBootstrap();
    await vi.advanceTimersByTimeAsync(0);
    takes.calls[0]!.answer(batchOf());
    await vi.advanceTimersByTimeAsync(0);

    publisher.wake();
    await vi.advanceTimersByTimeAsync(COALESCE_WINDOW_MS - 1);
    expect(takes.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(takes.calls).toHaveLength(2);

    // Woken while the only pass allowed runs: the next one comes a window after it, not a poll.
    publisher.wake();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(takes.calls).toHaveLength(2);
    takes.calls[1]!.answer(batchOf());
    await vi.advanceTimersByTimeAsync(COALESCE_WINDOW_MS - 1);
    expect(takes.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(takes.calls).toHaveLength(3);
    takes.calls[2]!.answer(batchOf());
    await vi.advanceTimersByTimeAsync(0);

    // Nothing woke it since: the poll.
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS - 1);
    expect(takes.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(takes.calls).toHaveLength(4);
    takes.calls[3]!.answer(batchOf());

    // Shutting down: one final pass, then wakes start none.
    const stopped = publisher.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(0);
    takes.calls[4]!.answer(batchOf());
    await stopped;
    publisher.wake();
    await vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS);
    expect(takes.calls).toHaveLength(5);
  });
});
