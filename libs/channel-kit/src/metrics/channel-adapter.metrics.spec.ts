import { ServiceMetrics } from '@retail-mesh/observability';
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelAdapterMetrics } from './channel-adapter.metrics.js';

const created: ServiceMetrics[] = [];
function serviceMetrics(service: string): ServiceMetrics {
  const metrics = new ServiceMetrics({ service, processMetrics: false });
  created.push(metrics);
  return metrics;
}

afterEach(() => {
  for (const metrics of created.splice(0)) metrics.close();
});

/** The sample lines of the exposition, without HELP/TYPE. */
async function samples(metrics: ServiceMetrics): Promise<string[]> {
  return (await metrics.render()).split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('ChannelAdapterMetrics', () => {
  it('names the metrics after the service and labels them by channel account', async () => {
    const service = serviceMetrics('channel-test');
    const metrics = new ChannelAdapterMetrics(service, {
      channelName: 'Test',
      apiName: 'Test API',
      pushLatencyBucketsSeconds: [1, 10],
    });
    const observer = metrics.apiCallObserver('acct-1');
    observer.call('setQuantities', 'ok', 0.2);
    observer.throttleWait('setQuantities', 1.5);
    metrics.pushed('acct-1', 3, [0.5, 20]);
    const readAt = new Date('2026-11-29T12:00:05Z');
    metrics.pendingRead(
      'acct-1',
      [{ updatedAt: new Date('2026-11-29T12:00:04.5Z') }, { updatedAt: new Date('2026-11-29T12:00:00Z') }],
      readAt,
    );
    metrics.refused('acct-1', 'NOT_LISTED');
    metrics.staleDropped('acct-1', 2);
    metrics.staleDropped('acct-1');
    metrics.staleDropped('acct-2', 0);
    metrics.trackPending(async () => new Map([['acct-1', { waiting: 4, held: 1 }]]));

    const lines = await samples(service);
    expect(lines).toEqual(
      expect.arrayContaining([
        'retail_mesh_channel_test_api_calls_total{channel_account_id="acct-1",operation="setQuantities",outcome="ok"} 1',
        'retail_mesh_channel_test_api_call_seconds_count{operation="setQuantities"} 1',
        'retail_mesh_channel_test_throttled_waits_total{channel_account_id="acct-1",operation="setQuantities"} 1',
        'retail_mesh_channel_test_throttled_wait_seconds_total{channel_account_id="acct-1"} 1.5',
        'retail_mesh_channel_test_availability_updates_pushed_total{channel_account_id="acct-1"} 3',
        'retail_mesh_channel_test_refused_updates_total{channel_account_id="acct-1",code="NOT_LISTED"} 1',
        'retail_mesh_channel_test_stale_updates_dropped_total{channel_account_id="acct-1"} 3',
        'retail_mesh_channel_test_availability_push_latency_seconds_bucket{le="1",channel_account_id="acct-1"} 1',
        'retail_mesh_channel_test_availability_push_latency_seconds_bucket{le="10",channel_account_id="acct-1"} 1',
        'retail_mesh_channel_test_availability_push_latency_seconds_count{channel_account_id="acct-1"} 2',
        'retail_mesh_channel_test_availability_push_wait_seconds_bucket{le="0.5",channel_account_id="acct-1"} 1',
        'retail_mesh_channel_test_availability_push_wait_seconds_bucket{le="5",channel_account_id="acct-1"} 2',
        'retail_mesh_channel_test_availability_push_wait_seconds_sum{channel_account_id="acct-1"} 5.5',
        'retail_mesh_channel_test_pending_updates{channel_account_id="acct-1",state="waiting"} 4',
        'retail_mesh_channel_test_pending_updates{channel_account_id="acct-1",state="held"} 1',
      ]),
    );
    expect(lines.some((line) => line.includes('acct-2'))).toBe(false);
  });

  it('labels pushed quantities by method when asked to, and insists on the method then', async () => {
    const service = serviceMetrics('channel-feeds');
    const metrics = new ChannelAdapterMetrics(service, {
      channelName: 'Feeds',
      apiName: 'Feeds API',
      pushLatencyBucketsSeconds: [1],
      pushMethodLabel: true,
    });
    metrics.pushed('acct-1', 6, [], 'feed');
    metrics.pushed('acct-1', 0, [], 'patch');
    expect(() => metrics.pushed('acct-1', 1, [])).toThrow('needs the push method');
    expect(await samples(service)).toContain(
      'retail_mesh_channel_feeds_availability_updates_pushed_total{channel_account_id="acct-1",method="feed"} 6',
    );
    const unlabelled = new ChannelAdapterMetrics(serviceMetrics('channel-plain'), {
      channelName: 'Plain',
      apiName: 'Plain API',
      pushLatencyBucketsSeconds: [1],
    });
    expect(() => unlabelled.pushed('acct-1', 1, [], 'feed')).toThrow('takes no push method');
  });

  it('shows no pending rows when they cannot be read', async () => {
    const service = serviceMetrics('channel-down');
    new ChannelAdapterMetrics(service, { channelName: 'Down', apiName: 'Down API', pushLatencyBucketsSeconds: [1] }).trackPending(() =>
      Promise.reject(new Error('database unavailable')),
    );
    expect((await samples(service)).filter((line) => line.includes('pending_updates'))).toEqual([]);
  });
});
