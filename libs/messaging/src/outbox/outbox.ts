import type { EntityManager } from 'typeorm';
import type { BusMessage } from '../event-bus.js';
import { OutboxMessage } from './outbox-message.entity.js';

// Keeps each INSERT well under both databases' bound-parameter limits.
const ROWS_PER_INSERT = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const Outbox = {
  /**
   * Writes messages to the outbox inside the caller's business transaction (the manager that
   * `withTransaction` passes). They are published only if that transaction commits; call
   * `relay.wake()` after the commit so they go out at once.
   */
  async add(manager: EntityManager, messages: BusMessage[]): Promise<void> {
    if (manager.queryRunner?.isTransactionActive !== true) {
      throw new Error('Outbox.add needs the EntityManager of the business transaction (withTransaction)');
    }
    for (const message of messages) {
      // PostgreSQL would reject it in the uuid column; SQLite would not: fail the same on both.
      if (!UUID.test(message.id)) throw new Error(`outbox message id must be a uuid, got "${message.id}"`);
    }
    const createdAt = new Date();
    for (let start = 0; start < messages.length; start += ROWS_PER_INSERT) {
      const rows = messages.slice(start, start + ROWS_PER_INSERT).map((message) => ({
        id: message.id,
        routingKey: message.routingKey,
        body: message.body,
        headers: message.headers,
        createdAt,
        publishedAt: null,
        attempts: 0,
      }));
      await manager.createQueryBuilder().insert().into(OutboxMessage).values(rows).updateEntity(false).execute();
    }
  },
};
