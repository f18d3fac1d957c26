// The client against the Amazon sandbox (real HTTP): LWA exchange and refresh after expiry, Orders
// v0 paging, shipment confirmation, the Feeds flow through pre-signed URLs, Listings PATCH and read
// back, and the buckets adopting the rate the sandbox reports.
import { TokenBucketRegistry } from '@retail-mesh/channel-kit';
import { DEFAULT_AMAZON_SELLER, startAmazonSandbox, type AmazonSandbox } from '@retail-mesh/sandbox-amazon';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LwaTokenProvider } from './lwa-token.provider.js';
import { SpApiClient } from './sp-api.client.js';
import { usagePlanOf } from './usage-plans.js';

const SELLER = DEFAULT_AMAZON_SELLER;
const MARKETPLACES = SELLER.marketplaceIds;

describe('SpApiClient against the Amazon sandbox', () => {
  let sandbox: AmazonSandbox;
  let admin: SandboxAdminClient;
  let lwa: LwaTokenProvider;
  let buckets: TokenBucketRegistry;
  let client: SpApiClient;

  beforeAll(async () => {
    sandbox = await startAmazonSandbox({ port: 0, usagePlans: { getOrders: { rate: 50, burst: 20 } } });
    admin = new SandboxAdminClient(sandbox.url);
  });

  afterAll(async () => {
    await sandbox.close();
  });

  beforeEach(async () => {
    await admin.reset();
    await admin.call('POST', '/_sandbox/usage-plans', { operation: 'getOrders', rate: 50, burst: 20 });
    lwa = new LwaTokenProvider({ endpoint: `${sandbox.url}/auth/o2/token`, ...SELLER });
    buckets = new TokenBucketRegistry(usagePlanOf);
    client = new SpApiClient({ endpoint: sandbox.url, channelAccountId: 'amazon-us', lwa, buckets, retries: 3, baseDelayMs: 10 });
  });

  it('pages orders updated after a time and reads their items', async () => {
    const seeded = await admin.call<{ orders: Array<{ AmazonOrderId: string }> }>(
      'POST',
      '/_sandbox/orders',
      Array.from({ length: 3 }, (_, index) => ({ items: [{ sku: `SKU-${index}`, quantity: 2, unitPrice: '4.25' }] })),
    );
    const query = { marketplaceIds: MARKETPLACES, lastUpdatedAfter: new Date(Date.now() - 60_000), maxResultsPerPage: 2 };
    const first = await client.getOrders(query);
    expect(first.orders).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    const second = await client.getOrders(query, first.nextToken);
    expect([...first.orders, ...second.orders].map((order) => order.AmazonOrderId)).toEqual(
      seeded.orders.map((order) => order.AmazonOrderId),
    );
    expect(second.lastUpdatedBefore).toBeDefined();
    expect(buckets.get('amazon-us', 'getOrders').limit.ratePerSecond).toBe(50);

    const [item] = await client.getOrderItems(seeded.orders[0].AmazonOrderId);
    expect(item).toMatchObject({ SellerSKU: 'SKU-0', QuantityOrdered: 2, ItemPrice: { CurrencyCode: 'USD', Amount: '8.50' } });
    expect(await client.getOrder('999-0000000-0000000')).toBeUndefined();
  });

  it('confirms a shipment, which reads back as shipped', async () => {
    const { orders } = await admin.call<{ orders: Array<{ AmazonOrderId: string; OrderItems: Array<{ OrderItemId: string }> }> }>(
      'POST',
      '/_sandbox/orders',
      { items: [{ sku: 'TEE', quantity: 1, unitPrice: '10.00' }] },
    );
    await client.confirmShipment(orders[0].AmazonOrderId, {
      marketplaceId: MARKETPLACES[0],
      packageReferenceId: 'SHIP-1',
      carrierCode: 'UPS',
      trackingNumber: '1Z999',
      shipDate: new Date(),
      orderItems: [{ orderItemId: orders[0].OrderItems[0].OrderItemId, quantity: 1 }],
    });
    expect((await client.getOrder(orders[0].AmazonOrderId))?.OrderStatus).toBe('Shipped');
  });

  it('submits a JSON_LISTINGS_FEED through the pre-signed URL and downloads its processing report', async () => {
    await admin.call('POST', '/_sandbox/listings', { sku: 'TEE', quantity: 1 });
    const content = JSON.stringify({
      header: { sellerId: SELLER.sellerId, version: '2.0', issueLocale: 'en_US' },
      messages: [
        {
          messageId: 1,
          sku: 'TEE',
          operationType: 'PATCH',
          productType: 'PRODUCT',
          patches: [
            { op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 6 }] },
          ],
        },
      ],
    });
    const { feedId } = await client.submitFeed('JSON_LISTINGS_FEED', 'application/json; charset=UTF-8', content, MARKETPLACES);
    expect((await client.getFeed(feedId)).processingStatus).toBe('IN_QUEUE');
    sandbox.processAll();
    const feed = await client.getFeed(feedId);
    expect(feed.processingStatus).toBe('DONE');
    const report = JSON.parse(await client.downloadFeedDocument(feed.resultFeedDocumentId as string));
    expect(report.summary).toMatchObject({ messagesProcessed: 1, messagesAccepted: 1 });
    expect((await client.getListingsItem(SELLER.sellerId, 'TEE', MARKETPLACES))?.quantity).toBe(6);
  });

  it('patches fulfillment_availability (ACCEPTED, applied later) and reads it back', async () => {
    await admin.call('POST', '/_sandbox/listings', { sku: 'MUG/BLUE', quantity: 2 });
    const submission = await client.patchListingsItem(SELLER.sellerId, 'MUG/BLUE', MARKETPLACES, {
      productType: 'PRODUCT',
      patches: [
        { op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity: 11 }] },
      ],
    });
    expect(submission).toMatchObject({ sku: 'MUG/BLUE', status: 'ACCEPTED', issues: [] });
    sandbox.processAll();
    expect(await client.getListingsItem(SELLER.sellerId, 'MUG/BLUE', MARKETPLACES)).toMatchObject({ quantity: 11 });
    expect(await client.getListingsItem(SELLER.sellerId, 'GHOST', MARKETPLACES)).toBeUndefined();
  });

  it('fetches a new LWA token after the sandbox expired the old one', async () => {
    await admin.call('POST', '/_sandbox/orders', { items: [{ sku: 'TEE', quantity: 1, unitPrice: '1.00' }] });
    const query = { marketplaceIds: MARKETPLACES, lastUpdatedAfter: new Date(Date.now() - 60_000) };
    await client.getOrders(query);
    await admin.call('POST', '/_sandbox/lwa/expire-tokens');
    expect((await client.getOrders(query)).orders).toHaveLength(1);
    expect(lwa.fetched).toBe(2);
  });

  it('waits out a 429 on an operation whose plan is tiny, pacing the retry by the reported rate', async () => {
    await admin.call('POST', '/_sandbox/usage-plans', { operation: 'getOrder', rate: 5, burst: 1 });
    const { orders } = await admin.call<{ orders: Array<{ AmazonOrderId: string }> }>('POST', '/_sandbox/orders', {
      items: [{ sku: 'TEE', quantity: 1, unitPrice: '1.00' }],
    });
    const reads = await Promise.all([1, 2, 3].map(() => client.getOrder(orders[0].AmazonOrderId)));
    expect(reads.every((order) => order?.AmazonOrderId === orders[0].AmazonOrderId)).toBe(true);
    expect(buckets.get('amazon-us', 'getOrder').limit.ratePerSecond).toBe(5);
    const throttled = (await admin.requests({ path: `/orders/v0/orders/${orders[0].AmazonOrderId}` })).filter(
      (entry) => entry.status === 429,
    );
    expect(throttled.length).toBeGreaterThan(0);
  });
});
