// channel-amazon's getOrders poll against the Amazon sandbox (order-poll-passes.ts), counted
// through the sandbox's record of the getOrders pages it served: an order Amazon lists late is
// caught by the settled pass, an order is not listed again once the cursor passed it, and a
// restarted service settles from the cursor it left. Runs on PostgreSQL + RabbitMQ and on SQLite +
// the in-process bus.
import { ORDER_POLL_BOUNDARY_MARGIN_MS } from '@retail-mesh/channel-kit';
import { channelV1, grpcServices } from '@retail-mesh/contracts';
import { createDataSource } from '@retail-mesh/persistence';
import { type AmazonSandbox, DEFAULT_AMAZON_SELLER, sandboxAmazonAccount, startAmazonSandbox } from '@retail-mesh/sandbox-amazon';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { createGrpcClient, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAmazonService } from '../channel-amazon.definition.js';
import { OrderCursor } from './order-cursor.entity.js';
import { OrderCursorRepository } from './order-cursor.repository.js';
import { OrdersTestPeer } from './orders-service-peer.fixture.js';

const ACCOUNT = 'amazon-poll-int';
// The settle time, and an index lag under it that the fresh passes cannot see through: Amazon
// lists an order only once the fresh passes' windows (from where the previous answer ended, less
// the margin) have moved past its update. The sandbox takes a LastUpdatedBefore this recent
// (Amazon wants two minutes).
const SETTLE_MS = 9_000;
const LIST_LAG_MS = 6_000;
const BEFORE_MIN_AGE_MS = 1_000;

/** A getOrders answer as the sandbox recorded it (`GET /_sandbox/order-pages`). */
interface OrderPage {
  seq: number;
  at: string;
  after: string;
  before: string;
  /** Sent with LastUpdatedBefore: a settled pass (a fresh pass sends none). */
  beforeSent: boolean;
  offset: number;
  amazonOrderIds: string[];
}

