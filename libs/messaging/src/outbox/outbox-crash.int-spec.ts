// An outbox row committed by a process that is then killed (SIGKILL: no stop(), no cleanup) is
// published by the next process that starts on the same database: on SQLite with the
// in-process bus (embedded mode) and on PostgreSQL with RabbitMQ (distributed mode).
// The child runs the built libraries: `npm test` builds first; alone, run
// `node scripts/build.mjs libs/persistence libs/messaging` before this file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDataSource, type DatabaseConnectionOptions } from '@retail-mesh/persistence';
import { createTestSchema, createTestVhost, waitFor, type TestSchema, type TestVhost } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusMessage, EventBus } from '../event-bus.js';
import { InProcessEventBus } from '../in-process/in-process-bus.js';
import { RabbitMqEventBus } from '../rabbitmq/rabbitmq-bus.js';
import { OUTBOX_MIGRATIONS } from './index.js';
import { collectDeliveries, outboxTestMessage } from './outbox.fixture.js';
import { OutboxMessage } from './outbox-message.entity.js';
import { OutboxRelay } from './outbox-relay.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'outbox-crash.child.mjs');
const BUILT = [path.join(here, '../../dist/outbox/index.js'), path.join(here, '../../../persistence/dist/index.js')];

/** Runs the child until it has committed `messages`, then kills it with SIGKILL. */
async function commitThenCrash(database: DatabaseConnectionOptions, messages: BusMessage[]): Promise<void> {
  const argument = JSON.stringify({
    database,
    messages: messages.map((message) => ({ ...message, body: message.body.toString('base64') })),
  });
  const child = spawn(process.execPath, [CHILD, argument], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the child exited early: ${output}`);
      return output.includes('committed');
    },
    { description: 'the child to commit' },
  );
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

async function publishAfterRestart(database: DatabaseConnectionOptions, bus: EventBus, expected: BusMessage[]): Promise<void> {
  const received = await collectDeliveries(bus, 'outbox_test.after_crash');
  const dataSource = await createDataSource({
    ...database,
    entities: [OutboxMessage],
    migrations: OUTBOX_MIGRATIONS,
  });
  const relay = new OutboxRelay({ dataSource, bus, pollIntervalMs: 60_000 });
  try {
    relay.start();
    await waitFor(() => received.length >= expected.length, { description: 'the messages committed before the crash' });
    expect(received.map((delivery) => delivery.id)).toEqual(expected.map((message) => message.id));
    expect((await relay.backlog()).count).toBe(0);
  } finally {
    await relay.stop();
    await dataSource.destroy();
  }
}

describe('outbox across a crash (child process killed after commit)', () => {
  beforeAll(() => {
    const missing = BUILT.filter((file) => !existsSync(file));
    if (missing.length > 0)
      throw new Error(`build first (node scripts/build.mjs libs/persistence libs/messaging): missing ${missing.join(', ')}`);
  });

  describe('SQLite file and the in-process bus', () => {
    let directory: string;

    beforeAll(() => {
      directory = mkdtempSync(path.join(tmpdir(), 'rm-outbox-crash-'));
    });

    afterAll(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    it('publishes after restart what the killed process committed', async () => {
      const database: DatabaseConnectionOptions = { type: 'sqlite', path: path.join(directory, 'service.sqlite') };
      const messages = [outboxTestMessage('sqlite-crash-1'), outboxTestMessage('sqlite-crash-2')];
      await commitThenCrash(database, messages);
      const bus = new InProcessEventBus();
      try {
        await publishAfterRestart(database, bus, messages);
      } finally {
        await bus.close();
      }
    });
  });

  describe('PostgreSQL and RabbitMQ', () => {
    let schema: TestSchema;
    let vhost: TestVhost;

    beforeAll(async () => {
      schema = await createTestSchema('rm_outbox_crash');
      vhost = await createTestVhost('rm_outbox_crash');
    });

    afterAll(async () => {
      await schema?.remove();
      await vhost?.remove();
    });

    it('publishes after restart what the killed process committed', async () => {
      const database: DatabaseConnectionOptions = { type: 'postgres', url: schema.url, schema: schema.name };
      const messages = [outboxTestMessage('pg-crash-1'), outboxTestMessage('pg-crash-2')];
      await commitThenCrash(database, messages);
      const bus = await RabbitMqEventBus.connect({ url: vhost.url, connectionName: 'outbox-crash-int-spec' });
      try {
        await publishAfterRestart(database, bus, messages);
      } finally {
        await bus.close();
      }
    });
  });
});
