// The adapter's own metrics (ARCHITECTURE §7, per channel: API calls, throttled waits, errors,
// push latency, order intake), labelled by channel account: each selling partner has its own
// limits and health.
import type { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { SpApiCallObserver } from '../amazon/sp-api.client.js';
import type { PendingCounts } from '../availability/desired-listing.repository.js';

// From sub-second patches to the minutes a feed takes.
const PUSH_LATENCY_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

type Account = 'channel_account_id';

export class ChannelAmazonMetrics {
  private readonly apiCalls: Counter<Account | 'operation' | 'outcome'>;
  private readonly apiCallSeconds: Histogram<'operation'>;
  private readonly throttledWaits: Counter<Account | 'operation'>;
  private readonly throttledWaitSeconds: Counter<Account>;
  private readonly loopErrors: Counter<Account | 'duty' | 'kind'>;
  private readonly refusedUpdates: Counter<Account | 'code'>;
  private readonly updatesPushed: Counter<Account | 'method'>;
  private readonly staleUpdates: Counter<Account>;
  private readonly pushLatency: Histogram<Account>;
  private readonly feedsSubmitted: Counter<Account | 'feed_type'>;
  private readonly ordersSubmitted: Counter<Account | 'outcome'>;
  private readonly ordersRejected: Counter<Account>;
  private readonly channelCancellations: Counter<Account>;
  private readonly feedActions: Counter<Account | 'kind' | 'outcome'>;
  private readonly shipments: Counter<Account | 'outcome'>;
  private readonly shipmentsNotApplied: Counter<Account>;

  constructor(private readonly metrics: ServiceMetrics) {
    this.apiCalls = metrics.counter('api_calls_total', 'SP-API requests, by operation and outcome (ok or the failure kind).', [
      'channel_account_id',
      'operation',
      'outcome',
    ]);
    this.apiCallSeconds = metrics.histogram('api_call_seconds', 'Duration of one SP-API request.', ['operation']);
    this.throttledWaits = metrics.counter('throttled_waits_total', "Requests that waited for their operation's token bucket.", [
      'channel_account_id',
      'operation',
    ]);
    this.throttledWaitSeconds = metrics.counter('throttled_wait_seconds_total', 'Time spent waiting for token buckets.', [
      'channel_account_id',
    ]);
    this.loopErrors = metrics.counter(
      'loop_errors_total',
      'Failed iterations of a background duty (orders, order-feeds, availability), by kind.',
      ['channel_account_id', 'duty', 'kind'],
    );
    this.refusedUpdates = metrics.counter('refused_updates_total', 'Availability updates put on hold after Amazon refused them.', [
      'channel_account_id',
      'code',
    ]);
    this.updatesPushed = metrics.counter('availability_updates_pushed_total', 'SKU quantities Amazon took, by method (patch or feed).', [
      'channel_account_id',
      'method',
    ]);
    this.staleUpdates = metrics.counter('stale_updates_dropped_total', 'Availability updates dropped because a newer version was stored.', [
      'channel_account_id',
    ]);
    this.pushLatency = metrics.histogram(
      'availability_push_latency_seconds',
      'From the upstream change (AvailabilityChanged.source_changed_at) to Amazon taking the quantity.',
      ['channel_account_id'],
      PUSH_LATENCY_BUCKETS_SECONDS,
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
    this.feedActions = metrics.counter(
      'order_feed_actions_total',
      'Acknowledgements and cancellations by their feed outcome (done, failed, retried).',
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

  spApiObserver(channelAccountId: string): SpApiCallObserver {
    return {
      call: (operation, outcome, seconds) => {
        this.apiCalls.inc({ channel_account_id: channelAccountId, operation, outcome });
        this.apiCallSeconds.observe({ operation }, seconds);
      },
      throttleWait: (operation, seconds) => {
        this.throttledWaits.inc({ channel_account_id: channelAccountId, operation });
        this.throttledWaitSeconds.inc({ channel_account_id: channelAccountId }, seconds);
      },
    };
  }

  trackPending(readCounts: () => Promise<Map<string, PendingCounts>>): void {
    this.metrics.gauge(
      'pending_updates',
      'SKU quantities not yet taken by Amazon: waiting for a push, or held after a refusal.',
      ['channel_account_id', 'state'],
      async (gauge: Gauge<'channel_account_id' | 'state'>) => {
        const counts = await readCounts().catch(() => undefined);
        gauge.reset();
        for (const [channelAccountId, { waiting, held }] of counts ?? []) {
          gauge.set({ channel_account_id: channelAccountId, state: 'waiting' }, waiting);
          gauge.set({ channel_account_id: channelAccountId, state: 'held' }, held);
        }
      },
    );
  }

  loopFailed(channelAccountId: string, duty: string, kind: string): void {
    this.loopErrors.inc({ channel_account_id: channelAccountId, duty, kind });
  }

  pushed(channelAccountId: string, method: 'patch' | 'feed', count: number, latenciesSeconds: readonly number[]): void {
    if (count > 0) this.updatesPushed.inc({ channel_account_id: channelAccountId, method }, count);
    for (const seconds of latenciesSeconds) this.pushLatency.observe({ channel_account_id: channelAccountId }, seconds);
  }

  refused(channelAccountId: string, code: string): void {
    this.refusedUpdates.inc({ channel_account_id: channelAccountId, code });
  }

  staleDropped(channelAccountId: string): void {
    this.staleUpdates.inc({ channel_account_id: channelAccountId });
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
