// The event bus of distributed mode, over RabbitMQ (ADR 0002). One connection per bus, opened
// with amqplib's recovery: after a broker restart or a dropped connection it reconnects with
// backoff and `setup` re-declares the topology and restarts every consumer. Publishing uses a
// confirm channel, pipelined; each consumer has its own confirm channel, on which it also
// writes its retries and dead letters before acknowledging the original.
import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type GetMessage,
  type RecoveringChannelModel,
} from 'amqplib';
import { describeError, resolveConsumerOptions, type ResolvedConsumerOptions } from '../delivery-policy.js';
import { runDelivery, type DeliverySettlement } from '../delivery-runner.js';
import type { BusMessage, Consumer, ConsumerOptions, DeadLetter, Delivery, DeliveryHandler, EventBus } from '../event-bus.js';
import { silentLogger, type BusLogger, type EventBusObserver } from '../event-bus-hooks.js';
import { deadLetterCopy, directCopy, publishOptions, toDeadLetter, toDelivery, type Outgoing } from './amqp-message.js';
import { AckBatcher } from './ack-batcher.js';
import { publishPipelined } from './confirm-pipeline.js';
import {
  DEFAULT_DEAD_LETTER_EXCHANGE,
  DEFAULT_EXCHANGE,
  deadLetterQueueName,
  declareConsumerTopology,
  declareDeadLetterQueue,
  declareExchanges,
  retryQueueName,
  type ExchangeNames,
} from './rabbitmq-topology.js';

export interface RabbitMqEventBusOptions {
  /** amqp://user:password@host:port/vhost */
  url: string;
  /** Topic exchange for events. Default `retail.events`. */
  exchange?: string;
  /** Direct exchange the broker dead-letters to. Default `retail.dlx`. */
  deadLetterExchange?: string;
  /** Shown in the management UI and `rabbitmqctl list_connections`. Default `retail-mesh`. */
  connectionName?: string;
  /** How long connecting, publish, consume and the dead-letter operations wait for the broker. Default 30 s. */
  connectionTimeoutMs?: number;
  /** Unconfirmed publishes in flight per publish call. Default 500. */
  publishWindow?: number;
  logger?: BusLogger;
  observer?: EventBusObserver;
}

const RECONNECT_INITIAL_DELAY_MS = 200;
const RECONNECT_MAX_DELAY_MS = 5000;

/** What a consumer needs from its bus. */
interface ConsumerHost {
  exchanges: ExchangeNames;
  logger: BusLogger;
  observer: EventBusObserver;
  /** Drops the connection so recovery rebuilds every channel (after a channel was lost). */
  recycle(model: ChannelModel, reason: string): void;
  forget(consumer: RabbitMqConsumer): void;
}

/** Publishes one message on a confirm channel and waits for its confirm. */
async function sendConfirmed(channel: ConfirmChannel, outgoing: Outgoing): Promise<void> {
  const result = await publishPipelined(channel, [outgoing], 1);
  if (result.failed.length > 0) throw result.lastError ?? new Error('not confirmed');
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 404;
}

class RabbitMqConsumer implements Consumer {
  private channel?: ConfirmChannel;
  private acks?: AckBatcher;
  private consumerTag?: string;
  private startedOn?: ChannelModel;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private draining = false;

  constructor(
    readonly options: ResolvedConsumerOptions,
    private readonly handler: DeliveryHandler,
    private readonly host: ConsumerHost,
  ) {}

  /** Declares the topology and starts consuming on `model`; once per connection. */
  async start(model: ChannelModel): Promise<void> {
    if (this.draining || this.startedOn === model) return;
    this.startedOn = model;
    const { queue } = this.options;
    const channel = await model.createConfirmChannel();
    channel.setMaxListeners(0);
    channel.on('error', (error: Error) => this.host.logger.warn({ err: error, queue }, 'consumer channel error'));
    try {
      await declareConsumerTopology(channel, this.options, this.host.exchanges);
      await channel.prefetch(this.options.prefetch);
      const acks = new AckBatcher(channel);
      const { consumerTag } = await channel.consume(queue, (message) => this.onMessage(channel, acks, model, message));
      this.acks = acks;
      this.consumerTag = consumerTag;
    } catch (error) {
      this.startedOn = undefined;
      await channel.close().catch(() => undefined);
      throw error;
    }
    this.channel = channel;
    channel.on('close', () => {
      if (this.channel === channel) {
        this.channel = undefined;
        this.consumerTag = undefined;
      }
      if (!this.draining) this.host.recycle(model, `the consumer channel of ${queue} closed`);
    });
  }

