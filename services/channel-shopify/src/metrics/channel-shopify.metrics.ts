// The adapter's own metrics (ARCHITECTURE §7, per channel: API calls, throttled waits, errors,
// push latency), labelled by channel account: each Shopify store has its own limits and health.
import type { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { PendingCounts } from '../availability/desired-inventory.repository.js';
import type { ShopifyCallObserver } from '../shopify/shopify-admin.client.js';

// From sub-second pushes to the minutes a throttled or failing store can take.
const PUSH_LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

export class ChannelShopifyMetrics {
  private readonly apiCalls: Counter<'channel_account_id' | 'operation' | 'outcome'>;
  private readonly apiCallSeconds: Histogram<'operation'>;
  private readonly throttledWaits: Counter<'channel_account_id' | 'operation'>;
  private readonly throttledWaitSeconds: Counter<'channel_account_id'>;
  private readonly pushErrors: Counter<'channel_account_id' | 'kind'>;
  private readonly refusedUpdates: Counter<'channel_account_id' | 'code'>;
  private readonly updatesPushed: Counter<'channel_account_id'>;
  private readonly staleUpdates: Counter<'channel_account_id'>;
  private readonly compareDrift: Counter<'channel_account_id'>;
  private readonly pushLatency: Histogram<'channel_account_id'>;

  constructor(private readonly metrics: ServiceMetrics) {
    this.apiCalls = metrics.counter('api_calls_total', 'Shopify Admin API requests, by operation and outcome (ok or the failure kind).', [
      'channel_account_id',
      'operation',
      'outcome',
    ]);
    this.apiCallSeconds = metrics.histogram('api_call_seconds', 'Duration of one Shopify Admin API request.', ['operation']);
    this.throttledWaits = metrics.counter('throttled_waits_total', "Requests that waited for the store's cost bucket before being sent.", [
      'channel_account_id',
      'operation',
    ]);
    this.throttledWaitSeconds = metrics.counter('throttled_wait_seconds_total', "Time spent waiting for the store's cost bucket.", [
      'channel_account_id',
    ]);
    this.pushErrors = metrics.counter('push_errors_total', 'Availability pushes that failed after the retries; the rows stay pending.', [
      'channel_account_id',
      'kind',
    ]);
    this.refusedUpdates = metrics.counter('refused_updates_total', 'Availability updates put on hold: no listing, or refused by Shopify.', [
      'channel_account_id',
      'code',
    ]);
    this.updatesPushed = metrics.counter('availability_updates_pushed_total', 'SKU quantities Shopify accepted.', ['channel_account_id']);
    this.staleUpdates = metrics.counter(
      'stale_updates_dropped_total',
      'Availability updates dropped because a newer version was already stored.',
      ['channel_account_id'],
    );
    this.compareDrift = metrics.counter(
      'compare_drift_total',
      'Compare-and-set mismatches: Shopify held a quantity other than the one last seen (changed outside the mesh).',
      ['channel_account_id'],
    );
    this.pushLatency = metrics.histogram(
      'availability_push_latency_seconds',
      'From the upstream change (AvailabilityChanged.source_changed_at) to Shopify accepting the quantity.',
      ['channel_account_id'],
      PUSH_LATENCY_BUCKETS_SECONDS,
    );
  }

  /** The Shopify client observer of one account. */
  shopifyCallObserver(channelAccountId: string): ShopifyCallObserver {
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

  /** Pending rows per account and state (waiting, held), read from the database at scrape time. */
  trackPending(readCounts: () => Promise<Map<string, PendingCounts>>): void {
    this.metrics.gauge(
      'pending_updates',
      'SKU quantities not yet accepted by Shopify: waiting for a push, or held after a refusal.',
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

  pushed(channelAccountId: string, count: number, latenciesSeconds: readonly number[]): void {
    this.updatesPushed.inc({ channel_account_id: channelAccountId }, count);
    for (const seconds of latenciesSeconds) this.pushLatency.observe({ channel_account_id: channelAccountId }, seconds);
  }

  pushFailed(channelAccountId: string, kind: string): void {
    this.pushErrors.inc({ channel_account_id: channelAccountId, kind });
  }

  refused(channelAccountId: string, code: string): void {
    this.refusedUpdates.inc({ channel_account_id: channelAccountId, code });
  }

  staleDropped(channelAccountId: string, count = 1): void {
    if (count > 0) this.staleUpdates.inc({ channel_account_id: channelAccountId }, count);
  }

  drifted(channelAccountId: string, count: number): void {
    if (count > 0) this.compareDrift.inc({ channel_account_id: channelAccountId }, count);
  }
}
