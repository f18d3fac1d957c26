import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { waitFor } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BusMessage, Delivery } from '../event-bus.js';
import { InProcessEventBus } from '../in-process/in-process-bus.js';
import { OUTBOX_MIGRATIONS } from './index.js';
import { Outbox } from './outbox.js';
import { collectDeliveries, InProcessBusFailingFirst, outboxTestMessage } from './outbox.fixture.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';

const QUEUE = 'outbox_test.all';
// Long enough that only a commit (or start-up) can explain a prompt publication.
const NO_POLLING_MS = 60_000;

function openDatabase(file = ':memory:'): Promise<DataSource> {
  return createDataSource({ type: 'sqlite', path: file, entities: [OutboxMessage], migrations: OUTBOX_MIGRATIONS });
}

describe('transactional outbox on SQLite with the in-process bus', () => {
  let directory: string;
  let dataSource: DataSource;
  let bus: InProcessEventBus;
  let received: Delivery[];
  const relays: OutboxRelay[] = [];

  function relay(options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
    const created = new OutboxRelay({ dataSource, bus, pollIntervalMs: NO_POLLING_MS, ...options });
    relays.push(created);
    return created;
  }

  async function commit(messages: BusMessage[], on = dataSource): Promise<BusMessage[]> {
    await withTransaction(on, (manager) => Outbox.add(manager, messages));
    return messages;
  }

  const rows = () => dataSource.getRepository(OutboxMessage).find({ order: { seq: 'ASC' } });

  beforeEach(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'rm-outbox-'));
    dataSource = await openDatabase(path.join(directory, 'service.sqlite'));
    await runMigrations(dataSource);
    bus = new InProcessEventBus();
    received = await collectDeliveries(bus, QUEUE);
  });

  afterEach(async () => {
    for (const each of relays.splice(0)) await each.stop();
    await bus.close();
    await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  it('refuses to add messages outside a transaction', async () => {
    await expect(Outbox.add(dataSource.manager, [outboxTestMessage('loose')])).rejects.toThrow(/transaction/);
    await expect(rows()).resolves.toEqual([]);
  });

  it('publishes committed rows in order, in batches, marks them, and never publishes a rolled-back row', async () => {
    const first = await commit(Array.from({ length: 150 }, (_, index) => outboxTestMessage(`first-${index}`)));
    const rolledBack = withTransaction(dataSource, async (manager) => {
      await Outbox.add(manager, [outboxTestMessage('rolled-back-1'), outboxTestMessage('rolled-back-2')]);
      throw new Error('business rule broken');
    });
    await expect(rolledBack).rejects.toThrow('business rule broken');
    const second = await commit(Array.from({ length: 100 }, (_, index) => outboxTestMessage(`second-${index}`)));
    const published: number[] = [];

    relay({ batchSize: 100, observer: { published: (count) => published.push(count) } }).start();

    const expected = [...first, ...second];
    await waitFor(() => received.length >= expected.length, { description: 'every committed message' });
    expect(received.map((delivery) => delivery.id)).toEqual(expected.map((message) => message.id));
    expect(received[0]).toMatchObject({ routingKey: first[0]!.routingKey, headers: first[0]!.headers });
    expect(received[0]!.body.equals(first[0]!.body)).toBe(true);
    expect(published).toEqual([100, 100, 50]);
    // Confirmed rows leave the outbox.
    await expect(rows()).resolves.toEqual([]);
  });

  it('publishes what a transaction committed as soon as it commits, without waiting for the sweep', async () => {
    const outbox = relay();
    const [early] = await commit([outboxTestMessage('early')]);
    outbox.start();
    await waitFor(() => received.length === 1, { description: 'the message committed before start' });

    // The start-up sweep has run, and the next one is a minute away: only the commit can explain this.
    const [late] = await commit([outboxTestMessage('late')]);
    await waitFor(() => received.length === 2, { timeoutMs: 4000, description: 'the committed message' });
    expect(received.map((delivery) => delivery.id)).toEqual([early!.id, late!.id]);
    await waitFor(async () => (await rows()).length === 0, { description: 'the published row deleted' });
  });

  it('leaves rows another process committed to it until they are stale, then sweeps them', async () => {
    const staleAfterMs = 300;
    const outbox = relay({ pollIntervalMs: 20, staleAfterMs });
    await commit([outboxTestMessage('before-start')]);
    outbox.start();
    await waitFor(() => received.length === 1, { description: 'the start-up sweep' });

    // A process that committed and died before publishing: its rows reach no relay from memory.
    const other = await openDatabase(dataSource.options.database as string);
    try {
      const committedAt = Date.now();
      const [orphan] = await commit([outboxTestMessage('orphan')], other);
      await waitFor(() => received.length === 2, { description: 'the swept row' });
      expect(received[1]!.id).toBe(orphan!.id);
      expect(Date.now() - committedAt).toBeGreaterThanOrEqual(staleAfterMs);
    } finally {
      await other.destroy();
    }
  });

  it('after a failed publish, publishes from the table what was committed meanwhile, then from memory again', async () => {
    const failures: unknown[] = [];
    await bus.close();
    bus = new InProcessBusFailingFirst(2);
    received = await collectDeliveries(bus, QUEUE);
    // No sweep for stale rows in the test's time: only the catch-up after the failure can publish them.
    const outbox = relay({ retryDelaysMs: [100], staleAfterMs: 60_000, observer: { failed: (error) => failures.push(error) } });
    outbox.start();

    const [first] = await commit([outboxTestMessage('failed-from-memory')]);
    await waitFor(() => failures.length === 1, { description: 'the failed publish from memory' });
    const [meanwhile] = await commit([outboxTestMessage('committed-while-failing')]);
    await waitFor(() => received.length === 2, { description: 'both messages after the retries' });
    expect(new Set(received.map((delivery) => delivery.id))).toEqual(new Set([first!.id, meanwhile!.id]));
    expect(failures).toHaveLength(2);

    const [after] = await commit([outboxTestMessage('after-recovery')]);
    await waitFor(() => received.length === 3, { timeoutMs: 4000, description: 'the message committed after recovery' });
    expect(received[2]!.id).toBe(after!.id);
    await waitFor(async () => (await rows()).length === 0, { description: 'every row deleted' });
  });

  it('publishes a row committed before a crash once a new process starts on the same file', async () => {
    const [survivor] = await commit([outboxTestMessage('survivor')]);
    const file = dataSource.options.database as string;
    // The crashed process: its relay never ran and its DataSource is abandoned, not closed.
    const restarted = await openDatabase(file);
    try {
      const outbox = new OutboxRelay({ dataSource: restarted, bus, pollIntervalMs: NO_POLLING_MS });
      relays.push(outbox);
      outbox.start();
      await waitFor(() => received.length === 1, { description: 'the surviving message' });
      expect(received[0]!.id).toBe(survivor!.id);
      await outbox.stop();
    } finally {
      await restarted.destroy();
    }
  });

  it('keeps the rows and retries after a delay when publishing fails', async () => {
    const failures: unknown[] = [];
    await bus.close();
    bus = new InProcessBusFailingFirst(2);
    received = await collectDeliveries(bus, QUEUE);
    const messages = await commit([outboxTestMessage('retried-1'), outboxTestMessage('retried-2')]);

    relay({ retryDelaysMs: [5, 10], observer: { failed: (error) => failures.push(error) } }).start();

    await waitFor(() => received.length === 2, { description: 'the retried messages' });
    expect(received.map((delivery) => delivery.id)).toEqual(messages.map((message) => message.id));
    expect(failures).toHaveLength(2);
    await expect(rows()).resolves.toEqual([]);
  });

  it('keeps the rows, counting the attempts, while publishing keeps failing', async () => {
    await bus.close();
    bus = new InProcessBusFailingFirst(Number.MAX_SAFE_INTEGER);
    received = await collectDeliveries(bus, QUEUE);
    const messages = await commit([outboxTestMessage('stuck-1'), outboxTestMessage('stuck-2')]);

    relay({ retryDelaysMs: [5] }).start();

    await waitFor(async () => (await rows()).every((row) => row.attempts >= 2), { description: 'two failed attempts recorded' });
    expect((await rows()).map((row) => row.id)).toEqual(messages.map((message) => message.id));
    expect(received).toEqual([]);
  });

  it('drains on stop(): rows committed before it are published first', async () => {
    const outbox = relay({ batchSize: 10 });
    await commit([outboxTestMessage('before-start')]);
    outbox.start();
    // Once this arrived, the relay has read the outbox and will next look in a minute.
    await waitFor(() => received.length === 1);
    const messages = await commit(Array.from({ length: 25 }, (_, index) => outboxTestMessage(`drained-${index}`)));

    await outbox.stop();

    expect((await outbox.backlog()).count).toBe(0);
    await waitFor(() => received.length === 26, { description: 'the drained messages' });
    expect(received.slice(1).map((delivery) => delivery.id)).toEqual(messages.map((message) => message.id));
  });

  it('reports the backlog: unpublished rows and the age of the oldest', async () => {
    const outbox = relay();
    expect(await outbox.backlog()).toEqual({ count: 0, oldestAgeSeconds: 0 });
    await commit([outboxTestMessage('waiting-1'), outboxTestMessage('waiting-2')]);
    const waiting = await outbox.backlog();
    expect(waiting.count).toBe(2);
    expect(waiting.oldestAgeSeconds).toBeGreaterThanOrEqual(0);

    outbox.start();
    await waitFor(async () => (await outbox.backlog()).count === 0, { description: 'an empty backlog' });
  });

  it('allows one running relay per DataSource', async () => {
    relay().start();
    expect(() => relay().start()).toThrow(/already running/);
  });

  it('refuses a DataSource without the outbox entity', async () => {
    const withoutOutbox = await createDataSource({ type: 'sqlite', path: ':memory:', entities: [], migrations: [] });
    try {
      expect(() => new OutboxRelay({ dataSource: withoutOutbox, bus })).toThrow(/OutboxMessage/);
    } finally {
      await withoutOutbox.destroy();
    }
  });
});
