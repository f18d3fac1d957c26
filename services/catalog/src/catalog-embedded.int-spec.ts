// The catalog as the embedded app runs it: SQLite under a data directory and an in-process bus
// shared with other services, passed in by the caller (who also closes it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { catalogV1, Events, grpcServices } from '@retail-mesh/contracts';
import { decodeEvent, InProcessEventBus, type Delivery } from '@retail-mesh/messaging';
import { grpcHealthStatus } from '@retail-mesh/observability';
import {
  busMetricsObserver,
  createGrpcClient,
  serviceConfigFor,
  startService,
  type GrpcClient,
  type RunningService,
} from '@retail-mesh/service-kit';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogService } from './index.js';

describe('catalog service, embedded on SQLite with the in-process bus', () => {
  let dataDir: string;
  let bus: InProcessEventBus;
  let service: RunningService | undefined;
  let catalog: GrpcClient<catalogV1.CatalogServiceClient>;
  const received: Delivery[] = [];
  const logLines: Array<Record<string, unknown>> = [];

  const start = () => {
    const config = serviceConfigFor(catalogService, {
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
    });
    return startService(catalogService, { config, bus, logDestination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'rm-catalog-'));
    bus = new InProcessEventBus({ observer: busMetricsObserver });
    await bus.consume({ queue: 'probe.products', bindings: [Events.catalog.productUpserted.binding] }, async (delivery) => {
      received.push(delivery);
    });
    service = await start();
    catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, service.grpcUrl);
  });

  afterAll(async () => {
    catalog?.close();
    await service?.close();
    await bus?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps its data in DATA_DIR/catalog.sqlite and publishes on the shared bus', async () => {
    expect(service!.config.database).toEqual({ type: 'sqlite', path: path.join(dataDir, 'catalog.sqlite') });
    await catalog.upsertProduct({
      product: catalogV1.Product.fromPartial({ productId: 'MUG', title: 'Mug', variants: [{ sku: 'MUG-1', gtin: '96385074' }] }),
    });
    const [event] = await waitFor(() => received.length === 1 && received);
    expect(decodeEvent(event, Events.catalog.productUpserted).payload.product?.productId).toBe('MUG');
    expect(await grpcHealthStatus(service!.grpcUrl)).toBe('SERVING');
    expect((await fetch(`${service!.httpUrl}/readyz`)).status).toBe(200);
  });

  it('closes cleanly, leaving the caller bus open, and starts again on the same file', async () => {
    const grpcUrl = service!.grpcUrl;
    await service!.close();
    await service!.close();
    expect(bus.isReady()).toBe(true);
    const afterClose = await grpcHealthStatus(grpcUrl, '', 1000).catch((error: { code?: number }) => error.code);
    expect(afterClose).toBe(14); // UNAVAILABLE: nothing listens any more
    expect(logLines.map((line) => line.msg)).toEqual(expect.arrayContaining(['service stopping', 'service stopped']));
    expect(logLines.filter((line) => line.level === 'error')).toEqual([]);

    service = await start();
    catalog.close();
    catalog = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, service.grpcUrl);
    expect((await catalog.getProduct({ productId: 'MUG' })).product?.version).toBe(1);
  });
});
