import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { createTestSchema, createTestVhost, uniqueName, waitFor, type TestSchema, type TestVhost } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BusMessage, Delivery } from '../event-bus.js';
import { CreateInboxMessages1764201600001 } from '../inbox/migrations/1764201600001-create-inbox-messages.js';
import { InboxMessage } from '../inbox/inbox-message.entity.js';
import { RabbitMqEventBus } from '../rabbitmq/rabbitmq-bus.js';
import { OUTBOX_MIGRATIONS } from './index.js';
import { Outbox } from './outbox.js';
import { collectDeliveries, InProcessBusFailingFirst, outboxTestMessage } from './outbox.fixture.js';
import { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';

const run = promisify(execFile);
const NO_POLLING_MS = 60_000;

describe('transactional outbox on PostgreSQL with RabbitMQ', () => {
  let schema: TestSchema;
  let vhost: TestVhost;
  let bus: RabbitMqEventBus;
  let dataSource: DataSource;
  let received: Delivery[];
  const dataSources: DataSource[] = [];
  const relays: OutboxRelay[] = [];

  async function open(): Promise<DataSource> {
    const opened = await createDataSource({
      type: 'postgres',
      url: schema.url,
      schema: schema.name,
      entities: [OutboxMessage, InboxMessage],
      migrations: [...OUTBOX_MIGRATIONS, CreateInboxMessages1764201600001],
    });
    dataSources.push(opened);
    return opened;
  }

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

  beforeAll(async () => {
    schema = await createTestSchema('rm_outbox');
    vhost = await createTestVhost('rm_outbox');
    bus = await RabbitMqEventBus.connect({ url: vhost.url, connectionName: 'outbox-int-spec' });
    dataSource = await open();
  });

  afterAll(async () => {
    for (const each of dataSources) if (each.isInitialized) await each.destroy();
    await bus?.close();
    await schema?.remove();
    await vhost?.remove();
  });

  beforeEach(async () => {
    await runMigrations(dataSource);
    await dataSource.getRepository(OutboxMessage).clear();
    // A queue per test: messages of earlier tests never reach it.
    received = await collectDeliveries(bus, uniqueName('outbox_test'));
  });

  afterEach(async () => {
    for (const each of relays.splice(0)) await each.stop();
  });

  it('creates the outbox and inbox tables in the service schema; running the migrations again is a no-op', async () => {
    const tables: Array<{ table_name: string }> = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema.name],
    );
    expect(tables.map((table) => table.table_name)).toEqual(['inbox_messages', OUTBOX_TABLE, 'schema_migrations']);
    expect(await runMigrations(dataSource)).toEqual([]);
  });

  it('publishes committed rows in order with one batch in flight, then deletes them; a rolled-back row never goes out', async () => {
    const first = await commit(Array.from({ length: 120 }, (_, index) => outboxTestMessage(`first-${index}`)));
    const rolledBack = withTransaction(dataSource, async (manager) => {
      await Outbox.add(manager, [outboxTestMessage('rolled-back')]);
      throw new Error('business rule broken');
    });
    await expect(rolledBack).rejects.toThrow('business rule broken');
    const second = await commit(Array.from({ length: 80 }, (_, index) => outboxTestMessage(`second-${index}`)));

    const outbox = relay({ batchSize: 50, batchesInFlight: 1 });
    outbox.start();

    const expected = [...first, ...second];
    await waitFor(() => received.length >= expected.length, { description: 'every committed message' });
    expect(received.map((delivery) => delivery.id)).toEqual(expected.map((message) => message.id));
    expect(received[0]!.body.equals(first[0]!.body)).toBe(true);
    expect(received[0]!.headers).toMatchObject(first[0]!.headers);
    // Confirmed rows leave the outbox.
    await expect(rows()).resolves.toEqual([]);
    expect(await outbox.backlog()).toEqual({ count: 0, oldestAgeSeconds: 0 });
  });

  it('publishes what a transaction committed as soon as it commits, without waiting for the sweep', async () => {
    const outbox = relay();
    await commit([outboxTestMessage('early')]);
    outbox.start();
    await waitFor(() => received.length === 1, { description: 'the message committed before start' });

    const [late] = await commit([outboxTestMessage('late')]);
    await waitFor(() => received.length === 2, { timeoutMs: 10_000, description: 'the committed message' });
    expect(received[1]!.id).toBe(late!.id);
    await waitFor(async () => (await rows()).length === 0, { description: 'the published row deleted' });
  });

  it('lets replicas sweep while one publishes its commits: each is published once, by the one that committed it', async () => {
    const replicas = [dataSource, await open(), await open()];
    const publishedBy = replicas.map(() => 0);
    for (const [index, replicaDataSource] of replicas.entries()) {
      const created = new OutboxRelay({
        dataSource: replicaDataSource,
        bus,
        pollIntervalMs: 10,
        observer: { published: (count) => (publishedBy[index]! += count) },
      });
      relays.push(created);
      created.start();
    }
    const messages: BusMessage[] = [];
    for (let transaction = 0; transaction < 30; transaction += 1) {
      messages.push(...(await commit(Array.from({ length: 10 }, (_, index) => outboxTestMessage(`committed-${transaction}-${index}`)))));
    }

    await waitFor(() => received.length >= messages.length, { description: 'every message' });
    await waitFor(async () => (await rows()).length === 0, { description: 'every row deleted' });
    expect(received).toHaveLength(messages.length);
    expect(new Set(received.map((delivery) => delivery.id))).toEqual(new Set(messages.map((message) => message.id)));
    expect(publishedBy).toEqual([messages.length, 0, 0]);
  });

  it('sweeps a row whose writer never published it once it is stale', async () => {
    const staleAfterMs = 300;
    const outbox = relay({ pollIntervalMs: 20, staleAfterMs });
    outbox.start();
    // A process that committed and died before publishing: no relay runs on its DataSource.
    const crashed = await open();
    const committedAt = Date.now();
    const [orphan] = await commit([outboxTestMessage('orphan')], crashed);

    await waitFor(() => received.length === 1, { description: 'the swept row' });
    expect(received[0]!.id).toBe(orphan!.id);
    expect(Date.now() - committedAt).toBeGreaterThanOrEqual(staleAfterMs);
    await waitFor(async () => (await rows()).length === 0, { description: 'the swept row deleted' });
  });

  it('publishes each message once with several batches in flight (the default)', async () => {
    const messages = await commit(Array.from({ length: 400 }, (_, index) => outboxTestMessage(`parallel-${index}`)));
    const batches: number[] = [];
    relay({ batchSize: 20, batchesInFlight: 3, observer: { published: (count) => batches.push(count) } }).start();

    await waitFor(() => received.length >= messages.length, { description: 'every message' });
    expect(new Set(received.map((delivery) => delivery.id))).toEqual(new Set(messages.map((message) => message.id)));
    expect(received).toHaveLength(messages.length);
    expect(batches.reduce((sum, count) => sum + count, 0)).toBe(messages.length);
    await expect(rows()).resolves.toEqual([]);
  });

  it('lets replicas relay the same outbox: each message is published once', async () => {
    const messages = await commit(Array.from({ length: 600 }, (_, index) => outboxTestMessage(`replicated-${index}`)));
    const replicas = [dataSource, await open(), await open()];
    const publishedBy = replicas.map(() => 0);
    const replicaRelays = replicas.map((replicaDataSource, index) => {
      const created = new OutboxRelay({
        dataSource: replicaDataSource,
        bus,
        batchSize: 25,
        pollIntervalMs: NO_POLLING_MS,
        observer: { published: (count) => (publishedBy[index]! += count) },
      });
      relays.push(created);
      return created;
    });
    for (const each of replicaRelays) each.start();

    await waitFor(() => received.length >= messages.length, { description: 'every message' });
    await waitFor(async () => (await replicaRelays[0]!.backlog()).count === 0);
    expect(new Set(received.map((delivery) => delivery.id)).size).toBe(messages.length);
    expect(received).toHaveLength(messages.length);
    expect(publishedBy.reduce((sum, count) => sum + count, 0)).toBe(messages.length);
    await expect(rows()).resolves.toEqual([]);
  });

  it('keeps publishing after the broker connection is cut', async () => {
    const outbox = relay({ retryDelaysMs: [50, 200] });
    outbox.start();
    const before = await commit([outboxTestMessage('before-cut')]);
    await waitFor(() => received.length === 1);

    await run('rabbitmqctl', ['-q', 'close_all_connections', '--vhost', vhost.name, 'outbox int-spec: connection cut']);
    const after = await commit(Array.from({ length: 50 }, (_, index) => outboxTestMessage(`after-cut-${index}`)));

    await waitFor(async () => (await outbox.backlog()).count === 0, { description: 'the outbox to empty' });
    const expected = [...before, ...after].map((message) => message.id);
    await waitFor(() => expected.every((id) => received.some((delivery) => delivery.id === id)), { description: 'every message' });
  });

  it('keeps the rows and retries after publishing fails', async () => {
    const failingBus = new InProcessBusFailingFirst(2);
    const failedReceived = await collectDeliveries(failingBus, 'outbox_test.failing');
    const failures: unknown[] = [];
    try {
      const messages = await commit([outboxTestMessage('retried-1'), outboxTestMessage('retried-2')]);
      relay({ bus: failingBus, retryDelaysMs: [5, 10], observer: { failed: (error) => failures.push(error) } }).start();

      await waitFor(() => failedReceived.length === 2, { description: 'the retried messages' });
      expect(failedReceived.map((delivery) => delivery.id)).toEqual(messages.map((message) => message.id));
      // A failure is reported once its attempt is recorded on the rows, which may come after another
      // lane's retry went through.
      await waitFor(() => failures.length >= 2, { description: 'both failed attempts reported' });
      await waitFor(async () => (await rows()).length === 0, { description: 'the published rows deleted' });
      expect(failures).toHaveLength(2);
    } finally {
      for (const each of relays.splice(0)) await each.stop();
      await failingBus.close();
    }
  });
});
