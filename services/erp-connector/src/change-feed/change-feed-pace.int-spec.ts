// The pace of the change feed: the poll interval is the wait of a quiet feed only. After a page
// that moved the cursor the connector reads the next one at once, so a change made while a page
// commits is not held back by the interval (it was, and under load that wait was the first hop's
// latency). The interval here is one no test waits out: whatever arrives was read because the
// previous page moved the cursor.
import { Events } from '@retail-mesh/contracts';
import { decodeEvent } from '@retail-mesh/messaging';
import { RESTLET_PATH, startErpSandbox, type ErpSandbox } from '@retail-mesh/sandbox-erp';
import type { RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erpConnectorService } from '../erp-connector.definition.js';

const QUIET_FEED_POLL_MS = 600_000;
/** How long the read after the first page is held by the sandbox: the second change is written meanwhile. */
const SECOND_READ_DELAY_MS = 3_000;

describe.each(SERVICE_TEST_MODES)('the change feed on $name', ({ mode }) => {
  let erp: ErpSandbox;
  let testBed: ServiceTestBed;
  let service: RunningService | undefined;
  const publishedSkus: string[] = [];

  beforeAll(async () => {
    erp = await startErpSandbox({ port: 0 });
    testBed = await createServiceTestBed(erpConnectorService, {
      mode,
      logLevel: 'silent',
      settings: { ERP_BASE_URL: erp.url, ERP_POLL_INTERVAL_MS: String(QUIET_FEED_POLL_MS) },
    });
    await testBed.bus.consume({ queue: 'test.pace', bindings: [Events.erp.stockChangeBatch.binding], prefetch: 10 }, async (delivery) => {
      for (const change of decodeEvent(delivery, Events.erp.stockChangeBatch).payload.changes) publishedSkus.push(change.sku);
    });
  });

  afterAll(async () => {
    await service?.close();
    await testBed?.close();
    await erp?.close();
  });

  it('reads the next page at once after a page that moved the cursor, not after the poll interval', async () => {
    erp.stock.setOnHand({ sku: 'SKU-PACE-1', location: 'WH-EAST', onHand: 1 });
    // The first read (at start) passes; the next one is held, so the change below is made while it is out.
    erp.faults.set([{ type: 'latency', path: RESTLET_PATH, skip: 1, count: 1, ms: SECOND_READ_DELAY_MS }]);
    service = await testBed.start();

    await waitFor(() => publishedSkus.includes('SKU-PACE-1') || undefined, { description: 'the first change to be published' });
    erp.stock.setOnHand({ sku: 'SKU-PACE-2', location: 'WH-EAST', onHand: 2 });

    await waitFor(() => publishedSkus.includes('SKU-PACE-2') || undefined, {
      timeoutMs: SECOND_READ_DELAY_MS * 4,
      description: 'the second change to be published without waiting for the poll interval',
    });
    expect(erp.faults.list().map((fault) => fault.fired)).toEqual([1]);
    expect(publishedSkus).toEqual(['SKU-PACE-1', 'SKU-PACE-2']);
  });
});
