// How a service consumes events. It registers a consumer (a queue `<service>.<purpose>` and a
// handler per event type) while its module initialises; the kit starts consuming once the
// service is up and drains the consumers on shutdown. Each delivery runs in the trace context
// of the event, is counted and timed (retail_mesh_consumer_*), and by default runs through the
// inbox: the handler's database effect, the inbox row and any events it publishes commit in one
// transaction, so a redelivered event has no second effect.
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

export interface EventHandler<T = unknown> {
  readonly definition: EventDefinition<T>;
  readonly bindings: readonly string[];
  /** True: runs inside the inbox transaction. */
  readonly transactional: boolean;
  handle(event: ReceivedEvent<T>, context: TransactionContext | undefined): Promise<void>;
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
    transactional: true,
    handle: (event, context) => handle(event, context!),
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
  return { definition, bindings: bindingsFor(definition, options), transactional: false, handle: (event) => handle(event) };
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
}

export interface EventConsumersDependencies {
  service: string;
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
    this.registrations.push({ options: { queue, bindings, prefetch, deliveryLimit, retryDelaysMs }, handlers });
    return queue;
  }

  /** The queues of the registered consumers. */
  queues(): string[] {
    return this.registrations.map((registration) => registration.options.queue);
  }

  /** Starts every registered consumer (the kit calls it once the service is up). */
  async start(): Promise<void> {
    this.started = true;
    for (const registration of this.registrations) {
      this.deps.busObserver.register(registration.options.queue, this.deps.metrics);
      this.running.push(await this.deps.bus.consume(registration.options, (delivery) => this.deliver(registration, delivery)));
    }
  }

  /** Stops taking deliveries and waits for the handlers in flight. */
  async drain(): Promise<void> {
    await Promise.all(this.running.splice(0).map((consumer) => consumer.drain()));
    for (const registration of this.registrations) this.deps.busObserver.unregister(registration.options.queue, this.deps.metrics);
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
    const channel = handler.definition.channelScoped ? delivery.routingKey.slice(handler.definition.routingKey.length + 1) : undefined;
    const event: ReceivedEvent<unknown> = { payload, envelope, time, channel, delivery };
    if (!handler.transactional) return handler.handle(event, undefined);

    let published = false;
    const outcome = await Inbox.handleOnce(this.deps.dataSource, delivery.queue, envelope.id, (manager) =>
      handler.handle(event, {
        manager,
        publish: async (...events) => {
          await this.deps.publisher.add(manager, events);
          published ||= events.length > 0;
        },
      }),
    );
    if (published) this.deps.publisher.wake();
    if (outcome === 'duplicate') this.deps.logger.debug({ queue: delivery.queue, event_id: envelope.id, type }, 'duplicate event skipped');
  }
}

function envelopeType(delivery: Delivery): string {
  try {
    return commonV1.EventEnvelope.decode(delivery.body).type;
  } catch (error) {
    throw new PoisonMessageError(`body is not a retail.common.v1.EventEnvelope: ${(error as Error).message}`);
  }
}
