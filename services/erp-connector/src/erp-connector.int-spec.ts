// The ERP connector end to end against the ERP sandbox: each page of the stock change feed
// becomes one erp.stock_change_batch event; a restart resumes from the persisted cursor without skipping or
// re-publishing; malformed records are dead-lettered with the reason while the flow continues;
// 429s, 5xx, timeouts and a revoked token are survived. Runs on PostgreSQL + RabbitMQ
// (distributed mode) and on SQLite + the in-process bus (embedded mode).
import { erpV1, Events, fromTimestamp, grpcServices, type commonV1, type erpEventsV1 } from '@retail-mesh/contracts';
import { decodeEvent } from '@retail-mesh/messaging';
import { RESTLET_PATH, startErpSandbox, type ErpSandbox, type StockFeedRecord } from '@retail-mesh/sandbox-erp';
import { createGrpcClient, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpConnectorService } from './erp-connector.definition.js';
import { stockChangeBatchEventId } from './stock-feed/stock-changed.mapper.js';
import { STOCK_FEED_QUEUE } from './change-feed/rejected-record.js';

/** One stock change as inventory would see it, with the event (a feed page's batch) that carried it. */
interface Received {
  routingKey: string;
  envelope: commonV1.EventEnvelope;
  payload: erpEventsV1.StockChanged;
}

