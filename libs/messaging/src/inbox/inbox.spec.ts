import { randomUUID } from 'node:crypto';
import { createDataSource, runMigrations } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PoisonMessageError } from '../event-bus.js';
import { OUTBOX_MIGRATIONS } from '../outbox/index.js';
import { Outbox } from '../outbox/outbox.js';
import { outboxTestMessage } from '../outbox/outbox.fixture.js';
import { OutboxMessage } from '../outbox/outbox-message.entity.js';
import { Inbox } from './inbox.js';
import { InboxMessage } from './inbox-message.entity.js';
import { CreateInboxMessages1764201600001 } from './migrations/1764201600001-create-inbox-messages.js';

const CONSUMER = 'inventory.erp_stock';
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('inbox on SQLite', () => {
  let dataSource: DataSource;
  let effects: string[];

  // The effect of handling an event: a business write (here an outbox message) in the same transaction.
  const effect = (label: string) => async (manager: EntityManager) => {
    await Outbox.add(manager, [outboxTestMessage(label)]);
    await yieldToOthers();
    effects.push(label);
  };
  const outboxLabels = async () =>
    (await dataSource.getRepository(OutboxMessage).find({ order: { seq: 'ASC' } })).map((row) => row.headers['x-label']);

  beforeEach(async () => {
    dataSource = await createDataSource({
      type: 'sqlite',
      path: ':memory:',
      entities: [InboxMessage, OutboxMessage],
      migrations: [CreateInboxMessages1764201600001, ...OUTBOX_MIGRATIONS],
    });
    await runMigrations(dataSource);
    effects = [];
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  it('runs the effect once for the same event id; the second delivery is a duplicate', async () => {
    const eventId = randomUUID();
    expect(await Inbox.handleOnce(dataSource, CONSUMER, eventId, effect('first'))).toBe('processed');
    expect(await Inbox.handleOnce(dataSource, CONSUMER, eventId, effect('second'))).toBe('duplicate');
    expect(effects).toEqual(['first']);
    expect(await outboxLabels()).toEqual(['first']);
  });

  it('runs the effect once when the same event is handled concurrently', async () => {
    const eventId = randomUUID();
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, index) => Inbox.handleOnce(dataSource, CONSUMER, eventId, effect(`attempt-${index}`))),
    );
    expect(outcomes.filter((outcome) => outcome === 'processed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(4);
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
    expect(await dataSource.getRepository(InboxMessage).count()).toBe(0);
    expect(await outboxLabels()).toEqual([]);

    expect(await Inbox.handleOnce(dataSource, CONSUMER, eventId, effect('retry'))).toBe('processed');
    expect(await outboxLabels()).toEqual(['retry']);
  });

  it('keeps consumers apart: each processes the same event once', async () => {
    const eventId = randomUUID();
    expect(await Inbox.handleOnce(dataSource, 'inventory.erp_stock', eventId, effect('inventory'))).toBe('processed');
    expect(await Inbox.handleOnce(dataSource, 'orders.erp_stock', eventId, effect('orders'))).toBe('processed');
    expect(effects).toEqual(['inventory', 'orders']);
  });

  it('treats an event id that is not a uuid as a poison message', async () => {
    await expect(Inbox.handleOnce(dataSource, CONSUMER, 'not-a-uuid', effect('never'))).rejects.toBeInstanceOf(PoisonMessageError);
    expect(effects).toEqual([]);
  });

  it('purges rows processed before a cutoff', async () => {
    await Inbox.handleOnce(dataSource, CONSUMER, randomUUID(), effect('old'));
    expect(await Inbox.purge(dataSource, new Date(Date.now() - 60 * 60 * 1000))).toBe(0);
    expect(await Inbox.purge(dataSource, new Date(Date.now() + 60 * 60 * 1000))).toBe(1);
    expect(await dataSource.getRepository(InboxMessage).count()).toBe(0);
  });
});
