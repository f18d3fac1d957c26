// How a service consumes events. It registers a consumer (a queue `<service>.<purpose>` and a
// handler per event type) while its module initialises; the kit starts consuming once the
// service is up and drains the consumers on shutdown. Each delivery runs in the trace context
// of the event, is counted and timed (retail_mesh_consumer_*), and by default runs through the
// inbox: the handler's database effect, the inbox row and any events it publishes commit in one
// transaction, so a redelivered event has no second effect. A batch handler takes the deliveries
// waiting at once (up to its batch size) in one such transaction: one commit for many events.
import { commonV1, type EventDefinition } from '@retail-mesh/contracts';
import {
  decodeEvent,
  Inbox,
  PoisonMessageError,
  traceparentOf,
  type Consumer,
  type ConsumerOptions,
  type Delivery,
  type EventBus,
} from '@retail-mesh/messaging';
import { runWithTraceparent, type BusMetricsObserver, type Logger, type ServiceMetrics } from '@retail-mesh/observability';
import { GroupCommit, withAutocommit, withTransaction } from '@retail-mesh/persistence';
import type { DataSource } from 'typeorm';
import type { OutboxPublisher, TransactionContext } from './outbox-publisher.js';

export interface ReceivedEvent<T> {
  payload: T;
  envelope: commonV1.EventEnvelope;
  /** When the fact happened (envelope time). */
  time: Date;
  /** The channel slug of a channel-scoped event (the routing key's last word); undefined otherwise. */
  channel: string | undefined;
  delivery: Delivery;
}

/** inbox: one event per inbox transaction; batch: many per inbox transaction; outside: no transaction. */
export type HandlerMode = 'inbox' | 'batch' | 'outside';

/**
 * inbox: each event id is recorded in the transaction, a repeated one is skipped. versions: no
 * inbox row; the handler's effects are upserts that ignore a version not newer than the stored
 * one, so a redelivered event changes nothing by itself (and costs no insert per event).
 */
export type Dedupe = 'inbox' | 'versions';

export interface EventHandler<T = unknown> {
  readonly definition: EventDefinition<T>;
  readonly bindings: readonly string[];
  readonly mode: HandlerMode;
  /** Most events handed over at once (1 unless the mode is batch). */
  readonly maxBatchSize: number;
  /** Batch mode: most batches handled at the same time (1: one after the other). */
  readonly maxBatchesInFlight: number;
  /** How a redelivery is recognised in a transaction: the inbox, or the handler's own per-key versions. */
  readonly dedupe: Dedupe;
  /** Batch mode with dedupe 'versions': each statement commits alone, no transaction is held (see BatchHandlerOptions). */
  readonly autocommit?: boolean;
  /** Gets one event, or up to maxBatchSize in batch mode; `context` is undefined outside a transaction. */
  handle(events: ReceivedEvent<T>[], context: TransactionContext | undefined): Promise<void>;
}

export interface HandlerOptions {
  /** For a channel-scoped event: the channel slugs to bind (default: every channel). */
  channels?: readonly string[];
}

function bindingsFor(definition: EventDefinition<unknown>, options: HandlerOptions): string[] {
  if (!definition.channelScoped || !options.channels) return [definition.binding];
  return options.channels.map((channel) => `${definition.routingKey}.${channel}`);
}

/**
 * Handles `definition` events inside the inbox transaction: use `context.manager` for every
 * write and `context.publish` for follow-up events. Throw PoisonMessageError for an event that
 * can never succeed (straight to the DLQ); any other error is retried.
 */
export function onEvent<T>(
  definition: EventDefinition<T>,
  handle: (event: ReceivedEvent<T>, context: TransactionContext) => Promise<void>,
  options: HandlerOptions = {},
): EventHandler<T> {
  return {
    definition,
    bindings: bindingsFor(definition, options),
    mode: 'inbox',
    maxBatchSize: 1,
    maxBatchesInFlight: 1,
    dedupe: 'inbox',
    handle: ([event], context) => handle(event!, context!),
  };
}

