// Runs one delivery through a handler and settles it the same way in both transports:
// resolve -> ack; PoisonMessageError or last attempt -> dead letter; other errors -> retry.
// Each transport supplies how to ack, retry and dead-letter on its own plumbing.
import { failureOutcome, isOverDeliveryLimit, overDeliveryLimitReason, type ResolvedConsumerOptions } from './delivery-policy.js';
import type { Delivery, DeliveryHandler } from './event-bus.js';
import type { BusLogger, EventBusObserver } from './event-bus-hooks.js';

/** How a transport settles a delivery. Each throws when the delivery can no longer be settled. */
export interface DeliverySettlement {
  ack(): Promise<void>;
  retry(delayMs: number): Promise<void>;
  deadLetter(reason: string, attempts: number): Promise<void>;
}

export interface DeliveryContext {
  options: ResolvedConsumerOptions;
  observer: EventBusObserver;
  logger: BusLogger;
}

export async function runDelivery(
  delivery: Delivery,
  handler: DeliveryHandler,
  settlement: DeliverySettlement,
  context: DeliveryContext,
): Promise<void> {
  const { options, logger } = context;
  const where = { queue: delivery.queue, id: delivery.id, routingKey: delivery.routingKey, attempt: delivery.attempt };

  if (isOverDeliveryLimit(delivery.attempt, options.deliveryLimit)) {
    const reason = overDeliveryLimitReason(options.deliveryLimit);
    await settlement.deadLetter(reason, delivery.attempt - 1);
    logger.warn({ ...where, reason }, 'message dead-lettered');
    notify(context, (observer) => observer.deadLettered?.(delivery.queue, reason));
    return;
  }

  const started = performance.now();
  try {
    await handler(delivery);
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    notify(context, (observer) => observer.failed?.(delivery.queue, seconds, error));
    const outcome = failureOutcome(error, delivery.attempt, options);
    if (outcome.action === 'retry') {
      await settlement.retry(outcome.delayMs);
      logger.info({ ...where, delayMs: outcome.delayMs, err: error }, 'handler failed; retry scheduled');
      notify(context, (observer) => observer.retried?.(delivery.queue, outcome.delayMs));
    } else {
      await settlement.deadLetter(outcome.reason, delivery.attempt);
      logger.warn({ ...where, reason: outcome.reason }, 'message dead-lettered');
      notify(context, (observer) => observer.deadLettered?.(delivery.queue, outcome.reason));
    }
    return;
  }
  const seconds = (performance.now() - started) / 1000;
  await settlement.ack();
  notify(context, (observer) => observer.handled?.(delivery.queue, seconds));
}

// A broken metrics hook must not turn a handled message into a failed one.
function notify(context: DeliveryContext, call: (observer: EventBusObserver) => void): void {
  try {
    call(context.observer);
  } catch (error) {
    context.logger.error({ err: error }, 'event bus observer threw');
  }
}
