import { afterEach, describe, expect, it } from 'vitest';
import { ServiceMetrics } from '../metrics/service-metrics.js';
import { startObservabilityServer, type ObservabilityServer } from './observability-http.js';
import { Readiness } from './readiness.js';

describe('observability routes', () => {
  let server: ObservabilityServer | undefined;
  let metrics: ServiceMetrics | undefined;
  afterEach(async () => {
    await server?.close();
    metrics?.close();
  });

  it('serves /metrics, /healthz and /readyz', async () => {
    metrics = new ServiceMetrics({ service: 'catalog', processMetrics: false });
    metrics.counter('things_total', 'Things.').inc();
    const readiness = new Readiness();
    let brokerUp = true;
    readiness.add('broker', () => brokerUp);
    server = await startObservabilityServer({ metrics, readiness }, 0, '127.0.0.1');

    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    expect(await scrape.text()).toContain('retail_mesh_catalog_things_total 1');
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    brokerUp = false;
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not_ready', failed: ['broker'] });
    expect((await fetch(`${server.url}/nothing`)).status).toBe(404);
  });
});