export interface BatchHandlerOptions extends HandlerOptions {
  /** Most events per transaction (default 100). Keep the consumer's prefetch at twice this or more. */
  maxBatchSize?: number;
  /**
   * Batches handled at the same time (default 1). With 2, the next batch starts while the previous
   * one commits: only for handlers whose effects commute (a newer per-key version wins whichever
   * batch commits first) and that take their rows' locks in a consistent order. Keep the prefetch
   * at this many batch sizes, plus one.
   */
  maxBatchesInFlight?: number;
  /**
   * 'versions' skips the inbox (default 'inbox'): only for handlers whose every effect is a
   * per-key versioned upsert that ignores an older or equal version, so that a redelivered or
   * repeated event has no effect by itself. `events` may then hold an event seen before.
   */
  dedupe?: Dedupe;
  /**
   * With dedupe 'versions': no transaction either (default false). On PostgreSQL each statement
   * of the handler commits alone, so a batch costs no BEGIN and COMMIT round trips and holds no
   * row lock past its statement; SQLite still runs the batch in one transaction (its writers take
   * turns anyway). Only for handlers whose every statement is such an upsert on its own: a batch
   * cut short leaves nothing its redelivery would not redo. `context.publish` is refused (the
   * outbox needs the transaction); `afterCommit` actions run once the handler has finished.
   */
  autocommit?: boolean;
}

/**
 * Like onEvent, for high-volume facts: the deliveries waiting when a transaction starts (up to
 * `maxBatchSize`) are handled together in one inbox transaction, so the per-event cost of a
 * commit is shared. `events` holds only events not processed before, in delivery order. If the
 * batch fails, each event is retried alone, so one bad event never holds back the others.
 * Batches run one at a time per consumer unless `maxBatchesInFlight` says otherwise.
 */
export function onEventBatch<T>(
  definition: EventDefinition<T>,
  handle: (events: ReceivedEvent<T>[], context: TransactionContext) => Promise<void>,
  options: BatchHandlerOptions = {},
): EventHandler<T> {
  const maxBatchSize = options.maxBatchSize ?? 100;
  const maxBatchesInFlight = options.maxBatchesInFlight ?? 1;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) throw new Error(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  if (!Number.isInteger(maxBatchesInFlight) || maxBatchesInFlight < 1)
    throw new Error(`maxBatchesInFlight must be a positive integer, got ${maxBatchesInFlight}`);
  const dedupe = options.dedupe ?? 'inbox';
  if (options.autocommit && dedupe !== 'versions')
    throw new Error('autocommit needs dedupe: versions (the inbox row needs the transaction)');
  return {
    definition,
    bindings: bindingsFor(definition, options),
    mode: 'batch',
    maxBatchSize,
    maxBatchesInFlight,
    dedupe,
    autocommit: options.autocommit ?? false,
    handle: (events, context) => handle(events, context!),
  };
}

/**
 * Handles `definition` events without the inbox, for effects outside the database (calling a
 * channel's API): no transaction is held open meanwhile. The handler must be idempotent by
 * itself (versions, idempotency keys), as a redelivery runs it again.
 */
export function onEventOutsideTransaction<T>(
  definition: EventDefinition<T>,
  handle: (event: ReceivedEvent<T>) => Promise<void>,
  options: HandlerOptions = {},
): EventHandler<T> {
  return {
    definition,
    bindings: bindingsFor(definition, options),
    mode: 'outside',
    maxBatchSize: 1,
    maxBatchesInFlight: 1,
    dedupe: 'versions',
    handle: ([event]) => handle(event!),
  };
}

export interface EventConsumerOptions extends Omit<ConsumerOptions, 'queue' | 'bindings'> {
  /** What the queue is for, e.g. `stock-changes`: the queue is `<service>.<purpose>`. */
  purpose: string;
  /** One handler per event type the queue receives. */
  handlers: EventHandler<unknown>[];
}

