import { columnParameter, Placeholders } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import type { BusMessage } from '../event-bus.js';
import { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';

// Five parameters a row: keeps each INSERT well under both databases' bound-parameter limits.
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
    // Written by hand, values in order: TypeORM's insert builder costs more than the database does here.
    const createdAt = columnParameter(manager.connection, OutboxMessage, 'createdAt', new Date());
    for (let start = 0; start < messages.length; start += ROWS_PER_INSERT) {
      const placeholders = Placeholders.for(manager.connection);
      const rows: string[] = [];
      const values: unknown[] = [];
      for (const message of messages.slice(start, start + ROWS_PER_INSERT)) {
        rows.push(placeholders.row(5));
        values.push(message.id, message.routingKey, message.body, JSON.stringify(message.headers), createdAt);
      }
      await manager.query(`INSERT INTO ${OUTBOX_TABLE} (id, routing_key, body, headers, created_at) VALUES ${rows.join(', ')}`, values);
    }
  },
};
