// How a service publishes: events are written to the outbox in the same transaction as the
// state change (ADR 0002), carrying the trace context of the work that caused them, and the
// relay is woken right after the commit.
import { encodeEvent, Outbox, type EventToPublish, type OutboxRelay } from '@retail-mesh/messaging';
import { childTraceparent } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import type { DataSource, EntityManager } from 'typeorm';

/** An event to publish; `source` is the publishing service, filled in for you. */
export type OutgoingEvent<T> = Omit<EventToPublish<T>, 'source'>;

/**
 * An event to publish with its payload checked against its definition's message at compile time,
 * where a list of events of several types would otherwise take any payload.
 */
export function outgoingEvent<T>(event: Omit<OutgoingEvent<T>, 'payload'> & { payload: NoInfer<T> }): OutgoingEvent<T> {
  return event;
}

/** Writes events to the outbox inside the current transaction. */
export type PublishInTransaction = <T>(...events: OutgoingEvent<T>[]) => Promise<void>;

/** What a transaction's work gets: its EntityManager, `publish`, and `afterCommit`. */
export interface TransactionContext {
  manager: EntityManager;
  publish: PublishInTransaction;
  /** Runs `action` once the transaction has committed (never after a rollback): wake a worker, count an outcome. */
  afterCommit(action: () => void): void;
}

export class OutboxPublisher {
  constructor(
    private readonly service: string,
    private readonly dataSource: DataSource,
    private readonly relay: Pick<OutboxRelay, 'wake'>,
  ) {}

  /**
   * Runs `work` in one database transaction. Events it publishes are written to the outbox in
   * that transaction (so they exist exactly when the state change does) and the relay is woken
   * after the commit.
   */
  async transaction<T>(work: (context: TransactionContext) => Promise<T>): Promise<T> {
    const scope = this.transactionScope();
    const result = await withTransaction(this.dataSource, (manager) => work(scope.contextWith(manager)));
    scope.committed();
    return result;
  }

  /**
   * For a transaction the caller runs (the inbox's): `contextWith(manager)` gives the work its
   * context; call `committed()` after the commit: it wakes the relay when events were published
   * and runs the afterCommit actions.
   */
  transactionScope(): { contextWith: (manager: EntityManager) => TransactionContext; committed: () => void } {
    let published = false;
    const actions: Array<() => void> = [];
    return {
      contextWith: (manager) => ({
        manager,
        publish: async (...events) => {
          await this.add(manager, events);
          published ||= events.length > 0;
        },
        afterCommit: (action) => actions.push(action),
      }),
      committed: () => {
        if (published) this.wake();
        for (const action of actions) action();
      },
    };
  }

  /**
   * Writes events to the outbox with a transaction the caller already runs (the manager of
   * `withTransaction` or `Inbox.handleOnce`); call `wake()` after it commits.
   */
  async add(manager: EntityManager, events: OutgoingEvent<unknown>[]): Promise<void> {
    if (events.length === 0) return;
    const messages = events.map((event) =>
      encodeEvent({ ...event, source: this.service, traceparent: event.traceparent ?? childTraceparent() }),
    );
    await Outbox.add(manager, messages);
  }

  /** Publishes soon: call after a commit that added outbox messages. */
  wake(): void {
    this.relay.wake();
  }
}
