// The event bus of embedded mode (all services in one Node process), with the semantics of the
// RabbitMQ transport: a topic exchange, queues that exist once declared and keep messages until
// a consumer takes them, prefetch-bounded concurrency per consumer, retries after a delay, a
// delivery limit and a dead-letter queue with the same headers. Messages live in memory: the
// outbox on the publishing side is what survives a restart.
import {
  applicationHeaders,
  deadLetterHeaders,
  readDeadLetter,
  resolveConsumerOptions,
  type ResolvedConsumerOptions,
} from '../delivery-policy.js';
import { runDelivery, type DeliverySettlement } from '../delivery-runner.js';
import type { BusMessage, Consumer, ConsumerOptions, DeadLetter, Delivery, DeliveryHandler, EventBus } from '../event-bus.js';
import { silentLogger, type BusLogger, type EventBusObserver } from '../event-bus-hooks.js';
import { topicMatches } from '../topic-pattern.js';
import { Fifo } from './fifo.js';

export interface InProcessEventBusOptions {
  logger?: BusLogger;
  observer?: EventBusObserver;
}

interface QueuedMessage {
  message: BusMessage;
  /** Our attempt counter: 1 + the retries so far. */
  attempt: number;
  /** Deliveries lost before they were settled (what RabbitMQ counts in x-delivery-count). */
  deliveryCount: number;
}

interface QueueState {
  name: string;
  patterns: Set<string>;
  messages: Fifo<QueuedMessage>;
  consumers: InProcessConsumer[];
  nextConsumer: number;
  dispatchScheduled: boolean;
}

interface Flight {
  entry: QueuedMessage;
  /** Set when the consumer was cut off: the entry went back to the queue, the outcome is void. */
  interrupted: boolean;
}

class InProcessConsumer implements Consumer {
  readonly flights = new Set<Flight>();
  active = true;
  private idleWaiters: Array<() => void> = [];

  constructor(
    readonly options: ResolvedConsumerOptions,
    readonly handler: DeliveryHandler,
    private readonly stop: (consumer: InProcessConsumer) => void,
  ) {}

  hasCapacity(): boolean {
    return this.active && this.flights.size < this.options.prefetch;
  }

