// Two replicas of the connector on one PostgreSQL schema follow the same ERP feed: the cursor's
// compare-and-set lets exactly one of them commit each page, so every record is published once.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Events } from '@retail-mesh/contracts';
import { decodeEvent, RabbitMqEventBus, type EventBus } from '@retail-mesh/messaging';
import { createLogger } from '@retail-mesh/observability';
import { startErpSandbox, type ErpSandbox } from '@retail-mesh/sandbox-erp';
import { readServiceConfig, startService, type RunningService } from '@retail-mesh/service-kit';
import { createTestSchema, createTestVhost, waitFor, type TestSchema, type TestVhost } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpConnectorSettings } from '../erp-connector.config.js';
import { erpConnectorService } from '../erp-connector.definition.js';

describe('erp-connector replicas on PostgreSQL + RabbitMQ', () => {
  let erp: ErpSandbox;
  let replicas: RunningService[] = [];
  let bus: EventBus;
  let schema: TestSchema;
  let vhost: TestVhost;
  let dataDir: string;
  const publishedIds: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'erp-connector-replicas-'));
    erp = await startErpSandbox({ port: 0 });
    schema = await createTestSchema('rm_erp_replicas');
    vhost = await createTestVhost('rm_erp_replicas');
    bus = await RabbitMqEventBus.connect({ url: vhost.url, connectionName: 'erp-connector-replicas-int-spec' });
    await bus.consume({ queue: 'test.stock', bindings: [Events.erp.stockChanged.binding], prefetch: 200 }, async (delivery) => {
      publishedIds.push(decodeEvent(delivery, Events.erp.stockChanged).payload.erpChangeId);
    });
    const environment = {
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      BIND_HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: schema.url,
      DATABASE_SCHEMA: schema.name,
      RABBITMQ_URL: vhost.url,
      ERP_BASE_URL: erp.url,
      ERP_POLL_INTERVAL_MS: '10',
      ERP_FEED_PAGE_SIZE: '5',
    };
    for (let replica = 0; replica < 2; replica++) {
      replicas.push(
        await startService(erpConnectorService, {
          config: readServiceConfig({ service: erpConnectorService.name, grpcPort: 0, httpPort: 0 }, erpConnectorSettings, environment),
          logger: createLogger({ service: 'erp-connector', level: 'silent' }),
        }),
      );
    }
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    replicas = [];
    await bus?.close();
    await erp?.close();
    await schema?.remove();
    await vhost?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('publishes every record once while both poll the same feed', async () => {
    const records = [];
    for (let index = 0; index < 200; index++)
      records.push(erp.stock.setOnHand({ sku: `SKU-${index % 10}`, location: 'WH-EAST', onHand: index }));
    const expected = records.map((record) => String(record.id));
    await waitFor(() => expected.every((id) => publishedIds.includes(id)), { description: 'every record published' });
    expect([...publishedIds].sort()).toEqual([...expected].sort());
  });
});
