// channel-amazon's availability consumer against the Amazon sandbox: AvailabilityChanged events
// are stored in batches without an inbox row, so a redelivered batch must have no second effect
// (each event counted stale, nothing sent to Amazon again). Both modes.
import { Events, toTimestamp } from '@retail-mesh/contracts';
import { encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import { type AmazonSandbox, DEFAULT_AMAZON_SELLER, sandboxAmazonAccount, startAmazonSandbox } from '@retail-mesh/sandbox-amazon';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import type { RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAmazonService } from '../channel-amazon.definition.js';

const ACCOUNT = 'amazon-int-availability';
const QUEUE = 'channel-amazon.availability';
const SKUS = ['SKU-REDELIVERED-1', 'SKU-REDELIVERED-2', 'SKU-REDELIVERED-3'];

interface SandboxListing {
  quantity: number;
  history: Array<{ source: string }>;
}

describe.each(SERVICE_TEST_MODES)('channel-amazon availability on $name', ({ mode }) => {
  let sandbox: AmazonSandbox;
  let admin: SandboxAdminClient;
  let testBed: ServiceTestBed;
  let service: RunningService;

  beforeAll(async () => {
    sandbox = await startAmazonSandbox({ port: 0, listingsApplyMs: 0 });
    admin = new SandboxAdminClient(sandbox.url);
    await admin.call(
      'POST',
      '/_sandbox/listings',
      SKUS.map((sku) => ({ sku, quantity: 0 })),
    );
    testBed = await createServiceTestBed(channelAmazonService, {
      mode,
      settings: {
        AMAZON_ACCOUNTS: JSON.stringify([sandboxAmazonAccount(sandbox.url, ACCOUNT, DEFAULT_AMAZON_SELLER)]),
        // Nothing listens there: this test publishes no order events, and the order poll is far off.
        ORDERS_GRPC_URL: '127.0.0.1:9',
        AMAZON_ORDER_POLL_INTERVAL_MS: '3600000',
        AMAZON_PUSH_POLL_INTERVAL_MS: '200',
      },
    });
    service = await testBed.start();
  });

  afterAll(async () => {
    await testBed?.close();
    await sandbox?.close();
  });

  const metric = (name: string, labels: Record<string, string> = {}) => scrapeMetric(service, name, labels);
  const handled = () => metric('retail_mesh_consumer_handled_total', { queue: QUEUE });
  const staleDropped = () => metric('retail_mesh_channel_amazon_stale_updates_dropped_total', { channel_account_id: ACCOUNT });
  const listing = async (sku: string): Promise<SandboxListing> =>
    (await admin.call<{ listings: SandboxListing[] }>('GET', `/_sandbox/listings?sku=${sku}`)).listings[0]!;
  const availabilityChanged = (sku: string, version: number, quantity: number): BusMessage =>
    encodeEvent({
      definition: Events.inventory.availabilityChanged,
      payload: {
        channelAccountId: ACCOUNT,
        channel: 'amazon',
        sku,
        availableQuantity: quantity,
        version,
        computedAt: toTimestamp(new Date()),
        sourceChangedAt: toTimestamp(new Date()),
      },
      source: 'inventory',
      subject: sku,
      channel: 'amazon',
      channelAccountId: ACCOUNT,
    });

  it('gives a redelivered batch one effect: each event stale, nothing pushed to Amazon again', async () => {
    const batch = SKUS.map((sku, index) => availabilityChanged(sku, 1, 10 + index));
    await testBed.bus.publish(batch);
    for (const [index, sku] of SKUS.entries()) {
      await waitFor(async () => (await listing(sku)).quantity === 10 + index, { description: `${sku} at ${10 + index} on Amazon` });
    }
    await waitFor(async () => (await handled()) >= SKUS.length, { description: 'the batch handled' });
    expect(await Promise.all(SKUS.map(async (sku) => (await listing(sku)).history.length))).toEqual([1, 1, 1]);
    const staleBefore = await staleDropped();

    // The same messages (same event ids and versions) again, as a broker redelivers them.
    await testBed.bus.publish(batch);
    await waitFor(async () => (await handled()) >= 2 * SKUS.length, { description: 'the redelivered batch handled' });
    await waitFor(async () => (await staleDropped()) === staleBefore + SKUS.length, { description: 'each redelivered event stale' });

    const after = await Promise.all(SKUS.map((sku) => listing(sku)));
    expect(after.map((current) => [current.quantity, current.history.length])).toEqual([
      [10, 1],
      [11, 1],
      [12, 1],
    ]);
    const pushedByPatch = { channel_account_id: ACCOUNT, method: 'patch' };
    expect(await metric('retail_mesh_channel_amazon_availability_updates_pushed_total', pushedByPatch)).toBe(SKUS.length);
    expect(await metric('retail_mesh_channel_amazon_pending_updates', { channel_account_id: ACCOUNT, state: 'waiting' })).toBe(0);
    expect(await testBed.bus.deadLetterCount(QUEUE)).toBe(0);
  });
});
