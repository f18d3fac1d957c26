// The exchanges and queues of ADR 0002, declared idempotently by whoever needs them (a consumer
// on start and after every reconnect; deadLetter before it writes). Queue arguments are fixed
// at first declaration: RabbitMQ refuses a redeclare with different ones (PRECONDITION_FAILED).
import type { Channel } from 'amqplib';
import type { ResolvedConsumerOptions } from '../delivery-policy.js';

export const DEFAULT_EXCHANGE = 'retail.events';
export const DEFAULT_DEAD_LETTER_EXCHANGE = 'retail.dlx';

export interface ExchangeNames {
  /** Durable topic exchange every event is published to. */
  events: string;
  /** Durable direct exchange the broker dead-letters to, keyed by `<queue>.dlq`. */
  deadLetters: string;
}

export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`;
}

export function retryQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}`;
}

// At-least-once dead-lettering keeps a message in its quorum queue until the target queue has
// confirmed it, so nothing is lost if the broker fails mid-way; RabbitMQ only honours it
// together with reject-publish overflow.
const atLeastOnceDeadLettering = {
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
};

export function consumerQueueArguments(
  options: Pick<ResolvedConsumerOptions, 'queue' | 'deliveryLimit'>,
  exchanges: ExchangeNames,
): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    // The handler-level limit is enforced by the consumer (it sees the attempt number); this
    // broker-side limit is the backstop for a message that keeps killing its consumer before
    // the consumer can act: one delivery more than the limit reaches the consumer, which
    // dead-letters it with reasons; past that the broker dead-letters it itself.
    'x-delivery-limit': options.deliveryLimit,
    'x-dead-letter-exchange': exchanges.deadLetters,
    'x-dead-letter-routing-key': deadLetterQueueName(options.queue),
    ...atLeastOnceDeadLettering,
  };
}

export function retryQueueArguments(queue: string, delayMs: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-message-ttl': delayMs,
    // Expired messages go back to the consumer queue through the default exchange.
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
    ...atLeastOnceDeadLettering,
  };
}

// Quorum like the consumer queues: dead letters wait for an operator, possibly for days, and
// must survive the loss of a broker node in a cluster. No delivery limit: peeking returns
// messages to the queue and must never push them anywhere else.
export const deadLetterQueueArguments: Record<string, unknown> = { 'x-queue-type': 'quorum' };

export async function declareExchanges(channel: Channel, exchanges: ExchangeNames): Promise<void> {
  await channel.assertExchange(exchanges.events, 'topic', { durable: true });
  await channel.assertExchange(exchanges.deadLetters, 'direct', { durable: true });
}

export async function declareDeadLetterQueue(channel: Channel, queue: string, exchanges: ExchangeNames): Promise<void> {
  const dlq = deadLetterQueueName(queue);
  await channel.assertQueue(dlq, { durable: true, arguments: deadLetterQueueArguments });
  await channel.bindQueue(dlq, exchanges.deadLetters, dlq);
}

/** The consumer queue with its bindings, its dead-letter queue and one retry queue per delay. */
export async function declareConsumerTopology(channel: Channel, options: ResolvedConsumerOptions, exchanges: ExchangeNames): Promise<void> {
  await declareDeadLetterQueue(channel, options.queue, exchanges);
  await channel.assertQueue(options.queue, { durable: true, arguments: consumerQueueArguments(options, exchanges) });
  for (const pattern of options.bindings) await channel.bindQueue(options.queue, exchanges.events, pattern);
  for (const delayMs of new Set(options.retryDelaysMs)) {
    await channel.assertQueue(retryQueueName(options.queue, delayMs), {
      durable: true,
      arguments: retryQueueArguments(options.queue, delayMs),
    });
  }
}
