// How a service publishes: events are written to the outbox in the same transaction as the
// state change (ADR 0002), carrying the trace context of the work that caused them; the relay
// publishes them right after the commit (ADR 0012).
import { encodeEvent, Outbox, type EventToPublish } from '@retail-mesh/messaging';
import { childTraceparent } from '@retail-mesh/observability';
import { afterCommit, withTransaction } from '@retail-mesh/persistence';
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
  ) {}

  /**
   * Runs `work` in one database transaction. Events it publishes are written to the outbox in
   * that transaction (so they exist exactly when the state change does) and go out once it commits.
   */
  transaction<T>(work: (context: TransactionContext) => Promise<T>): Promise<T> {
    return withTransaction(this.dataSource, (manager) => work(this.context(manager)));
  }

  /** The context of a transaction the caller runs (the inbox's): its manager, `publish` and `afterCommit`. */
  context(manager: EntityManager): TransactionContext {
    return {
      manager,
      publish: (...events) => this.add(manager, events),
      afterCommit: (action) => afterCommit(manager, action),
    };
  }

  /**
   * Writes events to the outbox with a transaction the caller already runs (the manager of
   * `withTransaction` or `Inbox.handleOnce`); they are published once it commits.
   */
  async add(manager: EntityManager, events: OutgoingEvent<unknown>[]): Promise<void> {
    if (events.length === 0) return;
    const messages = events.map((event) =>
      encodeEvent({ ...event, source: this.service, traceparent: event.traceparent ?? childTraceparent() }),
    );
    await Outbox.add(manager, messages);
  }
}
