// Cancelling an order: by the merchant in the Shopify admin (at once) or by orderCancel (a
// background job that applies promptly; the order shows `cancelledAt` only once it has run).
// Irreversible, refused for an order already cancelled or with fulfilments. With a refund, every
// captured amount goes back (REFUND transactions) and authorizations are voided.
import type { SandboxServices } from '../sandbox-services.js';
import type { ShopState } from '../shops/shop-registry.js';
import { WEBHOOK_TOPICS } from '../webhooks/webhook-topics.js';
import { orderChanged } from './order-changes.js';
import type { CancellationState, JobState, OrderState } from './order-state.js';
import { refundAll } from './refunds.js';

export interface CancelProblem {
  code: 'INVALID' | 'NOT_FOUND';
  field: string[];
  message: string;
}

export function cancelProblem(order: OrderState | undefined): CancelProblem | undefined {
  if (!order) return { code: 'NOT_FOUND', field: ['orderId'], message: 'Order does not exist.' };
  if (order.cancelledAtMs !== null) return { code: 'INVALID', field: ['orderId'], message: 'Order has already been cancelled.' };
  if (order.fulfillments.some((fulfillment) => fulfillment.status === 'SUCCESS')) {
    return { code: 'INVALID', field: ['orderId'], message: 'Cannot cancel an order with fulfillments.' };
  }
  return undefined;
}

/** Cancels now and delivers orders/cancelled and orders/updated. */
export function applyCancel(services: SandboxServices, shop: ShopState, order: OrderState, cancellation: CancellationState): void {
  const now = services.registry.nowMs();
  order.cancelledAtMs = now;
  order.closedAtMs = now;
  order.cancellation = cancellation;
  const stamp = new Date(now).toISOString();
  if (cancellation.refund) refundAll(services.registry, order, stamp);
  if (cancellation.refund && ['paid', 'partially_paid', 'partially_refunded'].includes(order.financialStatus))
    order.financialStatus = 'refunded';
  else if (['pending', 'authorized'].includes(order.financialStatus)) order.financialStatus = 'voided';
  for (const fulfillmentOrder of order.fulfillmentOrders) {
    if (fulfillmentOrder.status === 'CLOSED') continue;
    fulfillmentOrder.status = 'CANCELLED';
    fulfillmentOrder.updatedAt = stamp;
  }
  orderChanged(services, shop, order, [WEBHOOK_TOPICS.ORDERS_CANCELLED, WEBHOOK_TOPICS.ORDERS_UPDATED]);
}

/** orderCancel: a job that cancels the order after `services.orderCancelDelayMs`, unless it can no longer be cancelled then. */
export function startCancelJob(services: SandboxServices, shop: ShopState, order: OrderState, cancellation: CancellationState): JobState {
  const job: JobState = { id: services.registry.newId('Job').id, done: false };
  shop.jobs.set(job.id, job);
  services.timers.schedule(services.orderCancelDelayMs, () => {
    if (!cancelProblem(order)) applyCancel(services, shop, order, cancellation);
    job.done = true;
  });
  return job;
}