interface Registration {
  options: ConsumerOptions;
  handlers: Map<string, EventHandler<unknown>>;
  /** One per batch handler, by event type. */
  batchers: Map<string, GroupCommit<ReceivedEvent<unknown>, void>>;
}

export interface EventConsumersDependencies {
  service: string;
  /** Inbox rows older than this are purged every `inboxPurgeIntervalMs` while consuming. */
  inboxRetentionMs: number;
  inboxPurgeIntervalMs: number;
  bus: EventBus;
  dataSource: DataSource;
  publisher: OutboxPublisher;
  metrics: ServiceMetrics;
  busObserver: BusMetricsObserver;
  logger: Logger;
}

const PURPOSE = /^[a-z][a-z0-9-]*$/;

export class EventConsumers {
  private readonly registrations: Registration[] = [];
  private readonly running: Consumer[] = [];
  private started = false;
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: EventConsumersDependencies) {}

  /** Declares a consumer; call it while the module initialises (a constructor or onModuleInit). Returns the queue name. */
  register(options: EventConsumerOptions): string {
    if (this.started) throw new Error('register consumers while the module initialises: the service has already started consuming');
    if (!PURPOSE.test(options.purpose)) throw new Error(`consumer purpose must be kebab-case, got "${options.purpose}"`);
    const queue = `${this.deps.service}.${options.purpose}`;
    if (this.registrations.some((registration) => registration.options.queue === queue))
      throw new Error(`queue ${queue} is registered twice`);
    if (options.handlers.length === 0) throw new Error(`consumer ${queue} has no handlers`);
    const handlers = new Map<string, EventHandler<unknown>>();
    for (const handler of options.handlers) {
      if (handlers.has(handler.definition.type)) throw new Error(`consumer ${queue} has two handlers for ${handler.definition.type}`);
      handlers.set(handler.definition.type, handler);
    }
    const bindings = [...new Set([...handlers.values()].flatMap((handler) => handler.bindings))];
    const { prefetch, deliveryLimit, retryDelaysMs } = options;
    const batchers = new Map<string, GroupCommit<ReceivedEvent<unknown>, void>>();
    for (const handler of handlers.values()) {
      if (handler.mode !== 'batch') continue;
      batchers.set(
        handler.definition.type,
        new GroupCommit<ReceivedEvent<unknown>, void>(
          handler.maxBatchSize,
          async (events) => {
            await this.handleInInbox(queue, handler, events);
            return events.map(() => undefined);
          },
          handler.maxBatchesInFlight,
        ),
      );
    }
    this.registrations.push({ options: { queue, bindings, prefetch, deliveryLimit, retryDelaysMs }, handlers, batchers });
    return queue;
  }

  /** The queues of the registered consumers. */
  queues(): string[] {
    return this.registrations.map((registration) => registration.options.queue);
  }

  /** Starts every registered consumer (the kit calls it once the service is up) and the inbox purge. */
  async start(): Promise<void> {
    this.started = true;
    for (const registration of this.registrations) {
      this.deps.busObserver.register(registration.options.queue, this.deps.metrics);
      this.running.push(await this.deps.bus.consume(registration.options, (delivery) => this.deliver(registration, delivery)));
    }
    if (this.registrations.length === 0) return;
    this.purgeTimer = setInterval(() => void this.purgeInbox(), this.deps.inboxPurgeIntervalMs);
    this.purgeTimer.unref();
  }

  /** Stops taking deliveries and waits for the handlers in flight. */
  async drain(): Promise<void> {
    clearInterval(this.purgeTimer);
    await Promise.all(this.running.splice(0).map((consumer) => consumer.drain()));
    for (const registration of this.registrations) this.deps.busObserver.unregister(registration.options.queue, this.deps.metrics);
  }

  /** Forgets processed event ids older than the retention (the inbox would otherwise grow forever). */
  private async purgeInbox(): Promise<void> {
    try {
      const removed = await Inbox.purge(this.deps.dataSource, new Date(Date.now() - this.deps.inboxRetentionMs));
      if (removed > 0) this.deps.logger.info({ removed }, 'inbox purged');
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'inbox purge failed; retried at the next interval');
    }
  }

  private deliver(registration: Registration, delivery: Delivery): Promise<void> {
    return runWithTraceparent(traceparentOf(delivery), async () => {
      const started = performance.now();
      try {
        await this.dispatch(registration, delivery);
        this.deps.metrics.consumerHandledDelivery(delivery.queue, (performance.now() - started) / 1000);
      } catch (error) {
        this.deps.metrics.consumerFailedDelivery(delivery.queue, (performance.now() - started) / 1000);
        throw error;
      }
    });
  }

  private async dispatch(registration: Registration, delivery: Delivery): Promise<void> {
    const type = delivery.headers['x-event-type'] ?? envelopeType(delivery);
    const handler = registration.handlers.get(type);
    if (!handler) throw new PoisonMessageError(`${delivery.queue} has no handler for ${type}`);
    const { envelope, payload, time } = decodeEvent(delivery, handler.definition);
    this.deps.metrics.consumerTookEvent(delivery.queue, (Date.now() - time.getTime()) / 1000);
    const channel = handler.definition.channelScoped ? delivery.routingKey.slice(handler.definition.routingKey.length + 1) : undefined;
    const event: ReceivedEvent<unknown> = { payload, envelope, time, channel, delivery };
    switch (handler.mode) {
      case 'outside':
        return handler.handle([event], undefined);
      case 'inbox':
        return this.handleInInbox(delivery.queue, handler, [event]);
      case 'batch':
        return registration.batchers.get(type)!.submit(event);
    }
  }

  /** One inbox transaction: records the events, hands the new ones to the handler, commits. */
  private async handleInInbox(queue: string, handler: EventHandler<unknown>, events: ReceivedEvent<unknown>[]): Promise<void> {
    if (handler.dedupe === 'versions') {
      if (handler.autocommit) await this.handleInAutocommit(handler, events);
      else await withTransaction(this.deps.dataSource, (manager) => handler.handle(events, this.deps.publisher.context(manager)));
      return;
    }
    const fresh = await withTransaction(this.deps.dataSource, async (manager) => {
      const recorded = await Inbox.record(
        manager,
        queue,
        events.map((event) => event.envelope.id),
      );
      // A batch can hold two deliveries of one event: only the first counts.
      const freshEvents = events.filter((event) => recorded.delete(event.envelope.id));
      if (freshEvents.length > 0) await handler.handle(freshEvents, this.deps.publisher.context(manager));
      return freshEvents;
    });
    for (const event of events) {
      if (fresh.includes(event)) continue;
      this.deps.metrics.consumerDuplicateDelivery(queue);
      this.deps.logger.debug({ queue, event_id: event.envelope.id, type: handler.definition.type }, 'duplicate event skipped');
    }
  }

  /** A batch whose statements commit one by one (BatchHandlerOptions.autocommit). */
  private async handleInAutocommit(handler: EventHandler<unknown>, events: ReceivedEvent<unknown>[]): Promise<void> {
    const committed: Array<() => void> = [];
    await withAutocommit(this.deps.dataSource, (manager) =>
      handler.handle(events, {
        manager,
        publish: () =>
          Promise.reject(new Error(`${handler.definition.type}: a handler without a transaction cannot publish (the outbox needs one)`)),
        afterCommit: (action) => committed.push(action),
      }),
    );
    for (const action of committed) action();
  }
}

function envelopeType(delivery: Delivery): string {
  try {
    return commonV1.EventEnvelope.decode(delivery.body).type;
  } catch (error) {
    throw new PoisonMessageError(`body is not a retail.common.v1.EventEnvelope: ${(error as Error).message}`);
  }
}
