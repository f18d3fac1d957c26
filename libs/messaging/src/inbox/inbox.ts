import { columnParameter, isUniqueViolation, withTransaction } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import { PoisonMessageError } from '../event-bus.js';
import { InboxMessage } from './inbox-message.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type InboxOutcome = 'processed' | 'duplicate';

/** Thrown inside the transaction to roll it back when the event was already processed. */
class AlreadyProcessed extends Error {}

export const Inbox = {
  /**
   * Runs `effect` at most once per consumer and event id: the inbox row and the effect commit
   * in one transaction. A second delivery of the same event (a redelivery, a replica handling
   * it concurrently) finds the row (unique violation) and returns 'duplicate' without running
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
    try {
      return await withTransaction<InboxOutcome>(dataSource, async (manager) => {
        try {
          await manager.insert(InboxMessage, { consumer, eventId, processedAt: new Date() });
        } catch (error) {
          if (isUniqueViolation(error)) throw new AlreadyProcessed();
          throw error;
        }
        await effect(manager);
        return 'processed';
      });
    } catch (error) {
      if (error instanceof AlreadyProcessed) return 'duplicate';
      throw error;
    }
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
