import { columnParameter, EntityColumns, SqlParameters, withTransaction } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { PoisonMessageError } from '../event-bus.js';
import { INBOX_TABLE, InboxMessage } from './inbox-message.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type InboxOutcome = 'processed' | 'duplicate';

// Keeps each statement well under both databases' bound-parameter limits.
const IDS_PER_STATEMENT = 500;

export const Inbox = {
  /**
   * Runs `effect` at most once per consumer and event id: the inbox row and the effect commit
   * in one transaction. A second delivery of the same event (a redelivery, a replica handling
   * it concurrently) finds the row and returns 'duplicate' without running
   * the effect. If the effect throws, nothing is recorded, so a retry runs it again. The effect
   * may add outbox messages with `Outbox.add(manager, ...)`; wake the relay after this resolves.
   */
  async handleOnce(
    dataSource: DataSource,
    consumer: string,
    eventId: string,
    effect: (manager: EntityManager) => Promise<void>,
  ): Promise<InboxOutcome> {
    // Never valid, so never worth a retry: straight to the dead-letter queue.
    if (!UUID.test(eventId)) throw new PoisonMessageError(`event id must be a uuid, got "${eventId}"`);
    return withTransaction<InboxOutcome>(dataSource, async (manager) => {
      const fresh = await Inbox.record(manager, consumer, [eventId]);
      if (fresh.size === 0) return 'duplicate';
      await effect(manager);
      return 'processed';
    });
  },

  /**
   * Records `eventIds` for `consumer` in the caller's transaction and returns the ids seen for the
   * first time: the caller applies the effect of those only. One multi-row
   * `INSERT … ON CONFLICT DO NOTHING RETURNING` per 500 ids: an id another transaction is
   * recording concurrently waits for it (PostgreSQL) and then counts as seen, so two consumers
   * can never both treat an event as new.
   */
  async record(manager: EntityManager, consumer: string, eventIds: readonly string[]): Promise<Set<string>> {
    const invalid = eventIds.find((eventId) => !UUID.test(eventId));
    if (invalid !== undefined) throw new PoisonMessageError(`event id must be a uuid, got "${invalid}"`);
    // PostgreSQL answers uuids in lower case: map them back to the ids as given.
    const byLowerCase = new Map(eventIds.map((eventId) => [eventId.toLowerCase(), eventId]));
    // Sorted: concurrent batches of one consumer take the unique index's locks in the same order.
    const unique = [...byLowerCase.keys()].sort();
    const processedAt = new Date();
    const columns = EntityColumns.of(manager.connection, InboxMessage, ['consumer', 'eventId', 'processedAt']);
    const fresh = new Set<string>();
    for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
      const chunk = unique.slice(start, start + IDS_PER_STATEMENT);
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((eventId) => [consumer, eventId, processedAt]),
      );
      const sql = `INSERT INTO ${INBOX_TABLE} (${columns.names}) ${source}
        ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`;
      const inserted: Array<{ event_id: string }> = await manager.query(sql, parameters.values);
      for (const row of inserted) fresh.add(byLowerCase.get(row.event_id.toLowerCase())!);
    }
    return fresh;
  },

  /**
   * Whether `consumer` has recorded `eventId`: for a consumer whose effect happens outside the
   * database (a call to an external system, made before its inbox row is recorded) and that skips
   * the call for an event already handled.
   */
  async seen(manager: EntityManager, consumer: string, eventId: string): Promise<boolean> {
    if (!UUID.test(eventId)) throw new PoisonMessageError(`event id must be a uuid, got "${eventId}"`);
    return manager.existsBy(InboxMessage, { consumer, eventId: eventId.toLowerCase() });
  },

  /**
   * Deletes inbox rows processed before `cutoff` (choose it well beyond the longest redelivery
   * delay) and returns how many went.
   */
  async purge(dataSource: DataSource, cutoff: Date): Promise<number> {
    const processedBefore = columnParameter(dataSource, InboxMessage, 'processedAt', cutoff);
    const result = await withTransaction(dataSource, (manager) =>
      manager.createQueryBuilder().delete().from(InboxMessage).where('processed_at < :processedBefore', { processedBefore }).execute(),
    );
    return result.affected ?? 0;
  },
};
