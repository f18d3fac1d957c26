// Maps bus messages to AMQP publishes and AMQP messages back to deliveries and dead letters.
import type { Message, Options } from 'amqplib';
import { applicationHeaders, ATTEMPT_HEADER, deadLetterHeaders, readDeadLetter } from '../delivery-policy.js';
import { DeadLetterHeaders, type BusMessage, type DeadLetter, type Delivery } from '../event-bus.js';
import { deadLetterQueueName } from './rabbitmq-topology.js';

/** One basic.publish. */
export interface Outgoing {
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
}

const DELIVERY_COUNT_HEADER = 'x-delivery-count';

/** Headers the broker adds (quorum delivery count, dead-lettering history). */
function isBrokerHeader(name: string): boolean {
  return name === DELIVERY_COUNT_HEADER || name === 'x-death' || name.startsWith('x-first-death-') || name.startsWith('x-last-death-');
}

export function publishOptions(message: BusMessage, extraHeaders: Record<string, string> = {}): Options.Publish {
  return { persistent: true, messageId: message.id, headers: { ...message.headers, ...extraHeaders } };
}

/** A copy that goes straight to `queue` (retry tier, replay) and keeps its routing key in a header. */
export function directCopy(queue: string, message: BusMessage, attempt: number): Outgoing {
  const headers: Record<string, string> = { [DeadLetterHeaders.originalRoutingKey]: message.routingKey };
  if (attempt > 1) headers[ATTEMPT_HEADER] = String(attempt);
  return {
    exchange: '',
    routingKey: queue,
    body: message.body,
    options: publishOptions({ ...message, headers: applicationHeaders(message.headers) }, headers),
  };
}

/** A copy for `<queue>.dlq` carrying why, when and after how many attempts it failed. */
export function deadLetterCopy(queue: string, message: BusMessage, reason: string, attempts: number): Outgoing {
  const headers = deadLetterHeaders(message.headers, { reason, attempts, routingKey: message.routingKey, queue, failedAt: new Date() });
  return { exchange: '', routingKey: deadLetterQueueName(queue), body: message.body, options: publishOptions({ ...message, headers }) };
}

/** The AMQP headers as strings, without the broker's own bookkeeping. */
function stringHeaders(message: Message): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (isBrokerHeader(name)) continue;
    if (typeof value === 'string') headers[name] = value;
    else if (Buffer.isBuffer(value)) headers[name] = value.toString('utf8');
    else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') headers[name] = String(value);
  }
  return headers;
}

function toBusMessage(message: Message): BusMessage {
  const headers = stringHeaders(message);
  return {
    id: typeof message.properties.messageId === 'string' ? message.properties.messageId : '',
    routingKey: headers[DeadLetterHeaders.originalRoutingKey] ?? message.fields.routingKey,
    body: message.content,
    headers,
  };
}

/** Attempt = our x-attempt (1 + retries) + the broker's count of deliveries lost unsettled. */
export function toDelivery(message: Message, queue: string): Delivery {
  const raw = message.properties.headers ?? {};
  const attemptHeader = Number(raw[ATTEMPT_HEADER]);
  const deliveryCount = Number(raw[DELIVERY_COUNT_HEADER]);
  const busMessage = toBusMessage(message);
  return {
    ...busMessage,
    headers: applicationHeaders(busMessage.headers),
    attempt:
      (Number.isInteger(attemptHeader) && attemptHeader > 0 ? attemptHeader : 1) + (Number.isInteger(deliveryCount) ? deliveryCount : 0),
    queue,
  };
}

/**
 * A message from `<queue>.dlq`. Ours carry the dead-letter headers; one the broker
 * dead-lettered itself (the delivery-limit backstop) carries x-death facts instead.
 */
export function toDeadLetter(message: Message, queue: string): DeadLetter {
  const busMessage = toBusMessage(message);
  const raw = message.properties.headers ?? {};
  if (busMessage.headers[DeadLetterHeaders.error] === undefined && typeof raw['x-first-death-reason'] === 'string') {
    busMessage.headers[DeadLetterHeaders.error] = `dead-lettered by the broker: ${raw['x-first-death-reason']}`;
    if (typeof raw['x-first-death-queue'] === 'string') busMessage.headers[DeadLetterHeaders.originalQueue] = raw['x-first-death-queue'];
  }
  return readDeadLetter(busMessage, queue);
}
