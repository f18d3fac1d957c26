// The adapter's own metrics: channel-kit's per-channel set (API calls, throttled waits, pushes by
// method, push latency, pending rows), labelled by channel account (each selling partner has its
// own limits and health), plus the failures of its background duties, feeds and order intake.
import { ChannelAdapterMetrics } from '@retail-mesh/channel-kit';
import type { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter } from 'prom-client';

// From sub-second patches to the minutes a feed takes.
const PUSH_LATENCY_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

type Account = 'channel_account_id';
/** The order poll's passes (orders/order-poll-passes.ts). */
export type PollPass = 'settled' | 'fresh';

export class ChannelAmazonMetrics extends ChannelAdapterMetrics {
  private readonly loopErrors: Counter<Account | 'duty' | 'kind'>;
  private readonly feedsSubmitted: Counter<Account | 'feed_type'>;
  private readonly ordersSubmitted: Counter<Account | 'outcome'>;
  private readonly ordersRejected: Counter<Account>;
  private readonly channelCancellations: Counter<Account>;
  private readonly channelShipments: Counter<Account>;
  private readonly pollListings: Counter<Account | 'pass'>;
  private readonly feedActions: Counter<Account | 'kind' | 'outcome'>;
  private readonly shipments: Counter<Account | 'outcome'>;
  private readonly shipmentsNotApplied: Counter<Account>;

  constructor(metrics: ServiceMetrics) {
    super(metrics, {
      channelName: 'Amazon',
      apiName: 'SP-API',
      pushLatencyBucketsSeconds: PUSH_LATENCY_BUCKETS_SECONDS,
      // patchListingsItem per SKU, or one JSON_LISTINGS_FEED.
      pushMethodLabel: true,
    });
    this.loopErrors = metrics.counter(
      'loop_errors_total',
      'Failed iterations of a background duty (orders, order-feeds, availability), by kind.',
      ['channel_account_id', 'duty', 'kind'],
    );
    this.feedsSubmitted = metrics.counter('feeds_submitted_total', 'Feeds submitted, by feed type.', ['channel_account_id', 'feed_type']);
    this.ordersSubmitted = metrics.counter('orders_submitted_total', 'Amazon orders handed to the orders service (created or existing).', [
      'channel_account_id',
      'outcome',
    ]);
    this.ordersRejected = metrics.counter('orders_unmappable_total', 'Amazon orders that could not be mapped to the canonical order.', [
      'channel_account_id',
    ]);
    this.channelCancellations = metrics.counter(
      'channel_cancellations_total',
      'Orders cancelled on Amazon passed on to the orders service.',
      ['channel_account_id'],
    );
    this.channelShipments = metrics.counter(
      'channel_shipments_reported_total',
      'Shipments Amazon made of orders it fulfils (AFN) reported to the mesh.',
      ['channel_account_id'],
    );
    this.pollListings = metrics.counter(
      'order_poll_listed_orders_total',
      'Orders the getOrders poll listed (each handled only when it changed since last read), by pass (settled, fresh).',
      ['channel_account_id', 'pass'],
    );
    this.feedActions = metrics.counter(
      'order_feed_actions_total',
      'Acknowledgements, cancellations and order adjustments (kind) by their feed outcome (done, failed, retried).',
      ['channel_account_id', 'kind', 'outcome'],
    );
    this.shipments = metrics.counter(
      'shipment_confirmations_total',
      'Shipments confirmed on Amazon (confirmed) or found already applied.',
      ['channel_account_id', 'outcome'],
    );
    this.shipmentsNotApplied = metrics.counter(
      'shipment_confirmations_not_applied_total',
      'confirmShipment calls Amazon answered 204 but the read-back did not show: sent again.',
      ['channel_account_id'],
    );
  }

  loopFailed(channelAccountId: string, duty: string, kind: string): void {
    this.loopErrors.inc({ channel_account_id: channelAccountId, duty, kind });
  }

  feedSubmitted(channelAccountId: string, feedType: string): void {
    this.feedsSubmitted.inc({ channel_account_id: channelAccountId, feed_type: feedType });
  }

  orderSubmitted(channelAccountId: string, created: boolean): void {
    this.ordersSubmitted.inc({ channel_account_id: channelAccountId, outcome: created ? 'created' : 'existing' });
  }

  orderUnmappable(channelAccountId: string): void {
    this.ordersRejected.inc({ channel_account_id: channelAccountId });
  }

  channelCancelled(channelAccountId: string): void {
    this.channelCancellations.inc({ channel_account_id: channelAccountId });
  }

  channelShipmentReported(channelAccountId: string): void {
    this.channelShipments.inc({ channel_account_id: channelAccountId });
  }

  pollListed(channelAccountId: string, pass: PollPass, orders: number): void {
    this.pollListings.inc({ channel_account_id: channelAccountId, pass }, orders);
  }

  feedAction(channelAccountId: string, kind: string, outcome: 'done' | 'failed' | 'retried', count = 1): void {
    if (count > 0) this.feedActions.inc({ channel_account_id: channelAccountId, kind, outcome }, count);
  }

  shipmentConfirmed(channelAccountId: string, outcome: 'confirmed' | 'already_applied'): void {
    this.shipments.inc({ channel_account_id: channelAccountId, outcome });
  }

  shipmentNotApplied(channelAccountId: string): void {
    this.shipmentsNotApplied.inc({ channel_account_id: channelAccountId });
  }
}
