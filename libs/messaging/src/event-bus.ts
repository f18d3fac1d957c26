// The event bus port. Services depend on this interface only; the RabbitMQ transport
// (distributed mode) and the in-process transport (embedded mode) implement it with the
// same semantics, proven by one contract test suite run against both.

/** A message on the wire: an encoded EventEnvelope plus routing metadata. */
export interface BusMessage {
  /** Envelope id (uuid): the idempotency key consumers record in their inbox. */
  id: string;
  /** `<domain>.<event>[.<channel>]`, e.g. `inventory.availability_changed.shopify`. */
  routingKey: string;
  /** The encoded `retail.common.v1.EventEnvelope`. */
  body: Buffer;
  /** Transport headers; `traceparent` is always carried here as well as in the envelope. */
  headers: Record<string, string>;
}

/** A message handed to a handler. */
export interface Delivery extends BusMessage {
  /** 1 on first delivery; counts retries and broker redeliveries. */
  attempt: number;
  /** The queue it was consumed from. */
  queue: string;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface ConsumerOptions {
  /** `<service>.<purpose>`; the dead-letter queue is `<queue>.dlq`. */
  queue: string;
  /** Routing-key patterns on the topic exchange (`*` one word, `#` zero or more). */
  bindings: string[];
  /** Unacknowledged deliveries in flight at once. Default 50. */
  prefetch?: number;
  /** Total deliveries (first + retries + redeliveries) before dead-lettering. Default 5. */
  deliveryLimit?: number;
  /** Delay before retry n (index n-1; the last one repeats). Default [1000, 5000, 30000]. */
  retryDelaysMs?: number[];
}

export interface Consumer {
  /** Stops taking new deliveries and waits for in-flight handlers to settle. */
  drain(): Promise<void>;
}

/** Headers that a dead-lettered message carries, so operations can see why and replay it. */
export const DeadLetterHeaders = {
  error: 'x-error',
  attempts: 'x-attempts',
  originalRoutingKey: 'x-original-routing-key',
  originalQueue: 'x-original-queue',
  failedAt: 'x-failed-at',
} as const;

export interface DeadLetter extends BusMessage {
  reason: string;
  attempts: number;
  originalQueue: string;
}

export interface EventBus {
  /** Resolves once the broker has confirmed every message (publisher confirms, pipelined). */
  publish(messages: BusMessage[]): Promise<void>;
  consume(options: ConsumerOptions, handler: DeliveryHandler): Promise<Consumer>;
  /** Puts a message straight into `<queue>.dlq` with a reason (boundary validation failures). */
  deadLetter(queue: string, message: BusMessage, reason: string): Promise<void>;
  /** Reads dead letters without removing them. */
  peekDeadLetters(queue: string, limit: number): Promise<DeadLetter[]>;
  /** Moves up to `limit` dead letters back onto `queue` with a fresh attempt count. */
  replayDeadLetters(queue: string, limit: number): Promise<number>;
  /** Messages waiting in `<queue>.dlq`. */
  deadLetterCount(queue: string): Promise<number>;
  /** True while connected (used by /readyz). */
  isReady(): boolean;
  close(): Promise<void>;
}

/** Thrown by a handler for a message that can never succeed: dead-lettered at once, no retry. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}
