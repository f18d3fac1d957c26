// Consumes inventory.availability_changed_batch.<channel> (what inventory publishes: one event
// per publishing pass and channel account, ADR 0008) and inventory.availability_changed.<channel>
// (single changes: replays, an inventory of an older version during a rolling upgrade) into the
// adapter's desired-state table, in batches of the events waiting at once. A redelivered event has
// no second effect because a row only takes a newer version (no inbox row is needed), and each
// upsert stands alone, so no transaction is held either (autocommit: a batch cut short leaves
// upserts its redelivery repeats harmlessly); the pushers are woken only after the upserts, so
// they never look before the rows are visible.
import { Events, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { PoisonMessageError } from '@retail-mesh/messaging';
import { onEventBatch, type EventConsumers, type ReceivedEvent, type TransactionContext } from '@retail-mesh/service-kit';
import type { EntityManager } from 'typeorm';
import { toDesiredAvailability, type ChannelIdentity } from './availability-changed.mapper.js';
import type { DesiredAvailability } from './desired-state.js';

/** The queue is `<service>.availability`. */
export const AVAILABILITY_CONSUMER_PURPOSE = 'availability';

/** Batch events per transaction: each carries a publishing pass's changes for one account (up to 500). */
const BATCH_EVENTS_PER_TRANSACTION = 4;

export interface DesiredAvailabilityConsumerDependencies {
  channel: ChannelIdentity;
  /** Most events per transaction; the prefetch is three times this (two batches in flight and one filling). */
  batchSize: number;
  /** DesiredStateStore: stores the newer versions and says which. */
  desired: {
    storeDesired(manager: EntityManager, wanted: readonly DesiredAvailability[], now: Date): Promise<DesiredAvailability[]>;
  };
  accounts: { has(channelAccountId: string): boolean };
  /** The account's push loop. */
  pusher: { wake(channelAccountId: string): void };
  /** Counts the versions not stored (older than or equal to what the row holds); ChannelAdapterMetrics. */
  metrics: { staleDropped(channelAccountId: string, count: number): void };
}

export class DesiredAvailabilityConsumer {
  constructor(private readonly deps: DesiredAvailabilityConsumerDependencies) {}

  register(consumers: EventConsumers): void {
    const { batchSize } = this.deps;
    const batching = {
      channels: [this.deps.channel.channel],
      maxBatchSize: batchSize,
      // Safe to overlap: a desired row only ever takes a newer version, and rows are locked in key order.
      maxBatchesInFlight: 2,
      // The same version makes a redelivery a no-op (nothing stored, no push woken): no inbox row needed.
      dedupe: 'versions',
      // Each upsert commits alone: no BEGIN and COMMIT round trips, no row lock held past its statement.
      autocommit: true,
    } as const;
    consumers.register({
      purpose: AVAILABILITY_CONSUMER_PURPOSE,
      prefetch: batchSize * 3,
      handlers: [
        onEventBatch(
          Events.inventory.availabilityChangedBatch,
          (events, context) =>
            this.handle(
              events.flatMap((event) => event.payload.changes.map((change) => ({ payload: change, envelope: event.envelope }))),
              context,
            ),
          { ...batching, maxBatchSize: BATCH_EVENTS_PER_TRANSACTION },
        ),
        onEventBatch(Events.inventory.availabilityChanged, (events, context) => this.handle(events, context), batching),
      ],
    });
  }

  /** Stores the changes of the events (a batch event's changes share its envelope). */
  private async handle(
    changes: Array<Pick<ReceivedEvent<inventoryEventsV1.AvailabilityChanged>, 'payload' | 'envelope'>>,
    context: TransactionContext,
  ): Promise<void> {
    const wanted: DesiredAvailability[] = changes.map(({ payload, envelope }) => {
      const check = toDesiredAvailability(this.deps.channel, payload, envelope.channelAccountId, (id) => this.deps.accounts.has(id));
      // The kit retries a failed batch event by event: only the event of this change goes to the DLQ.
      if (!check.ok) throw new PoisonMessageError(check.reason);
      return check.desired;
    });
    const stored = await this.deps.desired.storeDesired(context.manager, wanted, new Date());
    context.afterCommit(() => {
      const storedPerAccount = countPerAccount(stored);
      for (const accountId of storedPerAccount.keys()) this.deps.pusher.wake(accountId);
      for (const [accountId, count] of countPerAccount(wanted)) {
        this.deps.metrics.staleDropped(accountId, count - (storedPerAccount.get(accountId) ?? 0));
      }
    });
  }
}

function countPerAccount(items: readonly DesiredAvailability[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.channelAccountId, (counts.get(item.channelAccountId) ?? 0) + 1);
  return counts;
}