  async drain(): Promise<void> {
    if (!this.draining) {
      this.draining = true;
      this.host.forget(this);
    }
    const channel = this.channel;
    const consumerTag = this.consumerTag;
    if (channel && consumerTag) {
      this.consumerTag = undefined;
      await channel
        .cancel(consumerTag)
        .catch((error: unknown) => this.host.logger.warn({ err: error, queue: this.options.queue }, 'cancelling a consumer failed'));
    }
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (channel && this.channel === channel) {
      this.acks?.flush();
      this.channel = undefined;
      await channel.close().catch(() => undefined);
    }
  }

  private onMessage(channel: ConfirmChannel, acks: AckBatcher, model: ChannelModel, message: ConsumeMessage | null): void {
    const { queue } = this.options;
    if (message === null) {
      // The broker cancelled us (the queue was deleted): reconnecting re-declares it.
      this.host.logger.warn({ queue }, 'consumer cancelled by the broker');
      if (!this.draining) this.host.recycle(model, `the broker cancelled the consumer of ${queue}`);
      return;
    }
    this.inFlight += 1;
    acks.received(message);
    const delivery = toDelivery(message, queue);
    const settlement: DeliverySettlement = {
      ack: async () => acks.ack(message),
      retry: async (delayMs) => {
        await sendConfirmed(channel, directCopy(retryQueueName(queue, delayMs), delivery, delivery.attempt + 1));
        acks.ack(message);
      },
      deadLetter: async (reason, attempts) => {
        await sendConfirmed(channel, deadLetterCopy(queue, delivery, reason, attempts));
        acks.ack(message);
      },
    };
    runDelivery(delivery, this.handler, settlement, { options: this.options, observer: this.host.observer, logger: this.host.logger })
      .catch((error: unknown) => this.settlementFailed(channel, acks, message, error))
      .finally(() => {
        this.inFlight -= 1;
        if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
  }

  private settlementFailed(channel: ConfirmChannel, acks: AckBatcher, message: ConsumeMessage, error: unknown): void {
    const where = { queue: this.options.queue, id: message.properties.messageId as unknown };
    if (this.channel !== channel) {
      this.host.logger.info({ ...where, err: error }, 'channel lost before the delivery was settled; the broker delivers it again');
      return;
    }
    // A retry or dead letter the broker did not confirm: put the original back, it comes again
    // with the delivery count raised.
    this.host.logger.error({ ...where, err: error }, 'settling a delivery failed; returning it to the queue');
    try {
      acks.nack(message);
    } catch {
      // The channel closed meanwhile; the broker returns the message itself.
    }
  }
}

export class RabbitMqEventBus implements EventBus {
  /** Connects (waiting up to connectionTimeoutMs for the broker) and declares the exchanges. */
  static async connect(options: RabbitMqEventBusOptions): Promise<RabbitMqEventBus> {
    const bus = new RabbitMqEventBus(options);
    await bus.start();
    return bus;
  }

  private readonly exchanges: ExchangeNames;
  private readonly logger: BusLogger;
  private readonly observer: EventBusObserver;
  private readonly connectionTimeoutMs: number;
  private readonly publishWindow: number;
  private connection?: RecoveringChannelModel;
  /** The connection the latest setup ran on. */
  private model?: ChannelModel;
  /** Set once setup has finished on `model`: the bus is ready. */
  private publishChannel?: ConfirmChannel;
  private readonly consumers = new Set<RabbitMqConsumer>();
  private readonly declaredDeadLetterQueues = new Set<string>();
  private readonly readyWaiters = new Set<() => void>();
  private readonly pendingPublishes = new Set<Promise<void>>();
  private lastConnectError?: Error;
  private closing?: Promise<void>;

  private constructor(private readonly options: RabbitMqEventBusOptions) {
    this.exchanges = {
      events: options.exchange ?? DEFAULT_EXCHANGE,
      deadLetters: options.deadLetterExchange ?? DEFAULT_DEAD_LETTER_EXCHANGE,
    };
    this.logger = options.logger ?? silentLogger;
    this.observer = options.observer ?? {};
    this.connectionTimeoutMs = options.connectionTimeoutMs ?? 30_000;
    this.publishWindow = options.publishWindow ?? 500;
  }

  async publish(messages: BusMessage[]): Promise<void> {
    this.assertOpen();
    if (messages.length === 0) return;
    const outgoing = messages.map((message) => ({
      exchange: this.exchanges.events,
      routingKey: message.routingKey,
      body: message.body,
      options: publishOptions(message),
    }));
    const publishing = this.publishReliably(outgoing);
    this.pendingPublishes.add(publishing);
    try {
      await publishing;
    } finally {
      this.pendingPublishes.delete(publishing);
    }
  }

  async consume(options: ConsumerOptions, handler: DeliveryHandler): Promise<Consumer> {
    this.assertOpen();
    const consumer = new RabbitMqConsumer(resolveConsumerOptions(options), handler, {
      exchanges: this.exchanges,
      logger: this.logger,
      observer: this.observer,
      recycle: (model, reason) => this.recycle(model, reason),
      forget: (forgotten) => this.consumers.delete(forgotten),
    });
    // Registered first, so a reconnect while it starts restarts it too.
    this.consumers.add(consumer);
    const deadline = Date.now() + this.connectionTimeoutMs;
    for (;;) {
      try {
        const { model } = await this.ready(deadline);
        try {
          await consumer.start(model);
          return consumer;
        } catch (error) {
          // Refused on a healthy connection (e.g. the queue exists with other arguments): give
          // up. Otherwise the connection dropped meanwhile and the next one starts it.
          if (this.model === model && this.publishChannel) throw error;
        }
      } catch (error) {
        this.consumers.delete(consumer);
        throw error;
      }
    }
  }

  async deadLetter(queue: string, message: BusMessage, reason: string): Promise<void> {
    this.assertOpen();
    const attempts = 'attempt' in message ? (message as Delivery).attempt : 0;
    if (!this.declaredDeadLetterQueues.has(queue)) {
      await this.withChannel((channel) => declareDeadLetterQueue(channel, queue, this.exchanges));
      this.declaredDeadLetterQueues.add(queue);
    }
    await this.publishReliably([deadLetterCopy(queue, message, reason, attempts)]);
  }

  async peekDeadLetters(queue: string, limit: number): Promise<DeadLetter[]> {
    return this.withChannel(async (channel) => {
      const taken = await this.takeDeadLetters(channel, queue, limit);
      // Back to the queue in order; closing the channel would return them as well.
      if (taken.length > 0) channel.nackAll(true);
      return taken.map((message) => toDeadLetter(message, queue));
    });
  }

  async replayDeadLetters(queue: string, limit: number): Promise<number> {
    return this.withChannel(async (channel) => {
      try {
        await channel.checkQueue(queue);
      } catch (error) {
        if (isNotFound(error)) throw new Error(`cannot replay dead letters: queue "${queue}" does not exist`);
        throw error;
      }
      const taken = await this.takeDeadLetters(channel, queue, limit);
      const copies = new Map(taken.map((message) => [directCopy(queue, toDeadLetter(message, queue), 1), message] as const));
      const result = await publishPipelined(channel, [...copies.keys()], this.publishWindow);
      // Only what the broker confirmed leaves the DLQ; the rest returns to it when the channel closes.
      for (const copy of result.confirmed) channel.ack(copies.get(copy) as GetMessage);
      if (result.failed.length > 0) {
        throw new Error(
          `replayed ${result.confirmed.length} of ${taken.length} dead letters of ${queue}: ${describeError(result.lastError)}`,
        );
      }
      return result.confirmed.length;
    });
  }

  async deadLetterCount(queue: string): Promise<number> {
    return this.withChannel(async (channel) => {
      try {
        return (await channel.checkQueue(deadLetterQueueName(queue))).messageCount;
      } catch (error) {
        if (isNotFound(error)) return 0;
        throw error;
      }
    });
  }

  isReady(): boolean {
    return this.closing === undefined && this.publishChannel !== undefined;
  }

  /** Drains every consumer, lets running publishes finish, then closes the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.wakeReadyWaiters();
      await Promise.all([...this.consumers].map((consumer) => consumer.drain()));
      await Promise.allSettled([...this.pendingPublishes]);
      await this.connection?.close();
      this.publishChannel = undefined;
      this.model = undefined;
    })();
    return this.closing;
  }

  private async start(): Promise<void> {
    const connection = await connect(this.options.url, {
      clientProperties: { connection_name: this.options.connectionName ?? 'retail-mesh' },
      // Without TCP_NODELAY a frame written after one the broker has not acknowledged yet waits for
      // its delayed ACK (40 ms on Linux): a lone publish of a large message waited that long for its confirm.
      noDelay: true,
      recovery: {
        waitForConnect: false,
        initialDelay: RECONNECT_INITIAL_DELAY_MS,
        maxDelay: RECONNECT_MAX_DELAY_MS,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    this.connection = connection;
    connection.on('connect', () => this.logger.info({ url: redactedUrl(this.options.url) }, 'connected to RabbitMQ'));
    connection.on('disconnect', (error: Error) => {
      this.model = undefined;
      this.publishChannel = undefined;
      this.declaredDeadLetterQueues.clear();
      this.logger.warn({ err: error }, 'lost the RabbitMQ connection; reconnecting');
    });
    connection.on('connect-failed', (error: Error) => {
      this.lastConnectError = error;
      this.logger.warn({ err: error, url: redactedUrl(this.options.url) }, 'connecting to RabbitMQ failed; retrying');
    });
    connection.on('error', (error: Error) => this.logger.warn({ err: error }, 'RabbitMQ connection error'));
    connection.on('blocked', (reason: string) => this.logger.warn({ reason }, 'RabbitMQ blocked publishing (resource alarm)'));
    connection.on('unblocked', () => this.logger.info({}, 'RabbitMQ unblocked publishing'));
    try {
      await this.ready(Date.now() + this.connectionTimeoutMs);
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  // Runs on every (re)connection, before the connection counts as up. Throwing makes
  // recovery close it and try again after a backoff.
  private async setup(model: ChannelModel): Promise<void> {
    this.model = model;
    // Recovery only listens for errors once setup succeeds; an unheard 'error' would crash.
    model.on('error', () => undefined);
    const channel = await model.createConfirmChannel();
    channel.setMaxListeners(0);
    channel.on('error', (error: Error) => this.logger.warn({ err: error }, 'publish channel error'));
    await declareExchanges(channel, this.exchanges);
    for (const consumer of this.consumers) await consumer.start(model);
    channel.on('close', () => {
      if (this.publishChannel === channel) this.publishChannel = undefined;
      this.recycle(model, 'the publish channel closed');
    });
    this.publishChannel = channel;
    this.wakeReadyWaiters();
  }

  // A channel lost while its connection stays up (a channel error) leaves a consumer or the
  // publisher dead; closing the connection lets recovery rebuild everything in one known way.
  private recycle(model: ChannelModel, reason: string): void {
    setImmediate(() => {
      if (this.closing || this.model !== model) return;
      this.logger.warn({ reason }, 'recycling the RabbitMQ connection');
      model.close().catch(() => undefined);
    });
  }

  private async ready(deadline: number): Promise<{ model: ChannelModel; channel: ConfirmChannel }> {
    for (;;) {
      if (this.closing) throw new Error('the event bus is closed');
      if (this.model && this.publishChannel) return { model: this.model, channel: this.publishChannel };
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        const cause = this.lastConnectError ? `: ${this.lastConnectError.message}` : '';
        throw new Error(`RabbitMQ at ${redactedUrl(this.options.url)} not reachable within ${this.connectionTimeoutMs} ms${cause}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => wake(), remainingMs);
        const wake = (): void => {
          clearTimeout(timer);
          this.readyWaiters.delete(wake);
          resolve();
        };
        this.readyWaiters.add(wake);
      });
    }
  }

  private wakeReadyWaiters(): void {
    for (const wake of [...this.readyWaiters]) wake();
  }

  /** Publishes until every message is confirmed, across reconnections, within connectionTimeoutMs. */
  private async publishReliably(outgoing: Outgoing[]): Promise<void> {
    const deadline = Date.now() + this.connectionTimeoutMs;
    let pending = outgoing;
    let pauseMs = 50;
    for (;;) {
      const { channel } = await this.ready(deadline);
      const result = await publishPipelined(channel, pending, this.publishWindow);
      if (result.failed.length === 0) return;
      if (result.unpublishable || Date.now() >= deadline) {
        throw new Error(
          `${result.failed.length} of ${outgoing.length} messages were not confirmed by RabbitMQ: ${describeError(result.lastError)}`,
        );
      }
      this.logger.warn({ unconfirmed: result.failed.length, err: result.lastError }, 'publishing again what RabbitMQ did not confirm');
      pending = result.failed;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pauseMs, Math.max(deadline - Date.now(), 0))));
      pauseMs = Math.min(pauseMs * 2, 1000);
    }
  }

  /** Runs `work` on a short-lived channel: a channel error there (404) cannot hurt the others. */
  private async withChannel<T>(work: (channel: ConfirmChannel) => Promise<T>): Promise<T> {
    this.assertOpen();
    const { model } = await this.ready(Date.now() + this.connectionTimeoutMs);
    const channel = await model.createConfirmChannel();
    channel.setMaxListeners(0);
    channel.on('error', () => undefined); // surfaces as the rejection of the operation that caused it
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  private async takeDeadLetters(channel: ConfirmChannel, queue: string, limit: number): Promise<GetMessage[]> {
    const taken: GetMessage[] = [];
    try {
      while (taken.length < limit) {
        const message = await channel.get(deadLetterQueueName(queue), { noAck: false });
        if (message === false) break;
        taken.push(message);
      }
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    return taken;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('the event bus is closed');
  }
}

function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'amqp://(unparseable url)';
  }
}
