// Two replicas of the connector on one PostgreSQL schema follow the same ERP feed: the cursor's
// compare-and-set lets exactly one of them commit each page, so every record is published once.
import { Events } from '@retail-mesh/contracts';
import { decodeEvent } from '@retail-mesh/messaging';
import { startErpSandbox, type ErpSandbox } from '@retail-mesh/sandbox-erp';
import { createServiceTestBed, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpConnectorService } from '../erp-connector.definition.js';

describe('erp-connector replicas on PostgreSQL + RabbitMQ', () => {
  let erp: ErpSandbox;
  let testBed: ServiceTestBed;
  const publishedIds: string[] = [];

  beforeAll(async () => {
    erp = await startErpSandbox({ port: 0 });
    testBed = await createServiceTestBed(erpConnectorService, {
      mode: 'postgres+rabbitmq',
      isolationPrefix: 'rm_erp_replicas',
      logLevel: 'silent',
      settings: { ERP_BASE_URL: erp.url, ERP_POLL_INTERVAL_MS: '10', ERP_FEED_PAGE_SIZE: '5' },
    });
    await testBed.bus.consume({ queue: 'test.stock', bindings: [Events.erp.stockChangeBatch.binding], prefetch: 200 }, async (delivery) => {
      publishedIds.push(...decodeEvent(delivery, Events.erp.stockChangeBatch).payload.changes.map((change) => change.erpChangeId));
    });
    for (let replica = 0; replica < 2; replica++) await testBed.start();
  });

  afterAll(async () => {
    await testBed?.close();
    await erp?.close();
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
