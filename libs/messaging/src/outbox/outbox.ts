import { afterCommit, EntityColumns, inChunks, returnedRows, SqlParameters } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import type { BusMessage } from '../event-bus.js';
import { OUTBOX_TABLE, OutboxMessage } from './outbox-message.entity.js';
import { publishCommitted, type OutboxEntry } from './outbox-relay.js';

// Five parameters a row: keeps each INSERT well under both databases' bound-parameter limits.
const ROWS_PER_INSERT = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const Outbox = {
  /**
   * Writes messages to the outbox inside the caller's business transaction (the manager that
   * `withTransaction` passes). They are published only if that transaction commits: right after
   * the commit, by the relay running on the same DataSource (from memory, no read of the rows);
   * rows no relay took that way (a crash, a failed publish, no relay running) by its sweep.
   */
  async add(manager: EntityManager, messages: BusMessage[]): Promise<void> {
    if (manager.queryRunner?.isTransactionActive !== true) {
      throw new Error('Outbox.add needs the EntityManager of the business transaction (withTransaction)');
    }
    for (const message of messages) {
      // PostgreSQL would reject it in the uuid column; SQLite would not: fail the same on both.
      if (!UUID.test(message.id)) throw new Error(`outbox message id must be a uuid, got "${message.id}"`);
    }
    if (messages.length === 0) return;
    // Written by hand, values in order: TypeORM's insert builder costs more than the database does here.
    const columns = EntityColumns.of(manager.connection, OutboxMessage, ['id', 'routingKey', 'body', 'headers', 'createdAt']);
    const createdAt = new Date();
    const seqs = new Map<string, number>();
    await inChunks(messages, ROWS_PER_INSERT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((message) => [message.id, message.routingKey, message.body, message.headers, createdAt]),
      );
      const inserted = await returnedRows<{ seq: string | number; id: string }>(
        manager,
        `INSERT INTO ${OUTBOX_TABLE} (${columns.names}) ${source} RETURNING seq, id`,
        parameters.values,
      );
      for (const row of inserted) seqs.set(row.id.toLowerCase(), Number(row.seq));
    });
    const entries: OutboxEntry[] = messages.map((message) => ({ seq: seqs.get(message.id.toLowerCase())!, message }));
    afterCommit(manager, () => publishCommitted(manager.connection, entries));
  },
};
