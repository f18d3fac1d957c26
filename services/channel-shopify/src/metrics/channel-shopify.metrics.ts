// The adapter's own metrics: channel-kit's per-channel set (API calls, throttled waits, pushes,
// push latency, pending rows), labelled by channel account (each Shopify store has its own limits
// and health), plus the push failures and compare-and-set drift of Shopify pushes.
import { ChannelAdapterMetrics } from '@retail-mesh/channel-kit';
import type { ServiceMetrics } from '@retail-mesh/observability';
import type { Counter } from 'prom-client';

// From sub-second pushes to the minutes a throttled or failing store can take.
const PUSH_LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

export class ChannelShopifyMetrics extends ChannelAdapterMetrics {
  private readonly pushErrors: Counter<'channel_account_id' | 'kind'>;
  private readonly compareDrift: Counter<'channel_account_id'>;

  constructor(metrics: ServiceMetrics) {
    super(metrics, { channelName: 'Shopify', apiName: 'Shopify Admin API', pushLatencyBucketsSeconds: PUSH_LATENCY_BUCKETS_SECONDS });
    this.pushErrors = metrics.counter('push_errors_total', 'Availability pushes that failed after the retries; the rows stay pending.', [
      'channel_account_id',
      'kind',
    ]);
    this.compareDrift = metrics.counter(
      'compare_drift_total',
      'Compare-and-set mismatches: Shopify held a quantity other than the one last seen (changed outside the mesh).',
      ['channel_account_id'],
    );
  }

  pushFailed(channelAccountId: string, kind: string): void {
    this.pushErrors.inc({ channel_account_id: channelAccountId, kind });
  }

  drifted(channelAccountId: string, count: number): void {
    if (count > 0) this.compareDrift.inc({ channel_account_id: channelAccountId }, count);
  }
}