describe.each(SERVICE_TEST_MODES)('channel-amazon order poll on $name', ({ mode }) => {
  let sandbox: AmazonSandbox;
  let admin: SandboxAdminClient;
  let peer: OrdersTestPeer;
  let testBed: ServiceTestBed;
  let service: RunningService;
  let adapter: GrpcClient<channelV1.ChannelAdapterServiceClient>;

  const start = async () => {
    service = await testBed.start();
    adapter = createGrpcClient<channelV1.ChannelAdapterServiceClient>(grpcServices.channelAdapter, service.grpcUrl, { deadlineMs: 30_000 });
  };

  beforeAll(async () => {
    sandbox = await startAmazonSandbox({
      port: 0,
      beforeMinAgeMs: BEFORE_MIN_AGE_MS,
      // Room for a round every 300 ms; the adapter learns the rates from x-amzn-RateLimit-Limit.
      usagePlans: {
        getOrders: { rate: 50, burst: 20 },
        getOrderItems: { rate: 50, burst: 30 },
        getOrderAddress: { rate: 50, burst: 30 },
      },
    });
    admin = new SandboxAdminClient(sandbox.url);
    peer = new OrdersTestPeer(ACCOUNT);
    await peer.start();
    testBed = await createServiceTestBed(channelAmazonService, {
      mode,
      settings: {
        AMAZON_ACCOUNTS: JSON.stringify([sandboxAmazonAccount(sandbox.url, ACCOUNT, DEFAULT_AMAZON_SELLER)]),
        ORDERS_GRPC_URL: peer.url,
        AMAZON_ORDER_POLL_INTERVAL_MS: '300',
        AMAZON_ORDER_POLL_OVERLAP_MS: String(SETTLE_MS),
        AMAZON_ORDER_INITIAL_LOOKBACK_MS: '600000',
        // A restarted instance takes the account's orders lease over soon.
        AMAZON_LEASE_TTL_MS: '3000',
        AMAZON_RETRIES: '1',
        AMAZON_RETRY_BASE_DELAY_MS: '20',
        AMAZON_MAX_BACKOFF_MS: '500',
      },
    });
    await start();
  });

  afterAll(async () => {
    adapter?.close();
    await testBed?.close();
    await peer?.stop();
    await sandbox?.close();
  });

  const seedOrder = async (): Promise<{ AmazonOrderId: string; LastUpdateDate: string }> =>
    (
      await admin.call<{ orders: Array<{ AmazonOrderId: string; LastUpdateDate: string }> }>('POST', '/_sandbox/orders', {
        items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '19.99' }],
      })
    ).orders[0];
  const submittedOnce = async (amazonOrderId: string) => {
    await waitFor(() => peer.order(amazonOrderId), { description: `SubmitOrder of ${amazonOrderId}` });
    expect(peer.submitsOf(amazonOrderId)).toHaveLength(1);
  };
  /** The getOrders pages the sandbox served (those listing the order), oldest first. */
  const pages = async (amazonOrderId?: string): Promise<OrderPage[]> =>
    (await admin.call<{ pages: OrderPage[] }>('GET', `/_sandbox/order-pages${amazonOrderId ? `?amazonOrderId=${amazonOrderId}` : ''}`))
      .pages;
  const lastPageSeq = async () => Math.max(0, ...(await pages()).map((page) => page.seq));
  /** The poll's cursor, as GetAdapterStatus reports it (NaN before the first). */
  const orderCursor = async () => Date.parse((await adapter.getAdapterStatus({ channelAccountId: ACCOUNT })).accounts[0].orderCursor);
  /** Waits until no settled window reaches the order's update any more: each starts the margin before the cursor. */
  const cursorPast = (amazonOrder: { LastUpdateDate: string }) =>
    waitFor(async () => (await orderCursor()) > Date.parse(amazonOrder.LastUpdateDate) + ORDER_POLL_BOUNDARY_MARGIN_MS, {
      description: `the order poll cursor past ${amazonOrder.LastUpdateDate}`,
    });
  const listedByPoll = (pass: 'settled' | 'fresh') =>
    scrapeMetric(service, 'retail_mesh_channel_amazon_order_poll_listed_orders_total', { channel_account_id: ACCOUNT, pass });

  it('catches with the settled pass an order Amazon lists late, which no fresh pass saw', async () => {
    await admin.call('POST', '/_sandbox/order-listing', { orderListLagMs: LIST_LAG_MS });
    try {
      const seeded = await seedOrder();
      const updatedAt = Date.parse(seeded.LastUpdateDate);
      await submittedOnce(seeded.AmazonOrderId);

      const listings = await pages(seeded.AmazonOrderId);
      // First listed by a settled pass, once its window reached the update (SETTLE_MS after it).
      expect(listings[0]).toMatchObject({ beforeSent: true, offset: 0 });
      expect(Date.parse(listings[0].before)).toBeGreaterThanOrEqual(updatedAt);
      expect(Date.parse(listings[0].at) - updatedAt).toBeGreaterThanOrEqual(SETTLE_MS);
      expect(listings.filter((page) => !page.beforeSent)).toEqual([]);
    } finally {
      await admin.call('POST', '/_sandbox/order-listing', { orderListLagMs: 0 });
    }
  });

  it('lists an order in the passes right after its update and, once the cursor is past it, never again', async () => {
    const listedBefore = { settled: await listedByPoll('settled'), fresh: await listedByPoll('fresh') };
    const seeded = await seedOrder();
    await submittedOnce(seeded.AmazonOrderId);
    await cursorPast(seeded);
    const marker = await lastPageSeq();
    await waitFor(async () => (await pages()).filter((page) => page.seq > marker && page.beforeSent).length >= 3, {
      description: 'three settled passes after the cursor passed the order',
    });

    const listings = await pages(seeded.AmazonOrderId);
    expect(listings.some((page) => page.beforeSent)).toBe(true);
    expect(listings.some((page) => !page.beforeSent)).toBe(true);
    expect(listings.filter((page) => page.seq > marker)).toEqual([]);
    expect(peer.submitsOf(seeded.AmazonOrderId)).toHaveLength(1);
    expect(await listedByPoll('settled')).toBeGreaterThan(listedBefore.settled);
    expect(await listedByPoll('fresh')).toBeGreaterThan(listedBefore.fresh);
    // Every LastUpdatedBefore the settled passes sent was old enough: nothing was refused.
    const getOrders = (await admin.requests({ path: '/orders/v0/orders', method: 'GET' })).filter(
      (request) => request.path === '/orders/v0/orders',
    );
    expect(getOrders.filter((request) => request.status !== 200)).toEqual([]);
  });

  it('resumes from the cursor after a restart: settles from there, lists nothing settled before again, and catches what changed meanwhile', async () => {
    const settled = await seedOrder();
    await submittedOnce(settled.AmazonOrderId);
    await cursorPast(settled);
    adapter.close();
    await service.close();
    const cursor = await persistedCursor(service);
    expect(cursor?.getTime()).toBeGreaterThan(Date.parse(settled.LastUpdateDate));
    const marker = await lastPageSeq();
    const meanwhile = await seedOrder();

    await start();
    const firstSettled = await waitFor(async () => (await pages()).find((page) => page.seq > marker && page.beforeSent), {
      description: 'the first settled pass after the restart',
    });
    expect(firstSettled.after).toBe(new Date((cursor as Date).getTime() - ORDER_POLL_BOUNDARY_MARGIN_MS).toISOString());
    // A process's first fresh pass lists from where its settled pass ends.
    const [firstFresh] = (await pages()).filter((page) => page.seq > marker && !page.beforeSent);
    expect(firstFresh.seq).toBeLessThan(firstSettled.seq);
    expect(firstFresh.after).toBe(new Date(Date.parse(firstSettled.before) - ORDER_POLL_BOUNDARY_MARGIN_MS).toISOString());
    await submittedOnce(meanwhile.AmazonOrderId);
    expect((await pages(settled.AmazonOrderId)).filter((page) => page.seq > marker)).toEqual([]);
  });
});

/** The cursor a closed instance left in its database. */
async function persistedCursor(closed: RunningService): Promise<Date | null> {
  const dataSource = await createDataSource({ ...closed.config.database, entities: [OrderCursor], migrations: [] });
  try {
    return await new OrderCursorRepository(dataSource).load(ACCOUNT);
  } finally {
    await dataSource.destroy();
  }
}
