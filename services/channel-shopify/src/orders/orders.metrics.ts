// Metrics of the order flow (ARCHITECTURE §7: per channel intake, errors, calls), labelled by
// channel account: each store has its own webhooks, limits and failures.
import type { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Histogram } from 'prom-client';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'unauthorized' | 'invalid' | 'unknown_account';
export type OrderAction = 'acknowledge' | 'fulfil' | 'cancel';
/** The order poll's passes (channel-kit's order-poll-window.ts). */
export type PollPass = 'settled' | 'fresh';

export class OrdersMetrics {
  private readonly webhooks: Counter<'channel_account_id' | 'topic' | 'outcome'>;
  private readonly webhookAnswerSeconds: Histogram<'channel_account_id'>;
  private readonly ordersStored: Counter<'channel_account_id' | 'source'>;
  private readonly submitted: Counter<'channel_account_id' | 'outcome'>;
  private readonly intakeFailures: Counter<'channel_account_id' | 'kind'>;
  private readonly polls: Counter<'channel_account_id' | 'outcome'>;
  private readonly pollListed: Counter<'channel_account_id' | 'pass'>;
  private readonly actions: Counter<'channel_account_id' | 'action' | 'outcome'>;

  constructor(metrics: ServiceMetrics) {
    this.webhooks = metrics.counter('webhook_deliveries_total', 'Shopify webhook deliveries received, by topic and outcome.', [
      'channel_account_id',
      'topic',
      'outcome',
    ]);
    // Shopify waits 5 s for an answer, retries a minute later, and removes a subscription after 8
    // failed deliveries in a row (the alert RetailMeshWebhooksSlow watches the 2 s bucket).
    this.webhookAnswerSeconds = metrics.histogram(
      'webhook_answer_seconds',
      'Time from a Shopify webhook request reaching the adapter to its answer (stored and acknowledged, or refused).',
      ['channel_account_id'],
      [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    );
    this.ordersStored = metrics.counter(
      'orders_stored_total',
      'Order payloads stored because they were newer than the one held, by how they arrived (webhook, poll, sync).',
      ['channel_account_id', 'source'],
    );
    this.submitted = metrics.counter('orders_submitted_total', 'Orders submitted to the orders service (created, or existing already).', [
      'channel_account_id',
      'outcome',
    ]);
    this.intakeFailures = metrics.counter(
      'order_intake_failures_total',
      'Order intake attempts that failed: retried later, or rejected until a newer payload.',
      ['channel_account_id', 'kind'],
    );
    this.polls = metrics.counter('order_polls_total', 'Order polls of the backstop, by outcome.', ['channel_account_id', 'outcome']);
    this.pollListed = metrics.counter(
      'order_poll_listed_orders_total',
      'Orders the backstop poll listed (each read whole only when newer than held), by pass (settled, fresh).',
      ['channel_account_id', 'pass'],
    );
    this.actions = metrics.counter('order_actions_total', 'Acknowledgements, fulfilments and cancellations on Shopify, by outcome.', [
      'channel_account_id',
      'action',
      'outcome',
    ]);
  }

  webhook(channelAccountId: string, topic: string, outcome: WebhookOutcome): void {
    this.webhooks.inc({ channel_account_id: channelAccountId, topic, outcome });
  }

  webhookAnswered(channelAccountId: string, seconds: number): void {
    this.webhookAnswerSeconds.observe({ channel_account_id: channelAccountId }, seconds);
  }

  stored(channelAccountId: string, source: string): void {
    this.ordersStored.inc({ channel_account_id: channelAccountId, source });
  }

  submittedOrder(channelAccountId: string, created: boolean): void {
    this.submitted.inc({ channel_account_id: channelAccountId, outcome: created ? 'created' : 'existing' });
  }

  intakeFailed(channelAccountId: string, kind: 'retry' | 'rejected'): void {
    this.intakeFailures.inc({ channel_account_id: channelAccountId, kind });
  }

  polled(channelAccountId: string, outcome: 'ok' | 'failed'): void {
    this.polls.inc({ channel_account_id: channelAccountId, outcome });
  }

  listed(channelAccountId: string, pass: PollPass, orders: number): void {
    this.pollListed.inc({ channel_account_id: channelAccountId, pass }, orders);
  }

  action(channelAccountId: string, action: OrderAction, outcome: 'applied' | 'already' | 'skipped' | 'failed'): void {
    this.actions.inc({ channel_account_id: channelAccountId, action, outcome });
  }
}
