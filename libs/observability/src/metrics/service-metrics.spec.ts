import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { BusMetricsObserver } from './bus-metrics-observer.js';
import { serviceMetricName, sharedMetricName } from './metric-names.js';
import { grpcStatusName, ServiceMetrics } from './service-metrics.js';

const created: ServiceMetrics[] = [];
function metricsFor(service: string, processMetrics?: boolean): ServiceMetrics {
  const metrics = new ServiceMetrics({ service, processMetrics });
  created.push(metrics);
  return metrics;
}

afterEach(() => {
  for (const metrics of created.splice(0)) metrics.close();
});

describe('metric names', () => {
  it('prefixes service metrics with retail_mesh_<service>', () => {
    expect(serviceMetricName('inventory', 'availability_push_latency_seconds', 'histogram')).toBe(
      'retail_mesh_inventory_availability_push_latency_seconds',
    );
    expect(serviceMetricName('erp-connector', 'sales_orders_posted_total', 'counter')).toBe(
      'retail_mesh_erp_connector_sales_orders_posted_total',
    );
    expect(sharedMetricName('outbox_pending_messages', 'gauge')).toBe('retail_mesh_outbox_pending_messages');
  });

  it.each([
    ['CamelCase', 'counter'],
    ['pushes', 'counter'],
    ['queue_depth_total', 'gauge'],
    ['latency__seconds', 'histogram'],
    ['retail_mesh_pushes_total', 'counter'],
    ['trailing_', 'gauge'],
  ] as const)('rejects "%s" for a %s', (name, kind) => {
    expect(() => serviceMetricName('inventory', name, kind)).toThrow();
  });

  it('rejects a service name that is not a slug', () => {
    expect(() => serviceMetricName('Inventory', 'pushes_total', 'counter')).toThrow(/service name/);
  });

  it('spells gRPC codes as their status names', () => {
    expect(grpcStatusName(status.OK)).toBe('OK');
    expect(grpcStatusName(status.NOT_FOUND)).toBe('NOT_FOUND');
    expect(grpcStatusName(99)).toBe('UNKNOWN');
  });
});

describe('ServiceMetrics', () => {
  it('keeps services apart: the same metric names in two registries', async () => {
    const catalog = metricsFor('catalog');
    const inventory = metricsFor('inventory');
    catalog.observeGrpcCall({
      grpcService: 'retail.catalog.v1.CatalogService',
      grpcMethod: 'GetProduct',
      code: status.NOT_FOUND,
      seconds: 0.002,
    });
    const catalogText = await catalog.render();
    expect(catalogText).toContain(
      'grpc_server_handled_total{grpc_service="retail.catalog.v1.CatalogService",grpc_method="GetProduct",grpc_code="NOT_FOUND"} 1',
    );
    expect(catalogText).toContain(
      'grpc_server_handling_seconds_count{grpc_service="retail.catalog.v1.CatalogService",grpc_method="GetProduct"} 1',
    );
    expect(await inventory.render()).not.toContain('GetProduct');
  });

  it('exposes the process metrics from one service per process until it closes', async () => {
    const first = metricsFor('catalog');
    const second = metricsFor('inventory');
    expect(await first.render()).toContain('process_cpu_user_seconds_total');
    expect(await second.render()).not.toContain('process_cpu_user_seconds_total');
    first.close();
    const third = metricsFor('orders');
    expect(third.exposesProcessMetrics).toBe(true);
    expect(metricsFor('returns', false).exposesProcessMetrics).toBe(false);
  });

  it('counts consumer outcomes by service and queue, routing retries and dead letters by queue', async () => {
    const metrics = metricsFor('inventory');
    const observer = new BusMetricsObserver();
    observer.register('inventory.stock', metrics);
    metrics.consumerHandledDelivery('inventory.stock', 0.01);
    metrics.consumerFailedDelivery('inventory.stock', 0.02);
    observer.retried('inventory.stock');
    observer.deadLettered('inventory.stock');
    observer.deadLettered('someone-else.queue');
    const text = await metrics.render();
    const labels = '{service="inventory",queue="inventory.stock"}';
    for (const name of ['handled', 'failed', 'retried', 'dead_lettered'])
      expect(text).toContain(`retail_mesh_consumer_${name}_total${labels} 1`);
    expect(text).toContain(`retail_mesh_consumer_handling_seconds_count${labels} 2`);
    expect(text).not.toContain('someone-else');
  });

  it('records how old events are when their consumer takes them', async () => {
    const metrics = metricsFor('inventory');
    metrics.consumerTookEvent('inventory.stock', 0.04);
    metrics.consumerTookEvent('inventory.stock', 0.18);
    // A clock behind the publisher's counts as no age at all.
    metrics.consumerTookEvent('inventory.stock', -0.5);
    const text = await metrics.render();
    const labels = 'service="inventory",queue="inventory.stock"';
    expect(text).toContain(`retail_mesh_consumer_event_age_seconds_bucket{le="0.005",${labels}} 1`);
    expect(text).toContain(`retail_mesh_consumer_event_age_seconds_bucket{le="0.05",${labels}} 2`);
    expect(text).toContain(`retail_mesh_consumer_event_age_seconds_bucket{le="0.2",${labels}} 3`);
    expect(text).toContain(`retail_mesh_consumer_event_age_seconds_sum{${labels}} 0.22`);
  });

  it('reads the outbox and dead-letter gauges at scrape time, once per scrape', async () => {
    const metrics = metricsFor('catalog');
    let reads = 0;
    metrics.trackOutbox(async () => {
      reads += 1;
      return { pending: 3, oldestAgeSeconds: 12.5 };
    });
    metrics.trackDeadLetterQueues(
      () => ['catalog.things'],
      async () => 4,
    );
    const text = await metrics.render();
    expect(text).toContain('retail_mesh_outbox_pending_messages{service="catalog"} 3');
    expect(text).toContain('retail_mesh_outbox_oldest_pending_age_seconds{service="catalog"} 12.5');
    expect(text).toContain('retail_mesh_consumer_dead_letter_messages{service="catalog",queue="catalog.things"} 4');
    expect(reads).toBe(1);
  });

  it('leaves gauges empty instead of failing the scrape when their source is down', async () => {
    const metrics = metricsFor('catalog');
    metrics.trackOutbox(() => Promise.reject(new Error('database down')));
    const text = await metrics.render();
    expect(text).toContain('# TYPE retail_mesh_outbox_pending_messages gauge');
    expect(text).not.toContain('retail_mesh_outbox_pending_messages{');
  });

  it('creates service-named custom metrics', async () => {
    const metrics = metricsFor('channel-shopify');
    metrics.counter('api_calls_total', 'Calls to the Shopify API.', ['operation']).inc({ operation: 'inventorySetQuantities' });
    expect(await metrics.render()).toContain('retail_mesh_channel_shopify_api_calls_total{operation="inventorySetQuantities"} 1');
    expect(() => metrics.counter('api_calls', 'no unit')).toThrow(/_total/);
  });
});
