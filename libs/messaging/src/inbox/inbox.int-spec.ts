import { randomUUID } from 'node:crypto';
import { createDataSource, runMigrations } from '@retail-mesh/persistence';
import { createTestSchema, waitFor, type TestSchema } from '@retail-mesh/testing';
import type { DataSource, EntityManager } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OUTBOX_MIGRATIONS } from '../outbox/index.js';
import { Outbox } from '../outbox/outbox.js';
import { outboxTestMessage } from '../outbox/outbox.fixture.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { Inbox, type InboxOutcome } from './inbox.js';
import { InboxMessage } from './inbox-message.entity.js';
import { CreateInboxMessages1764201600001 } from './migrations/1764201600001-create-inbox-messages.js';

const CONSUMER = 'orders.channel_orders';

describe('inbox on PostgreSQL', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  let effects: string[];

  const effect = (label: string) => async (manager: EntityManager) => {
    await Outbox.add(manager, [outboxTestMessage(label)]);
    effects.push(label);
  };
  const outboxLabels = async () =>
    (await dataSource.getRepository(OutboxMessage).find({ order: { seq: 'ASC' } })).map((row) => row.headers['x-label']);

  /** Sessions of this file blocked on a row lock while inserting into the inbox. */
  async function blockedInboxInserts(): Promise<number> {
    const rows: Array<{ blocked: string }> = await dataSource.query(
      `SELECT count(*) AS blocked FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [`INSERT INTO inbox_messages%`],
    );
    return Number(rows[0]!.blocked);
  }

  /** Starts handling in `first`, holds its transaction open until `others` are blocked behind it. */
  async function handleConcurrently(
    eventId: string,
    first: (manager: EntityManager) => Promise<void>,
    others: number,
  ): Promise<InboxOutcome[]> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const firstOutcome = Inbox.handleOnce(dataSource, CONSUMER, eventId, async (manager) => {
      started();
      await released;
      await first(manager);
    });
    await firstStarted;
    const otherOutcomes = Array.from({ length: others }, (_, index) =>
      Inbox.handleOnce(dataSource, CONSUMER, eventId, effect(`other-${index}`)),
    );
    await waitFor(async () => (await blockedInboxInserts()) === others, { description: 'the concurrent handlers to block' });
    release();
    const settled = await Promise.allSettled([firstOutcome, ...otherOutcomes]);
    return settled.map((outcome) =>
      outcome.status === 'fulfilled' ? outcome.value : (`failed: ${String(outcome.reason)}` as InboxOutcome),
    );
  }

  beforeAll(async () => {
    schema = await createTestSchema('rm_inbox');
    dataSource = await createDataSource({
      type: 'postgres',
      url: schema.url,
      schema: schema.name,
      entities: [InboxMessage, OutboxMessage],
      migrations: [CreateInboxMessages1764201600001, ...OUTBOX_MIGRATIONS],
    });
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await schema?.remove();
  });

  beforeEach(async () => {
    effects = [];
    await dataSource.getRepository(OutboxMessage).clear();
  });

  it('runs the effect once for the same event id; the second delivery is a duplicate', async () => {
    const eventId = randomUUID();
    expect(await Inbox.handleOnce(dataSource, CONSUMER, eventId, effect('first'))).toBe('processed');
    expect(await Inbox.handleOnce(dataSource, CONSUMER, eventId, effect('second'))).toBe('duplicate');
    expect(effects).toEqual(['first']);
    expect(await outboxLabels()).toEqual(['first']);
  });

  it('runs the effect once when replicas handle the same event at the same time', async () => {
    const outcomes = await handleConcurrently(randomUUID(), effect('first'), 4);
    expect(outcomes).toEqual(['processed', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(effects).toEqual(['first']);
    expect(await outboxLabels()).toEqual(['first']);
  });

  it('lets a concurrent handler take over when the first one fails', async () => {
    const outcomes = await handleConcurrently(
      randomUUID(),
      async () => {
        throw new Error('first handler fails');
      },
      3,
    );
    expect(outcomes[0]).toMatch(/first handler fails/);
    expect(outcomes.slice(1).sort()).toEqual(['duplicate', 'duplicate', 'processed']);
    expect(effects).toHaveLength(1);
    expect(await outboxLabels()).toEqual(effects);
  });

  it('records nothing when the effect fails, so a retry runs it', async () => {
    const eventId = randomUUID();
    const failing = Inbox.handleOnce(dataSource, CONSUMER, eventId, async (manager) => {
      await effect('failed-attempt')(manager);
      throw new Error('downstream unavailable');
    });
    await expect(failing).rejects.toThrow('downstream unavailable');
    expect(await dataSource.getRepository(InboxMessage).countBy({ eventId })).toBe(0);
    expect(await outboxLabels()).toEqual([]);

    expect(await Inbox.handleOnce(dataSource, CONSUMER, eventId, effect('retry'))).toBe('processed');
    expect(await outboxLabels()).toEqual(['retry']);
  });

  it('tells whether a consumer has recorded an event, whatever the case of its id', async () => {
    const eventId = randomUUID();
    expect(await Inbox.seen(dataSource.manager, CONSUMER, eventId)).toBe(false);
    await Inbox.record(dataSource.manager, CONSUMER, [eventId.toUpperCase()]);
    expect(await Inbox.seen(dataSource.manager, CONSUMER, eventId)).toBe(true);
    expect(await Inbox.seen(dataSource.manager, 'another.consumer', eventId)).toBe(false);
    await expect(Inbox.seen(dataSource.manager, CONSUMER, 'not-a-uuid')).rejects.toThrow(/must be a uuid/);
  });

  it('purges rows processed before a cutoff', async () => {
    const eventId = randomUUID();
    await Inbox.handleOnce(dataSource, 'operations.purge_test', eventId, effect('old'));
    expect(await Inbox.purge(dataSource, new Date(Date.now() - 60 * 60 * 1000))).toBe(0);
    expect(await Inbox.purge(dataSource, new Date(Date.now() + 60 * 60 * 1000))).toBeGreaterThanOrEqual(1);
    expect(await dataSource.getRepository(InboxMessage).countBy({ eventId })).toBe(0);
  });
});