  settled(flight: Flight): void {
    this.flights.delete(flight);
    if (this.flights.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  async drain(): Promise<void> {
    if (this.active) {
      this.active = false;
      this.stop(this);
    }
    if (this.flights.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}

export class InProcessEventBus implements EventBus {
  private readonly queues = new Map<string, QueueState>();
  private readonly deadLetters = new Map<string, Fifo<DeadLetter>>();
  /** Queues per routing key; cleared whenever a binding is added. */
  private readonly routes = new Map<string, QueueState[]>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly logger: BusLogger;
  private readonly observer: EventBusObserver;
  private closed = false;

  constructor(options: InProcessEventBusOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer ?? {};
  }

  async publish(messages: BusMessage[]): Promise<void> {
    this.assertOpen();
    const touched = new Set<QueueState>();
    for (const message of messages) {
      // A snapshot, as a broker would hold: the caller may reuse its buffer and header object.
      const copy: BusMessage = {
        id: message.id,
        routingKey: message.routingKey,
        body: Buffer.from(message.body),
        headers: { ...message.headers },
      };
      for (const queue of this.route(message.routingKey)) {
        queue.messages.push({ message: copy, attempt: 1, deliveryCount: 0 });
        touched.add(queue);
      }
    }
    for (const queue of touched) this.scheduleDispatch(queue);
  }

  async consume(options: ConsumerOptions, handler: DeliveryHandler): Promise<Consumer> {
    this.assertOpen();
    const resolved = resolveConsumerOptions(options);
    const queue = this.declareQueue(resolved.queue, resolved.bindings);
    const consumer = new InProcessConsumer(resolved, handler, (stopped) => {
      queue.consumers = queue.consumers.filter((candidate) => candidate !== stopped);
    });
    queue.consumers.push(consumer);
    this.scheduleDispatch(queue);
    return consumer;
  }

  async deadLetter(queue: string, message: BusMessage, reason: string): Promise<void> {
    this.assertOpen();
    const attempts = 'attempt' in message ? (message as Delivery).attempt : 0;
    this.putDeadLetter(queue, message, reason, attempts);
  }

  async peekDeadLetters(queue: string, limit: number): Promise<DeadLetter[]> {
    return this.deadLetterQueue(queue)
      .peek(limit)
      .map((deadLetter) => ({ ...deadLetter, headers: { ...deadLetter.headers } }));
  }

  async replayDeadLetters(queue: string, limit: number): Promise<number> {
    this.assertOpen();
    const target = this.queues.get(queue);
    if (!target) throw new Error(`cannot replay dead letters: queue "${queue}" does not exist`);
    const replayed = this.deadLetterQueue(queue).take(limit);
    for (const deadLetter of replayed) {
      const message: BusMessage = {
        id: deadLetter.id,
        routingKey: deadLetter.routingKey,
        body: deadLetter.body,
        headers: applicationHeaders(deadLetter.headers),
      };
      target.messages.push({ message, attempt: 1, deliveryCount: 0 });
    }
    this.scheduleDispatch(target);
    return replayed.length;
  }

  async deadLetterCount(queue: string): Promise<number> {
    return this.deadLetterQueue(queue).length;
  }

  isReady(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    const consumers = [...this.queues.values()].flatMap((queue) => queue.consumers);
    await Promise.all(consumers.map((consumer) => consumer.drain()));
  }

  /**
   * Cuts the consumers of `queue` off mid-handler, as a dropped AMQP channel does: their
   * unsettled deliveries go back to the front of the queue with the delivery count raised and
   * are delivered again; whatever the interrupted handlers do afterwards is ignored.
   */
  interruptConsumers(queue: string): void {
    const state = this.queues.get(queue);
    if (!state) return;
    for (const consumer of state.consumers) {
      const flights = [...consumer.flights].reverse();
      for (const flight of flights) {
        flight.interrupted = true;
        consumer.settled(flight);
        state.messages.unshift({ ...flight.entry, deliveryCount: flight.entry.deliveryCount + 1 });
      }
    }
    this.scheduleDispatch(state);
  }

  private declareQueue(name: string, patterns: string[]): QueueState {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = { name, patterns: new Set(), messages: new Fifo(), consumers: [], nextConsumer: 0, dispatchScheduled: false };
      this.queues.set(name, queue);
    }
    for (const pattern of patterns) queue.patterns.add(pattern);
    this.routes.clear();
    return queue;
  }

  private route(routingKey: string): QueueState[] {
    let queues = this.routes.get(routingKey);
    if (!queues) {
      queues = [...this.queues.values()].filter((queue) => [...queue.patterns].some((pattern) => topicMatches(pattern, routingKey)));
      this.routes.set(routingKey, queues);
    }
    return queues;
  }

  // Dispatch runs once per event-loop turn per queue, however many messages arrived or
  // handlers finished in between: fast, and it never starves I/O with a microtask chain.
  private scheduleDispatch(queue: QueueState): void {
    if (queue.dispatchScheduled || this.closed) return;
    queue.dispatchScheduled = true;
    setImmediate(() => {
      queue.dispatchScheduled = false;
      this.dispatch(queue);
    });
  }

  private dispatch(queue: QueueState): void {
    while (queue.messages.length > 0 && !this.closed) {
      const consumer = this.nextConsumerWithCapacity(queue);
      if (!consumer) return;
      this.deliver(queue, consumer, queue.messages.shift() as QueuedMessage);
    }
  }

  private nextConsumerWithCapacity(queue: QueueState): InProcessConsumer | undefined {
    for (let i = 0; i < queue.consumers.length; i++) {
      const index = (queue.nextConsumer + i) % queue.consumers.length;
      const consumer = queue.consumers[index];
      if (consumer.hasCapacity()) {
        queue.nextConsumer = index + 1;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(queue: QueueState, consumer: InProcessConsumer, entry: QueuedMessage): void {
    const flight: Flight = { entry, interrupted: false };
    consumer.flights.add(flight);
    const { message } = entry;
    const delivery: Delivery = {
      id: message.id,
      routingKey: message.routingKey,
      body: message.body,
      headers: { ...message.headers },
      attempt: entry.attempt + entry.deliveryCount,
      queue: queue.name,
    };
    const settlement: DeliverySettlement = {
      ack: async () => this.assertCurrent(flight),
      retry: async (delayMs) => {
        this.assertCurrent(flight);
        this.scheduleRetry(queue, { message, attempt: delivery.attempt + 1, deliveryCount: 0 }, delayMs);
      },
      deadLetter: async (reason, attempts) => {
        this.assertCurrent(flight);
        this.putDeadLetter(queue.name, message, reason, attempts);
      },
    };
    runDelivery(delivery, consumer.handler, settlement, { options: consumer.options, observer: this.observer, logger: this.logger })
      .catch((error: unknown) => {
        if (!flight.interrupted) this.logger.error({ err: error, queue: queue.name, id: message.id }, 'settling a delivery failed');
      })
      .finally(() => {
        consumer.settled(flight);
        this.scheduleDispatch(queue);
      });
  }

  private assertCurrent(flight: Flight): void {
    if (flight.interrupted) throw new Error('the consumer was interrupted; the message was delivered again');
  }

  private scheduleRetry(queue: QueueState, entry: QueuedMessage, delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    const arm = (waitMs: number): void => {
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        // Timers may fire a millisecond early by the wall clock; a retry never comes before its delay.
        const remaining = dueAt - Date.now();
        if (remaining > 0) return arm(remaining);
        queue.messages.push(entry);
        this.scheduleDispatch(queue);
      }, waitMs);
      this.retryTimers.add(timer);
    };
    arm(delayMs);
  }

  private putDeadLetter(queue: string, message: BusMessage, reason: string, attempts: number): void {
    const headers = deadLetterHeaders(message.headers, { reason, attempts, routingKey: message.routingKey, queue, failedAt: new Date() });
    const stored: BusMessage = { id: message.id, routingKey: `${queue}.dlq`, body: message.body, headers };
    this.deadLetterQueue(queue).push(readDeadLetter(stored, queue));
  }

  private deadLetterQueue(queue: string): Fifo<DeadLetter> {
    let deadLetters = this.deadLetters.get(queue);
    if (!deadLetters) {
      deadLetters = new Fifo();
      this.deadLetters.set(queue, deadLetters);
    }
    return deadLetters;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event bus is closed');
  }
}