describe.each(SERVICE_TEST_MODES)('erp-connector on $name', ({ mode }) => {
  let erp: ErpSandbox;
  let testBed: ServiceTestBed;
  let service: RunningService;
  let client: GrpcClient<erpV1.ErpServiceClient>;
  const received: Received[] = [];
  /** The id of each event delivered, once per delivery. */
  const deliveredIds: string[] = [];

  async function start(): Promise<void> {
    service = await testBed.start();
    client = createGrpcClient<erpV1.ErpServiceClient>(grpcServices.erpConnector, service.grpcUrl);
  }

  async function stop(): Promise<void> {
    client.close();
    await service.close();
  }

  beforeAll(async () => {
    erp = await startErpSandbox({ port: 0 });
    testBed = await createServiceTestBed(erpConnectorService, {
      mode,
      logLevel: 'silent',
      settings: {
        ERP_BASE_URL: erp.url,
        ERP_POLL_INTERVAL_MS: '50',
        // Small pages, so the tests cross page boundaries.
        ERP_FEED_PAGE_SIZE: '7',
        ERP_REQUEST_TIMEOUT_MS: '1000',
      },
    });
    // What inventory would see: every erp.stock_change_batch, before anything is published.
    await testBed.bus.consume({ queue: 'test.stock', bindings: [Events.erp.stockChangeBatch.binding], prefetch: 200 }, async (delivery) => {
      const { envelope, payload } = decodeEvent(delivery, Events.erp.stockChangeBatch);
      deliveredIds.push(envelope.id);
      for (const change of payload.changes) received.push({ routingKey: delivery.routingKey, envelope, payload: change });
    });
    await start();
  });

  afterAll(async () => {
    client?.close();
    await testBed?.close();
    await erp?.close();
  });

  function setStock(sku: string, location: string, onHand: number): StockFeedRecord {
    return erp.stock.setOnHand({ sku, location, onHand });
  }

  function eventsFor(feedId: number): Received[] {
    return received.filter((event) => event.payload.erpChangeId === String(feedId));
  }

  async function waitForFeedIds(records: readonly StockFeedRecord[]): Promise<void> {
    await waitFor(() => records.every((record) => eventsFor(record.id).length > 0), {
      description: `events for feed ids ${records.map((record) => record.id).join(', ')}`,
    });
  }

  it('publishes each feed record as a StockChanged in its page’s batch, whose id is derived from the page’s feed ids', async () => {
    const record = setStock('SKU-1', 'WH-EAST', 17);
    await waitForFeedIds([record]);
    const [event] = eventsFor(record.id);
    expect(event.routingKey).toBe('erp.stock_change_batch');
    expect(event.envelope).toMatchObject({
      id: stockChangeBatchEventId([{ feedId: String(record.id) }]),
      type: 'retail.erp.v1.StockChangeBatch',
      source: 'erp-connector',
      subject: `erp-feed:${record.id}..${record.id}`,
    });
    expect(event.payload).toMatchObject({
      erpChangeId: String(record.id),
      sku: 'SKU-1',
      locationId: 'WH-EAST',
      onHand: 17,
      version: record.id,
    });
    expect(fromTimestamp(event.payload.changedAt!)).toEqual(new Date(record.lastModified));

    const status = await client.getFeedStatus({});
    expect(status.lastVersion).toBeGreaterThanOrEqual(record.id);
    expect(status.lastError).toBe('');
  });

  it('resumes from the persisted cursor after a restart: nothing skipped, nothing published twice', async () => {
    const before = Array.from({ length: 20 }, (_, index) => setStock(`SKU-RESTART-${index}`, 'WH-EAST', index));
    await waitForFeedIds(before);
    await stop();
    // Changes made while the connector is down are read after the restart.
    const during = Array.from({ length: 20 }, (_, index) => setStock(`SKU-RESTART-${index}`, 'WH-WEST', 100 + index));
    await start();
    const after = Array.from({ length: 5 }, (_, index) => setStock(`SKU-RESTART-${index}`, 'WH-EAST', 200 + index));
    const all = [...before, ...during, ...after];
    await waitForFeedIds(all);
    for (const record of all) expect(eventsFor(record.id)).toHaveLength(1);
    // And every event published so far delivered exactly once.
    expect(new Set(deliveredIds).size).toBe(deliveredIds.length);
  });

  it('carries the changes of one feed page in one event', async () => {
    // Written in one turn: the connector reads them in one page (7 records).
    const records = Array.from({ length: 5 }, (_, index) => setStock(`SKU-PAGE-${index}`, 'WH-EAST', index));
    await waitForFeedIds(records);
    const eventIds = new Set(records.flatMap((record) => eventsFor(record.id).map((event) => event.envelope.id)));
    expect(eventIds.size).toBe(1);
    expect(received.filter((event) => eventIds.has(event.envelope.id)).map((event) => event.payload.erpChangeId)).toEqual(
      records.map((record) => String(record.id)),
    );
  });

  it('dead-letters malformed records with the reason, and the records after them still flow', async () => {
    const first = setStock('SKU-DLQ', 'WH-EAST', 1);
    erp.feed.appendRaw({ item: 'SKU-DLQ', location: 'WH-EAST', quantityOnHand: 'lots', lastModified: new Date().toISOString() });
    erp.feed.appendRaw('not a record');
    erp.feed.appendRaw({ item: '', location: 'WH-EAST', quantityOnHand: 3, lastModified: new Date().toISOString() });
    const last = setStock('SKU-DLQ', 'WH-EAST', 2);
    await waitForFeedIds([first, last]);

    const deadLetters = await waitFor(
      async () => {
        const letters = await testBed.bus.peekDeadLetters(STOCK_FEED_QUEUE, 100);
        return letters.length >= 3 ? letters : undefined;
      },
      { description: 'three dead letters' },
    );
    expect(deadLetters.map((letter) => letter.reason)).toEqual([
      'quantityOnHand "lots" is not an integer',
      'record is not a JSON object',
      'item (SKU) "" is not a valid SKU',
    ]);
    expect(deadLetters[0].headers['x-error']).toBe('quantityOnHand "lots" is not an integer');
    expect(JSON.parse(deadLetters[1].body.toString('utf8'))).toBe('not a record');
    expect(await scrapeMetric(service, 'retail_mesh_erp_connector_feed_records_total', { outcome: 'rejected' })).toBe(3);
  });

  it('retries 429s, 5xx and timeouts from the feed and never skips a record', async () => {
    erp.faults.set([
      { type: 'rateLimit', path: RESTLET_PATH, count: 2, retryAfterSeconds: 0 },
      { type: 'serverError', path: RESTLET_PATH, status: 503, count: 2 },
      { type: 'timeout', path: RESTLET_PATH, count: 1 },
    ]);
    const records = [setStock('SKU-FAULT', 'WH-EAST', 5), setStock('SKU-FAULT', 'WH-WEST', 6)];
    await waitForFeedIds(records);
    expect(erp.faults.list().map((fault) => fault.fired)).toEqual([2, 2, 1]);
    erp.faults.clear();
    for (const record of records) expect(eventsFor(record.id)).toHaveLength(1);
    expect(await scrapeMetric(service, 'retail_mesh_erp_connector_erp_request_retries_total')).toBeGreaterThanOrEqual(5);
    // Committed pages are timed from their oldest change (this one waited out five failed attempts).
    expect(await scrapeMetric(service, 'retail_mesh_erp_connector_feed_change_age_seconds_count', { feed: 'stock' })).toBeGreaterThan(0);
    expect(await scrapeMetric(service, 'retail_mesh_erp_connector_feed_change_age_seconds_sum', { feed: 'stock' })).toBeGreaterThan(0);
  });

  it('gets a new token when the ERP revokes the current one', async () => {
    erp.oauth.revokeAll();
    const record = setStock('SKU-TOKEN', 'WH-EAST', 8);
    await waitForFeedIds([record]);
  });

  it('lists the ERP stock as the feed reported it and re-publishes it on ResyncStock', async () => {
    const record = setStock('SKU-RESYNC', 'WH-EAST', 42);
    await waitForFeedIds([record]);
    const { positions } = await client.listErpStock({ skus: ['SKU-RESYNC'], locationId: '', page: undefined });
    expect(positions).toEqual([{ sku: 'SKU-RESYNC', locationId: 'WH-EAST', onHand: 42, version: record.id }]);

    const { publishedCount } = await client.resyncStock({ skus: ['SKU-RESYNC'] });
    expect(publishedCount).toBe(1);
    await waitFor(() => eventsFor(record.id).length === 2, { description: 'the resynced event' });
    const [original, resynced] = eventsFor(record.id);
    // Same fact and version, new event id: a consumer that has it drops it as stale.
    expect(resynced.payload).toEqual(original.payload);
    expect(resynced.envelope.id).not.toBe(original.envelope.id);
  });
});
