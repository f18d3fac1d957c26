// The delivery rules both transports share (ADR 0002), as pure functions, so the RabbitMQ and
// the in-process transport cannot drift apart: option defaults, what a failure leads to, and
// how dead-letter headers are written and read back.
import { DeadLetterHeaders, PoisonMessageError, type BusMessage, type ConsumerOptions, type DeadLetter } from './event-bus.js';

export const DEFAULT_PREFETCH = 50;
export const DEFAULT_DELIVERY_LIMIT = 5;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30000];

/** Our attempt counter on retried copies; the transport adds its own redelivery count. */
export const ATTEMPT_HEADER = 'x-attempt';

/** Dead-letter reasons end up in AMQP headers, whose table must stay well under 64 KiB. */
const MAX_REASON_LENGTH = 1000;

export interface ResolvedConsumerOptions {
  queue: string;
  bindings: string[];
  prefetch: number;
  deliveryLimit: number;
  retryDelaysMs: readonly number[];
}

export function resolveConsumerOptions(options: ConsumerOptions): ResolvedConsumerOptions {
  const resolved: ResolvedConsumerOptions = {
    queue: options.queue,
    bindings: [...options.bindings],
    prefetch: options.prefetch ?? DEFAULT_PREFETCH,
    deliveryLimit: options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(resolved.queue)) throw new Error(`invalid queue name "${resolved.queue}": use letters, digits, _ . -`);
  if (!isPositiveInteger(resolved.prefetch)) throw new Error(`prefetch must be a positive integer, got ${resolved.prefetch}`);
  if (!isPositiveInteger(resolved.deliveryLimit))
    throw new Error(`deliveryLimit must be a positive integer, got ${resolved.deliveryLimit}`);
  if (resolved.retryDelaysMs.length === 0 || !resolved.retryDelaysMs.every((delay) => Number.isInteger(delay) && delay >= 0)) {
    throw new Error(`retryDelaysMs must be a non-empty list of non-negative integers, got [${resolved.retryDelaysMs.join(', ')}]`);
  }
  return resolved;
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}

/** The delay before the attempt after `failedAttempt`; the last configured delay repeats. */
export function retryDelayFor(failedAttempt: number, retryDelaysMs: readonly number[]): number {
  const index = Math.min(Math.max(failedAttempt - 1, 0), retryDelaysMs.length - 1);
  return retryDelaysMs[index];
}

export type FailureOutcome = { action: 'retry'; delayMs: number } | { action: 'dead-letter'; reason: string };

/** What happens to a delivery whose handler threw on attempt `attempt`. */
export function failureOutcome(
  error: unknown,
  attempt: number,
  options: Pick<ResolvedConsumerOptions, 'deliveryLimit' | 'retryDelaysMs'>,
): FailureOutcome {
  if (error instanceof PoisonMessageError || attempt >= options.deliveryLimit)
    return { action: 'dead-letter', reason: describeError(error) };
  return { action: 'retry', delayMs: retryDelayFor(attempt, options.retryDelaysMs) };
}

/**
 * A delivery past the limit is dead-lettered without running the handler: it only gets there
 * when earlier deliveries were lost mid-handler (a crash or a dropped connection), so running
 * it again risks another crash.
 */
export function isOverDeliveryLimit(attempt: number, deliveryLimit: number): boolean {
  return attempt > deliveryLimit;
}

export function overDeliveryLimitReason(deliveryLimit: number): string {
  return `delivery limit of ${deliveryLimit} exceeded: earlier deliveries were lost before the handler finished`;
}

export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}...` : text;
}

export interface DeadLetterFacts {
  reason: string;
  attempts: number;
  routingKey: string;
  queue: string;
  failedAt: Date;
}

/** The message's own headers plus the dead-letter headers that say where and why it failed. */
export function deadLetterHeaders(headers: Record<string, string>, facts: DeadLetterFacts): Record<string, string> {
  return {
    ...applicationHeaders(headers),
    [DeadLetterHeaders.error]: facts.reason,
    [DeadLetterHeaders.attempts]: String(facts.attempts),
    [DeadLetterHeaders.originalRoutingKey]: facts.routingKey,
    [DeadLetterHeaders.originalQueue]: facts.queue,
    [DeadLetterHeaders.failedAt]: facts.failedAt.toISOString(),
  };
}

/** Reads a message taken from `<queue>.dlq` back into a DeadLetter. */
export function readDeadLetter(message: BusMessage, queue: string): DeadLetter {
  const headers = message.headers;
  const attempts = Number(headers[DeadLetterHeaders.attempts]);
  return {
    id: message.id,
    routingKey: headers[DeadLetterHeaders.originalRoutingKey] ?? message.routingKey,
    body: message.body,
    headers,
    reason: headers[DeadLetterHeaders.error] ?? 'unknown',
    attempts: Number.isInteger(attempts) ? attempts : 0,
    originalQueue: headers[DeadLetterHeaders.originalQueue] ?? queue,
  };
}

const transportHeaderNames = new Set<string>([ATTEMPT_HEADER, ...Object.values(DeadLetterHeaders)]);

/** Headers as the publisher set them, without the ones the transports add on the way. */
export function applicationHeaders(headers: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!transportHeaderNames.has(name)) result[name] = value;
  }
  return result;
}
