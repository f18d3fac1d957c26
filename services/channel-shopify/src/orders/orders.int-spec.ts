import { ORDER_POLL_BOUNDARY_MARGIN_MS } from '@retail-mesh/channel-kit';
// channel-shopify's order flow against the Shopify sandbox and a test peer of the orders service:
// webhooks (signed, deduplicated, stored before they are answered) and the poll backstop submit
// each order once; accepted, shipped and cancelled orders reach Shopify as the ERP order's
// metafield (concurrent ones in shared metafieldsSet calls), fulfilments with tracking and a
// cancellation (whole, or units with a refund), each confirmed and followed by an event. Runs on PostgreSQL +
// RabbitMQ and on SQLite + the in-process bus.
import { createHmac } from 'node:crypto';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { channelV1, Events, grpcServices, ordersV1, toTimestamp, type EventDefinition } from '@retail-mesh/contracts';
import { decodeEvent, encodeEvent, type Delivery } from '@retail-mesh/messaging';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { startShopifySandbox, type ShopifySandbox } from '@retail-mesh/sandbox-shopify';
import { createGrpcClient, freePort, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import {
  createServiceTestBed,
  scrapeMetric,
  SERVICE_TEST_MODES,
  type ServiceTestBed,
  type ServiceTestMode,
} from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelShopifyService } from '../channel-shopify.definition.js';
import { OrdersServicePeer } from './orders-service-peer.fixture.js';
import { ShopifyOrderRecord } from './shopify-order.entity.js';
import { ShopifyWebhookDelivery } from './shopify-webhook-delivery.entity.js';

const SHOP = 'orders-int';
const TOKEN = 'shpat_orders_int';
const SECRET = 'shpss_orders_int_secret';
const ACCOUNT = 'shopify-orders-int';
const ORDERS_QUEUE = 'channel-shopify.orders';
// The order poll's settle time, and an index lag under it that its fresh pass cannot see through:
// an order is listed only after the fresh passes' windows (from the previous round's start less
// the margin) have moved past its update.
const SETTLE_MS = 7_000;
const LIST_LAG_MS = 5_000;

// The tests read sandbox answers of many shapes; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

interface ReceivedEvent {
  routingKey: string;
  type: string;
  payload: AnyJson;
}

const CHANNEL_EVENTS: Record<string, EventDefinition<unknown>> = {
  [Events.channel.orderReceived.type]: Events.channel.orderReceived as EventDefinition<unknown>,
  [Events.channel.orderAcknowledged.type]: Events.channel.orderAcknowledged as EventDefinition<unknown>,
  [Events.channel.shipmentConfirmed.type]: Events.channel.shipmentConfirmed as EventDefinition<unknown>,
};

class Harness {
  sandbox!: ShopifySandbox;
  admin!: SandboxAdminClient;
  readonly peer = new OrdersServicePeer();
  service!: RunningService;
  adapter!: GrpcClient<channelV1.ChannelAdapterServiceClient>;
  readonly events: ReceivedEvent[] = [];
  private testBed: ServiceTestBed | undefined;

  constructor(private readonly mode: ServiceTestMode) {}

  async start(): Promise<void> {
    this.sandbox = await startShopifySandbox({
      port: 0,
      // Shopify Plus' REST bucket (20 requests/s): the polls come every interval, not when the bucket lets them.
      shops: [{ shop: SHOP, accessToken: TOKEN, clientSecret: SECRET, plan: 'plus' }],
      webhookRetryDelaysMs: [50, 100],
    });
    this.admin = new SandboxAdminClient(this.sandbox.url);
    await this.admin.call('POST', '/_sandbox/products', {
      shop: SHOP,
      locations: [{ name: 'Main warehouse' }],
      variants: [{ sku: 'TEE-M' }, { sku: 'MUG' }],
    });
    await this.peer.start();
    const httpPort = await freePort('127.0.0.1');
    this.testBed = await createServiceTestBed(channelShopifyService, {
      mode: this.mode,
      settings: {
        SHOPIFY_ACCOUNTS: JSON.stringify([
          { channelAccountId: ACCOUNT, adminApiUrl: this.sandbox.url, accessToken: TOKEN, apiVersion: '2026-04', clientSecret: SECRET },
        ]),
        // Never called: these tests push no availability.
        CATALOG_GRPC_URL: '127.0.0.1:1',
        ORDERS_GRPC_URL: this.peer.url,
        HTTP_PORT: String(httpPort),
        SHOPIFY_WEBHOOK_BASE_URL: `http://127.0.0.1:${httpPort}`,
        SHOPIFY_ORDER_POLL_INTERVAL_MS: '300',
        // The settle time: an order Shopify lists late (LIST_LAG_MS) is still caught.
        SHOPIFY_ORDER_POLL_OVERLAP_MS: String(SETTLE_MS),
        SHOPIFY_ORDER_POLL_LOOKBACK_MS: '600000',
        SHOPIFY_ORDER_INTAKE_INTERVAL_MS: '200',
        SHOPIFY_ORDER_CANCEL_CONFIRM_MS: '5000',
        SHOPIFY_RETRIES: '2',
        SHOPIFY_RETRY_BASE_DELAY_MS: '50',
      },
    });
    await this.testBed.bus.consume({ queue: 'test.channel-events', bindings: ['channel.#'] }, async (delivery: Delivery) => {
      const type = delivery.headers['x-event-type'];
      const definition = CHANNEL_EVENTS[type];
      if (definition) this.events.push({ routingKey: delivery.routingKey, type, payload: decodeEvent(delivery, definition).payload });
    });
    this.service = await this.testBed.start();
    this.adapter = createGrpcClient<channelV1.ChannelAdapterServiceClient>(grpcServices.channelAdapter, this.service.grpcUrl);
  }

  testBedBus() {
    return (this.testBed as ServiceTestBed).bus;
  }

  async stop(): Promise<void> {
    this.adapter?.close();
    await this.testBed?.close();
    await this.peer.stop();
    await this.sandbox?.close();
  }

  async createOrder(overrides: Record<string, unknown> = {}): Promise<AnyJson> {
    const { order } = await this.admin.call<AnyJson>('POST', `/_sandbox/shops/${SHOP}/orders`, {
      email: 'jane@example.com',
      currency: 'EUR',
      taxesIncluded: true,
      customer: { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com' },
      shippingAddress: {
        firstName: 'Jane',
        lastName: 'Doe',
        address1: 'Unter den Linden 1',
        city: 'Berlin',
        zip: '10117',
        countryCode: 'DE',
      },
      lineItems: [
        { sku: 'TEE-M', quantity: 2, price: '19.99', taxLines: [{ title: 'MwSt', rate: 0.19, price: '6.38' }] },
        { sku: 'MUG', quantity: 1, price: '9.50', taxLines: [{ title: 'MwSt', rate: 0.19, price: '1.52' }] },
      ],
      shippingLines: [{ code: 'dhl', title: 'DHL Paket', price: '4.90' }],
      ...overrides,
    });
    return order;
  }

  async shopOrder(id: number): Promise<AnyJson> {
    return this.admin.call('GET', `/_sandbox/shops/${SHOP}/orders/${id}`);
  }

  /** The ERP order reference the acknowledgement wrote on the order (undefined before). */
  async erpOrderIdOf(id: number): Promise<string | undefined> {
    const { metafields } = await this.shopOrder(id);
    return metafields.find((metafield: AnyJson) => metafield.namespace === 'retail_mesh' && metafield.key === 'erp_order_id')?.value;
  }

  async deliveries(orderId: number, topic = 'orders/create'): Promise<AnyJson[]> {
    return (await this.admin.call<AnyJson>('GET', `/_sandbox/webhook-deliveries?topic=${topic}&orderId=${orderId}`)).deliveries;
  }

  submittedOnce(gid: string): Promise<ordersV1.Order> {
    return waitFor(() => this.peer.orderOf(ACCOUNT, gid), { description: `SubmitOrder for ${gid}` });
  }

  /** The shop lists orders this long after their last update (Shopify's index lag). */
  async setListLag(orderListLagMs: number): Promise<void> {
    await this.admin.call('POST', '/_sandbox/shops', { shop: SHOP, accessToken: TOKEN, orderListLagMs });
  }

  /** The poll's listings of orders.json (first pages: their filters), oldest first. */
  async listings(): Promise<Array<{ seq: number; min: number; max: number | undefined }>> {
    const requests = await this.admin.requests({ path: '/admin/api/2026-04/orders.json', method: 'GET' });
    return requests.flatMap(({ seq, query }) => {
      const params = new URLSearchParams(query);
      const min = params.get('updated_at_min');
      const max = params.get('updated_at_max');
      return min === null ? [] : [{ seq, min: Date.parse(min), max: max === null ? undefined : Date.parse(max) }];
    });
  }

  /** Orders the poll's settled or fresh passes listed so far. */
  listedByPoll(pass: 'settled' | 'fresh'): Promise<number> {
    return this.metric('retail_mesh_channel_shopify_order_poll_listed_orders_total', { channel_account_id: ACCOUNT, pass });
  }

  /** The poll's cursor, as GetAdapterStatus reports it. */
  async orderCursor(): Promise<number> {
    const status = await this.adapter.getAdapterStatus({ channelAccountId: ACCOUNT });
    return Date.parse(status.accounts[0].orderCursor);
  }

  metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return scrapeMetric(this.service, name, labels);
  }

  /** Waits for `count` more complete polls: after them, anything a poll could do has been done. */
  async waitForPolls(count: number): Promise<void> {
    const name = 'retail_mesh_channel_shopify_order_polls_total';
    const labels = { channel_account_id: ACCOUNT, outcome: 'ok' };
    const before = await this.metric(name, labels);
    await waitFor(async () => (await this.metric(name, labels)) >= before + count, { description: `${count} order polls` });
  }

  async handled(): Promise<number> {
    return this.metric('retail_mesh_consumer_handled_total', { queue: ORDERS_QUEUE });
  }

  async publish<T>(definition: EventDefinition<T>, payload: T, id?: string): Promise<string> {
    const message = encodeEvent({
      definition,
      payload,
      source: 'orders',
      subject: 'order',
      channel: 'shopify',
      channelAccountId: ACCOUNT,
      id,
    });
    await this.testBed?.bus.publish([message]);
    return message.id;
  }

  eventsOf(type: string, filter: (payload: AnyJson) => boolean): ReceivedEvent[] {
    return this.events.filter((event) => event.type === type && filter(event.payload));
  }

  async postWebhook(body: string, hmac: string, account = ACCOUNT): Promise<Response> {
    return fetch(`${this.service.httpUrl}/webhooks/shopify/${account}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': hmac,
        'x-shopify-webhook-id': 'f0c3b0a0-1111-4a4a-9a9a-000000000001',
        'x-shopify-shop-domain': `${SHOP}.myshopify.com`,
      },
      body,
    });
  }
}

function canonical(order: AnyJson): ordersV1.Order {
  return ordersV1.Order.fromPartial({
    orderId: order.orderId,
    channelAccountId: ACCOUNT,
    channel: 'shopify',
    channelOrderId: order.gid,
    erpOrderId: order.erpOrderId ?? '',
  });
}

describe.each(SERVICE_TEST_MODES)('channel-shopify orders on $name', ({ mode }) => {
  const mesh = new Harness(mode);

  beforeAll(async () => {
    await mesh.start();
  });

  afterAll(async () => {
    await mesh.stop();
  });

  it('subscribes its order webhooks on Shopify and submits a new order once, mapped, with channel.order_received', async () => {
    const { subscriptions } = await waitFor(async () => {
      const listed = await mesh.admin.call<AnyJson>('GET', `/_sandbox/shops/${SHOP}/webhooks`);
      return listed.subscriptions.length === 3 ? listed : undefined;
    });
    expect(subscriptions.map((subscription: AnyJson) => subscription.topic).sort()).toEqual([
      'orders/cancelled',
      'orders/create',
      'orders/updated',
    ]);
    expect(new Set(subscriptions.map((subscription: AnyJson) => subscription.uri))).toEqual(
      new Set([`${mesh.service.httpUrl}/webhooks/shopify/${ACCOUNT}`]),
    );

    const order = await mesh.createOrder({ poNumber: 'PO-1' });
    const submitted = await mesh.submittedOnce(order.admin_graphql_api_id);
    const [request] = mesh.peer.submitsOf(order.admin_graphql_api_id);
    expect(request.idempotencyKey).toBe(`${ACCOUNT}/${order.admin_graphql_api_id}`);
    expect(request.order).toMatchObject({
      channelAccountId: ACCOUNT,
      channel: 'shopify',
      channelOrderNumber: order.name,
      currency: 'EUR',
      taxesIncluded: true,
      purchaseOrderNumber: 'PO-1',
      paymentStatus: ordersV1.PaymentStatus.PAYMENT_STATUS_PAID,
      totals: {
        subtotal: { amountMinor: 4948, currency: 'EUR' },
        taxTotal: { amountMinor: 790, currency: 'EUR' },
        shippingTotal: { amountMinor: 490, currency: 'EUR' },
        grandTotal: { amountMinor: 5438, currency: 'EUR' },
      },
      shipping: { methodCode: 'dhl', methodTitle: 'DHL Paket', price: { amountMinor: 490, currency: 'EUR' } },
      shippingAddress: { name: 'Jane Doe', line1: 'Unter den Linden 1', postalCode: '10117', countryCode: 'DE' },
    });
    expect(request.order?.lines.map((line) => [line.channelLineId, line.sku, line.quantity, line.unitPrice?.amountMinor])).toEqual([
      [order.line_items[0].admin_graphql_api_id, 'TEE-M', 2, 1999],
      [order.line_items[1].admin_graphql_api_id, 'MUG', 1, 950],
    ]);
    const received = await waitFor(
      () => mesh.eventsOf(Events.channel.orderReceived.type, (payload) => payload.order?.channelOrderId === order.admin_graphql_api_id)[0],
    );
    expect(received.routingKey).toBe('channel.order_received.shopify');
    expect(received.payload.order.orderId).toBe(submitted.orderId);

    // The poll sees the same order afterwards: still one submission.
    await mesh.waitForPolls(2);
    expect(mesh.peer.submitsOf(order.admin_graphql_api_id)).toHaveLength(1);
  });

  it('gives the same webhook delivered three more times and a concurrent poll one SubmitOrder', async () => {
    const order = await mesh.createOrder();
    const [delivery] = await waitFor(async () => {
      const deliveries = await mesh.deliveries(order.id);
      return deliveries[0]?.status === 'delivered' ? deliveries : undefined;
    });
    const resent = await mesh.admin.call<AnyJson>('POST', `/_sandbox/webhook-deliveries/${delivery.webhookId}/redeliver`, { times: 3 });
    expect(resent.statuses).toEqual([200, 200, 200]);
    await mesh.submittedOnce(order.admin_graphql_api_id);
    await mesh.waitForPolls(2);

    expect(mesh.peer.submitsOf(order.admin_graphql_api_id)).toHaveLength(1);
    const created = [...mesh.peer.orders.values()].filter((candidate) => candidate.channelOrderId === order.admin_graphql_api_id);
    expect(created).toHaveLength(1);
    const deliveries = await mesh.service.dataSource
      .getRepository(ShopifyWebhookDelivery)
      .findBy({ channelAccountId: ACCOUNT, webhookId: delivery.webhookId });
    expect(deliveries).toHaveLength(1);
    expect(
      await mesh.metric('retail_mesh_channel_shopify_webhook_deliveries_total', {
        channel_account_id: ACCOUNT,
        topic: 'orders/create',
        outcome: 'duplicate',
      }),
    ).toBeGreaterThanOrEqual(3);
  });

  it('catches an order whose webhook was dropped with the poll', async () => {
    await mesh.admin.call('POST', '/_sandbox/webhook-faults', { shop: SHOP, topic: 'orders/create', drop: 1 });
    const order = await mesh.createOrder();
    expect((await mesh.deliveries(order.id)).map((delivery) => delivery.status)).toEqual(['dropped']);
    await mesh.submittedOnce(order.admin_graphql_api_id);
    const row = await mesh.service.dataSource
      .getRepository(ShopifyOrderRecord)
      .findOneBy({ channelAccountId: ACCOUNT, channelOrderId: order.admin_graphql_api_id });
    expect(row?.source).toBe('poll');
    expect(mesh.peer.submitsOf(order.admin_graphql_api_id)).toHaveLength(1);
  });

  it('catches with the settled pass an order whose webhook was dropped and that Shopify listed late', async () => {
    await mesh.setListLag(LIST_LAG_MS);
    try {
      await mesh.admin.call('POST', '/_sandbox/webhook-faults', { shop: SHOP, topic: 'orders/create', drop: 1 });
      const order = await mesh.createOrder();
      const updatedAt = Date.parse(order.updated_at);
      await mesh.submittedOnce(order.admin_graphql_api_id);
      const row = await mesh.service.dataSource
        .getRepository(ShopifyOrderRecord)
        .findOneBy({ channelAccountId: ACCOUNT, channelOrderId: order.admin_graphql_api_id });
      expect(row?.source).toBe('poll');
      expect(row?.shopifyUpdatedAt.getTime()).toBe(updatedAt);
      // Listed from LIST_LAG_MS after its update on, but by then the fresh passes' windows had moved
      // past it: the settled pass found it, once its window reached the update (SETTLE_MS after it).
      expect(row!.firstSeenAt.getTime() - updatedAt).toBeGreaterThanOrEqual(SETTLE_MS);
      expect(mesh.peer.submitsOf(order.admin_graphql_api_id)).toHaveLength(1);
    } finally {
      await mesh.setListLag(0);
    }
  });

  it('lists an order in the rounds right after its update and, once the cursor is past it, never again', async () => {
    const listedBefore = { settled: await mesh.listedByPoll('settled'), fresh: await mesh.listedByPoll('fresh') };
    const order = await mesh.createOrder();
    const updatedAt = Date.parse(order.updated_at);
    await mesh.submittedOnce(order.admin_graphql_api_id);
    // Bounds go to Shopify floored to the second, and each window reaches back the margin before the cursor.
    await waitFor(async () => (await mesh.orderCursor()) >= updatedAt + ORDER_POLL_BOUNDARY_MARGIN_MS + 1_000, {
      description: 'the order poll cursor to pass the order',
    });
    const [marker] = await mesh.admin.requests({ limit: 1 });
    await mesh.waitForPolls(3);

    const covering = (await mesh.listings()).filter(({ min, max }) => min <= updatedAt && (max === undefined || updatedAt <= max));
    const settled = covering.filter(({ max }) => max !== undefined);
    const fresh = covering.filter(({ max }) => max === undefined);
    expect(settled.length).toBeGreaterThanOrEqual(1);
    expect(fresh.length).toBeGreaterThanOrEqual(1);
    expect(covering.filter(({ seq }) => seq > marker.seq)).toEqual([]);
    expect(await mesh.listedByPoll('settled')).toBeGreaterThan(listedBefore.settled);
    expect(await mesh.listedByPoll('fresh')).toBeGreaterThan(listedBefore.fresh);
  });

  it('answers 401 to a bad signature and records nothing; 404 for an unknown account', async () => {
    const forged = JSON.stringify({
      id: 9_999_000_000_001,
      admin_graphql_api_id: 'gid://shopify/Order/9999000000001',
      name: '#9999',
      updated_at: '2026-11-27T05:00:00-05:00',
    });
    const wrongSecret = createHmac('sha256', 'shpss_not_the_secret').update(forged).digest('base64');
    const refused = await mesh.postWebhook(forged, wrongSecret);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'X-Shopify-Hmac-Sha256 does not match the body' });
    const tampered = await mesh.postWebhook(forged.replace('#9999', '#9998'), createHmac('sha256', SECRET).update(forged).digest('base64'));
    expect(tampered.status).toBe(401);
    expect(
      await mesh.service.dataSource.getRepository(ShopifyOrderRecord).findOneBy({ channelOrderId: 'gid://shopify/Order/9999000000001' }),
    ).toBeNull();
    expect(
      await mesh.service.dataSource.getRepository(ShopifyWebhookDelivery).findOneBy({ webhookId: 'f0c3b0a0-1111-4a4a-9a9a-000000000001' }),
    ).toBeNull();
    expect((await mesh.postWebhook(forged, createHmac('sha256', SECRET).update(forged).digest('base64'), 'shopify-nobody')).status).toBe(
      404,
    );
    // Every answer is timed, under the account served only (the path is open to anyone).
    const metrics = await (await fetch(`${mesh.service.httpUrl}/metrics`)).text();
    const answered = /^retail_mesh_channel_shopify_webhook_answer_seconds_count\{channel_account_id="([^"]+)"\} (\d+)$/gm;
    const counts = Object.fromEntries([...metrics.matchAll(answered)].map((match) => [match[1], Number(match[2])]));
    expect(Object.keys(counts)).toEqual([ACCOUNT]);
    expect(counts[ACCOUNT]).toBeGreaterThanOrEqual(2);
  });

  it('retries the orders service when it is unavailable', async () => {
    mesh.peer.unavailableSubmits = 1;
    const order = await mesh.createOrder();
    await mesh.submittedOnce(order.admin_graphql_api_id);
    expect(mesh.peer.submitsOf(order.admin_graphql_api_id)).toHaveLength(2);
  });

  it('submits the new orders a round finds in one SubmitOrders call, each once', async () => {
    // Webhooks dropped: the orders wait in Shopify until SyncOrders stores them all in one transaction.
    await mesh.admin.call('POST', '/_sandbox/webhook-faults', { shop: SHOP, topic: 'orders/create', drop: 3 });
    const orders = [await mesh.createOrder(), await mesh.createOrder(), await mesh.createOrder()];
    const callsBefore = mesh.peer.batchSizes.length;
    await mesh.adapter.syncOrders({ channelAccountId: ACCOUNT, since: toTimestamp(new Date(Date.now() - 600_000)) });
    for (const order of orders) await mesh.submittedOnce(order.admin_graphql_api_id);
    // A poll may have stored some of them first; SyncOrders re-submits every order it read, in full rounds.
    expect(Math.max(...mesh.peer.batchSizes.slice(callsBefore))).toBeGreaterThanOrEqual(3);
    for (const order of orders) {
      const created = [...mesh.peer.orders.values()].filter((candidate) => candidate.channelOrderId === order.admin_graphql_api_id);
      expect(created).toHaveLength(1);
    }
  });

  it('submits one order per SubmitOrder call to an orders service without SubmitOrders (a rolling upgrade)', async () => {
    mesh.peer.withoutSubmitOrders = true;
    try {
      const order = await mesh.createOrder();
      await mesh.submittedOnce(order.admin_graphql_api_id);
      expect(mesh.peer.submitsOf(order.admin_graphql_api_id)).toHaveLength(1);
    } finally {
      mesh.peer.withoutSubmitOrders = false;
    }
  });

  it('acknowledges an accepted order with its ERP order metafield and publishes channel.order_acknowledged once per event', async () => {
    const shopifyOrder = await mesh.createOrder();
    const submitted = await mesh.submittedOnce(shopifyOrder.admin_graphql_api_id);
    const order = canonical({ orderId: submitted.orderId, gid: shopifyOrder.admin_graphql_api_id, erpOrderId: 'SO-1001' });
    const handledBefore = await mesh.handled();
    const eventId = await mesh.publish(Events.orders.orderAccepted, { order });
    await waitFor(async () => (await mesh.erpOrderIdOf(shopifyOrder.id)) === 'SO-1001', { description: 'the ERP order metafield' });
    const ack = await waitFor(
      () => mesh.eventsOf(Events.channel.orderAcknowledged.type, (payload) => payload.orderId === submitted.orderId)[0],
    );
    expect(ack).toMatchObject({
      routingKey: 'channel.order_acknowledged.shopify',
      payload: {
        channelAccountId: ACCOUNT,
        channel: 'shopify',
        channelOrderId: shopifyOrder.admin_graphql_api_id,
        orderId: submitted.orderId,
      },
    });

    // The same event again (a redelivery): handled, the same metafield, no second acknowledgement.
    await mesh.publish(Events.orders.orderAccepted, { order }, eventId);
    await waitFor(async () => (await mesh.handled()) >= handledBefore + 2, { description: 'both deliveries handled' });
    await mesh.publish(Events.orders.orderAccepted, {
      order: canonical({ orderId: 'ord-marker', gid: shopifyOrder.admin_graphql_api_id, erpOrderId: 'SO-1001' }),
    });
    await waitFor(() => mesh.eventsOf(Events.channel.orderAcknowledged.type, (payload) => payload.orderId === 'ord-marker')[0]);
    expect(mesh.eventsOf(Events.channel.orderAcknowledged.type, (payload) => payload.orderId === submitted.orderId)).toHaveLength(1);
    expect((await mesh.shopOrder(shopifyOrder.id)).metafields).toEqual([
      { namespace: 'retail_mesh', key: 'erp_order_id', type: 'single_line_text_field', value: 'SO-1001' },
    ]);
  });

  it('acknowledges concurrent orders in shared metafieldsSet calls, each confirmed; an order Shopify refuses fails alone', async () => {
    const orders = [];
    for (let index = 0; index < 8; index += 1) orders.push(await mesh.createOrder());
    // Shopify answers slowly: the acknowledgements that arrive meanwhile wait for the next call.
    await mesh.admin.setFaults({ type: 'latency', operation: 'metafieldsSet', ms: 300 });
    const acknowledge = (channelOrderId: string, erpOrderId: string) =>
      mesh.adapter.acknowledgeOrder({
        idempotencyKey: `${erpOrderId}/ack`,
        channelAccountId: ACCOUNT,
        channelOrderId,
        orderId: '',
        erpOrderId,
      });
    const results = await Promise.allSettled([
      ...orders.map((order) => acknowledge(order.admin_graphql_api_id, `SO-B${order.id}`)),
      acknowledge('gid://shopify/Order/1', 'SO-UNKNOWN'),
    ]);
    await mesh.admin.clearFaults();

    expect(results.slice(0, -1).every((result) => result.status === 'fulfilled')).toBe(true);
    expect(results.at(-1)).toMatchObject({ status: 'rejected', reason: { code: GrpcStatus.NOT_FOUND } });
    for (const order of orders) expect(await mesh.erpOrderIdOf(order.id)).toBe(`SO-B${order.id}`);
    const calls = (await mesh.admin.requests({ path: '/admin/api/2026-04/graphql.json', method: 'POST' }))
      .map((request) => request.body as AnyJson)
      .filter(
        (body) =>
          body.query.includes('metafieldsSet') && body.variables.metafields.some((input: AnyJson) => input.value.startsWith('SO-B')),
      );
    // Nine acknowledgements in fewer calls; the call with the unknown order was refused whole and sent again without it.
    expect(calls.length).toBeLessThan(orders.length);
    expect(calls.every((call) => call.variables.metafields.length <= 25)).toBe(true);
    expect(Math.max(...calls.map((call) => call.variables.metafields.length))).toBeGreaterThan(1);
  });

  it('confirms a partial shipment and then the rest as fulfilments with carrier and tracking, each once', async () => {
    const shopifyOrder = await mesh.createOrder();
    const submitted = await mesh.submittedOnce(shopifyOrder.admin_graphql_api_id);
    const order = canonical({ orderId: submitted.orderId, gid: shopifyOrder.admin_graphql_api_id });
    const [tee, mug] = shopifyOrder.line_items;
    const shipment = (shipmentId: string, tracking: string, lines: Array<[AnyJson, number]>) =>
      ordersV1.Shipment.fromPartial({
        shipmentId,
        carrier: 'DHL Express',
        trackingNumber: tracking,
        trackingUrl: `https://www.dhl.com/track?id=${tracking}`,
        lines: lines.map(([line, quantity]) => ({ channelLineId: line.admin_graphql_api_id, sku: line.sku, quantity })),
        shippedAt: toTimestamp(new Date()),
      });

    const first = shipment(`SHP-${shopifyOrder.id}-1`, `1Z${shopifyOrder.id}A`, [[tee, 1]]);
    await mesh.publish(Events.orders.orderShipped, { order, shipment: first, fullyShipped: false });
    const confirmed = await waitFor(
      () => mesh.eventsOf(Events.channel.shipmentConfirmed.type, (payload) => payload.shipmentId === first.shipmentId)[0],
    );
    let view = await mesh.shopOrder(shopifyOrder.id);
    expect(view.fulfillments).toEqual([
      expect.objectContaining({
        id: confirmed.payload.channelFulfillmentId,
        trackingInfo: [{ company: 'DHL Express', number: first.trackingNumber, url: first.trackingUrl }],
        lineItems: [{ lineItemId: tee.admin_graphql_api_id, sku: 'TEE-M', quantity: 1 }],
        notifyCustomer: true,
      }),
    ]);
    expect(view.fulfillmentOrders[0]).toMatchObject({
      status: 'IN_PROGRESS',
      lineItems: [{ remainingQuantity: 1 }, { remainingQuantity: 1 }],
    });
    expect(view.order.fulfillment_status).toBe('partial');

    // The same shipment again, as a new event: answered from the adapter's record, nothing sent.
    const handledBefore = await mesh.handled();
    await mesh.publish(Events.orders.orderShipped, { order, shipment: first, fullyShipped: false });
    await waitFor(async () => (await mesh.handled()) >= handledBefore + 1, { description: 'the repeat handled' });
    expect((await mesh.shopOrder(shopifyOrder.id)).fulfillments).toHaveLength(1);

    // The rest, with the answer of fulfillmentCreate lost after Shopify applied it: the retry reads back and finds it.
    await mesh.admin.setFaults({ type: 'drop', operation: 'fulfillmentCreate', afterEffect: true, count: 1 });
    const rest = shipment(`SHP-${shopifyOrder.id}-2`, `1Z${shopifyOrder.id}B`, [
      [tee, 1],
      [mug, 1],
    ]);
    await mesh.publish(Events.orders.orderShipped, { order, shipment: rest, fullyShipped: true });
    await waitFor(() => mesh.eventsOf(Events.channel.shipmentConfirmed.type, (payload) => payload.shipmentId === rest.shipmentId)[0]);
    await mesh.admin.clearFaults();
    view = await mesh.shopOrder(shopifyOrder.id);
    expect(
      view.fulfillments.map((fulfillment: AnyJson) => [
        fulfillment.trackingInfo[0].number,
        fulfillment.lineItems.map((line: AnyJson) => [line.sku, line.quantity]),
      ]),
    ).toEqual([
      [first.trackingNumber, [['TEE-M', 1]]],
      [
        rest.trackingNumber,
        [
          ['TEE-M', 1],
          ['MUG', 1],
        ],
      ],
    ]);
    expect(view.order.fulfillment_status).toBe('fulfilled');
    expect(view.fulfillmentOrders[0].status).toBe('CLOSED');

    const state = await mesh.adapter.getOrderState({ channelAccountId: ACCOUNT, channelOrderIds: [shopifyOrder.admin_graphql_api_id] });
    expect(state.states[0]).toMatchObject({
      status: channelV1.ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED,
      trackingNumbers: [first.trackingNumber, rest.trackingNumber],
    });
  });

  it('cancels on Shopify what the mesh cancelled, read back, but not what Shopify cancelled itself', async () => {
    const [erpCancelled, channelCancelled] = [await mesh.createOrder(), await mesh.createOrder()];
    const [first, second] = [
      await mesh.submittedOnce(erpCancelled.admin_graphql_api_id),
      await mesh.submittedOnce(channelCancelled.admin_graphql_api_id),
    ];
    const handledBefore = await mesh.handled();
    await mesh.publish(Events.orders.orderCancelled, {
      order: canonical({ orderId: second.orderId, gid: channelCancelled.admin_graphql_api_id }),
      reason: ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED,
      lines: [],
      fullyCancelled: true,
    });
    await mesh.publish(Events.orders.orderCancelled, {
      order: canonical({ orderId: first.orderId, gid: erpCancelled.admin_graphql_api_id }),
      reason: ordersV1.CancelReason.CANCEL_REASON_OUT_OF_STOCK,
      lines: [],
      fullyCancelled: true,
    });
    const cancelled = await waitFor(async () => {
      const view = await mesh.shopOrder(erpCancelled.id);
      return view.order.cancelled_at ? view : undefined;
    });
    expect(cancelled.cancellation).toMatchObject({ reason: 'INVENTORY', restock: true, refund: true, by: 'api' });
    await waitFor(async () => (await mesh.handled()) >= handledBefore + 2, { description: 'both cancellations handled' });
    expect((await mesh.shopOrder(channelCancelled.id)).order.cancelled_at).toBeNull();
  });

  it('cancels units the mesh cancelled with a refund of restock type CANCEL, once, read back; the rest after a shipment too', async () => {
    const shopifyOrder = await mesh.createOrder();
    const submitted = await mesh.submittedOnce(shopifyOrder.admin_graphql_api_id);
    const [tee, mug] = shopifyOrder.line_items;
    // The mesh's order after each change: mesh line ids, Shopify line item gids, cancelled and shipped units.
    const after = (version: number, teeCancelled: number, mugShipped: number) =>
      ordersV1.Order.fromPartial({
        ...canonical({ orderId: submitted.orderId, gid: shopifyOrder.admin_graphql_api_id }),
        version,
        lines: [
          { lineId: 'L1', channelLineId: tee.admin_graphql_api_id, sku: 'TEE-M', quantity: 2, cancelledQuantity: teeCancelled },
          { lineId: 'L2', channelLineId: mug.admin_graphql_api_id, sku: 'MUG', quantity: 1, shippedQuantity: mugShipped },
        ],
      });
    const oneTee = {
      order: after(5, 1, 0),
      reason: ordersV1.CancelReason.CANCEL_REASON_ERP_CANCELLED,
      lines: [{ lineId: 'L1', quantity: 1 }],
      fullyCancelled: false,
    };
    await mesh.publish(Events.orders.orderCancelled, oneTee);
    const refunded = await waitFor(async () => {
      const view = await mesh.shopOrder(shopifyOrder.id);
      return view.order.refunds.length === 1 ? view : undefined;
    });
    // Prices include VAT here: one 19.99 shirt is what goes back.
    expect(refunded.order.refunds[0]).toMatchObject({
      refund_line_items: [{ line_item_id: tee.id, quantity: 1, restock_type: 'cancel', subtotal: '19.99' }],
      transactions: [{ kind: 'refund', amount: '19.99', status: 'success' }],
    });
    expect(refunded.order).toMatchObject({ cancelled_at: null, financial_status: 'partially_refunded' });
    expect(refunded.fulfillmentOrders[0].lineItems).toMatchObject([
      { sku: 'TEE-M', totalQuantity: 1, remainingQuantity: 1 },
      { sku: 'MUG', remainingQuantity: 1 },
    ]);

    // The same cancellation again (a redelivery): the refunds show it, nothing is refunded twice.
    const handledBefore = await mesh.handled();
    await mesh.publish(Events.orders.orderCancelled, oneTee);
    await waitFor(async () => (await mesh.handled()) >= handledBefore + 1, { description: 'the repeat handled' });
    expect((await mesh.shopOrder(shopifyOrder.id)).order.refunds).toHaveLength(1);

    // The mug ships, then the last shirt is cancelled: the order is fully cancelled or shipped, but
    // shipped in part, so orderCancel cannot take it: the shirt goes as units too.
    const shipment = ordersV1.Shipment.fromPartial({
      shipmentId: `SHP-${shopifyOrder.id}-MUG`,
      carrier: 'DHL Express',
      trackingNumber: `1Z${shopifyOrder.id}M`,
      lines: [{ channelLineId: mug.admin_graphql_api_id, sku: 'MUG', quantity: 1 }],
    });
    await mesh.publish(Events.orders.orderShipped, { order: after(6, 1, 1), shipment, fullyShipped: false });
    await waitFor(() => mesh.eventsOf(Events.channel.shipmentConfirmed.type, (payload) => payload.shipmentId === shipment.shipmentId)[0]);
    await mesh.publish(Events.orders.orderCancelled, { ...oneTee, order: after(7, 2, 1), fullyCancelled: true });
    const done = await waitFor(async () => {
      const view = await mesh.shopOrder(shopifyOrder.id);
      return view.order.refunds.length === 2 ? view : undefined;
    });
    expect(done.order).toMatchObject({
      cancelled_at: null,
      fulfillment_status: 'fulfilled',
      line_items: [
        { sku: 'TEE-M', current_quantity: 0, fulfillable_quantity: 0 },
        { sku: 'MUG', current_quantity: 1 },
      ],
    });
    expect(done.fulfillmentOrders[0].status).toBe('CLOSED');
    expect(
      await mesh.metric('retail_mesh_channel_shopify_order_actions_total', {
        channel_account_id: ACCOUNT,
        action: 'cancel',
        outcome: 'already',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('passes a cancellation made on Shopify to the orders service as CHANNEL_CANCELLED by "channel"', async () => {
    const shopifyOrder = await mesh.createOrder();
    const submitted = await mesh.submittedOnce(shopifyOrder.admin_graphql_api_id);
    await mesh.admin.call('POST', `/_sandbox/shops/${SHOP}/orders/${shopifyOrder.id}/cancel`, { reason: 'CUSTOMER' });
    const cancel = await waitFor(() => mesh.peer.cancelled.find((request) => request.orderId === submitted.orderId));
    expect(cancel).toMatchObject({
      reason: ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED,
      requestedBy: 'channel',
      note: 'cancelled on Shopify (reason: customer)',
      lines: [],
    });
    await mesh.waitForPolls(2);
    expect(mesh.peer.cancelled.filter((request) => request.orderId === submitted.orderId)).toHaveLength(1);
  });

  it('serves the order RPCs: acknowledge, confirm a shipment, cancel, order state, and SyncOrders re-submitting', async () => {
    const shopifyOrder = await mesh.createOrder();
    const gid = shopifyOrder.admin_graphql_api_id;
    const submitted = await mesh.submittedOnce(gid);
    const ackRequest = { idempotencyKey: 'k', channelAccountId: ACCOUNT, channelOrderId: gid, orderId: submitted.orderId, erpOrderId: '' };
    await expect(mesh.adapter.acknowledgeOrder(ackRequest)).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    await mesh.adapter.acknowledgeOrder({ ...ackRequest, erpOrderId: 'SO-RPC' });
    expect(await mesh.erpOrderIdOf(shopifyOrder.id)).toBe('SO-RPC');
    let state = await mesh.adapter.getOrderState({ channelAccountId: ACCOUNT, channelOrderIds: [gid, 'gid://shopify/Order/1'] });
    expect(state.states.map((entry) => entry.status)).toEqual([
      channelV1.ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED,
      channelV1.ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND,
    ]);

    const shipment = ordersV1.Shipment.fromPartial({
      shipmentId: `SHP-RPC-${shopifyOrder.id}`,
      carrier: 'UPS',
      trackingNumber: `1ZRPC${shopifyOrder.id}`,
      lines: [{ channelLineId: shopifyOrder.line_items[1].admin_graphql_api_id, sku: 'MUG', quantity: 1 }],
    });
    const confirmed = await mesh.adapter.confirmShipment({
      idempotencyKey: shipment.shipmentId,
      channelAccountId: ACCOUNT,
      channelOrderId: gid,
      orderId: submitted.orderId,
      shipment,
      notifyCustomer: false,
    });
    const again = await mesh.adapter.confirmShipment({
      idempotencyKey: shipment.shipmentId,
      channelAccountId: ACCOUNT,
      channelOrderId: gid,
      orderId: submitted.orderId,
      shipment,
      notifyCustomer: false,
    });
    expect(again.channelFulfillmentId).toBe(confirmed.channelFulfillmentId);
    expect((await mesh.shopOrder(shopifyOrder.id)).fulfillments).toHaveLength(1);
    state = await mesh.adapter.getOrderState({ channelAccountId: ACCOUNT, channelOrderIds: [gid] });
    expect(state.states[0]).toMatchObject({
      status: channelV1.ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED,
      trackingNumbers: [shipment.trackingNumber],
    });

    // Shopify refuses to cancel an order with fulfilments: FAILED_PRECONDITION with its message.
    await expect(
      mesh.adapter.cancelOrder({
        idempotencyKey: 'c',
        channelAccountId: ACCOUNT,
        channelOrderId: gid,
        orderId: submitted.orderId,
        reason: ordersV1.CancelReason.CANCEL_REASON_FRAUD,
        lines: [],
        note: '',
        notifyCustomer: false,
      }),
    ).rejects.toMatchObject({
      code: GrpcStatus.FAILED_PRECONDITION,
      details: expect.stringContaining('Cannot cancel an order with fulfillments'),
    });
    const other = await mesh.createOrder();
    await mesh.submittedOnce(other.admin_graphql_api_id);
    const cancelRequest = {
      idempotencyKey: 'c2',
      channelAccountId: ACCOUNT,
      channelOrderId: other.admin_graphql_api_id,
      orderId: 'x',
      reason: ordersV1.CancelReason.CANCEL_REASON_FRAUD,
      lines: [],
      note: 'chargeback',
      notifyCustomer: false,
    };
    const cancelled = await mesh.adapter.cancelOrder(cancelRequest);
    expect(cancelled.cancelledAt).toBeTruthy();
    expect((await mesh.adapter.cancelOrder(cancelRequest)).cancelledAt).toEqual(cancelled.cancelledAt);
    expect((await mesh.shopOrder(other.id)).cancellation).toMatchObject({
      reason: 'FRAUD',
      staffNote: 'retail-mesh: CANCEL_REASON_FRAUD (chargeback)',
    });

    const submitsBefore = mesh.peer.submitsOf(gid).length;
    const synced = await mesh.adapter.syncOrders({ channelAccountId: ACCOUNT, since: toTimestamp(new Date(Date.now() - 600_000)) });
    expect(synced.orderCount).toBeGreaterThanOrEqual(2);
    await waitFor(() => mesh.peer.submitsOf(gid).length > submitsBefore, { description: 'SyncOrders to submit the order again' });

    await expect(mesh.adapter.getOrderState({ channelAccountId: ACCOUNT, channelOrderIds: ['5501'] })).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
    });
    await expect(mesh.adapter.syncOrders({ channelAccountId: 'nope', since: toTimestamp(new Date()) })).rejects.toMatchObject({
      code: GrpcStatus.NOT_FOUND,
    });
    const status = await mesh.adapter.getAdapterStatus({ channelAccountId: ACCOUNT });
    expect(status.accounts[0].orderCursor).not.toBe('');
    expect(status.accounts[0].lastOrderSyncAt).toBeTruthy();
  });

  it('cancels the units a CancelOrder request names with a refund of restock type CANCEL, once per idempotency key', async () => {
    const shopifyOrder = await mesh.createOrder();
    const [tee, mug] = shopifyOrder.line_items;
    const request = {
      idempotencyKey: `cancel-${shopifyOrder.id}-1`,
      channelAccountId: ACCOUNT,
      channelOrderId: shopifyOrder.admin_graphql_api_id,
      orderId: 'ord-rpc-units',
      reason: ordersV1.CancelReason.CANCEL_REASON_OUT_OF_STOCK,
      lines: [{ channelLineId: tee.admin_graphql_api_id, sku: 'TEE-M', quantity: 1 }],
      note: '',
      notifyCustomer: false,
    };
    const cancelled = await mesh.adapter.cancelOrder(request);
    let view = await mesh.shopOrder(shopifyOrder.id);
    expect(view.order.refunds).toHaveLength(1);
    expect(view.order.refunds[0]).toMatchObject({
      note: `retail-mesh: CANCEL_REASON_OUT_OF_STOCK [retail-mesh-cancel-${shopifyOrder.id}-${request.idempotencyKey}]`,
      refund_line_items: [{ line_item_id: tee.id, quantity: 1, restock_type: 'cancel' }],
    });

    // A repeat of the request finds its refund: nothing is sent, the same answer.
    expect(await mesh.adapter.cancelOrder(request)).toEqual(cancelled);
    expect((await mesh.shopOrder(shopifyOrder.id)).order.refunds).toHaveLength(1);

    // Another request (another key) for the same line cancels its units too.
    await mesh.adapter.cancelOrder({ ...request, idempotencyKey: `cancel-${shopifyOrder.id}-2` });
    view = await mesh.shopOrder(shopifyOrder.id);
    expect(view.order.refunds).toHaveLength(2);
    expect(view.order.line_items[0]).toMatchObject({ sku: 'TEE-M', fulfillable_quantity: 0 });

    // What Shopify cannot cancel: FAILED_PRECONDITION; a malformed request: INVALID_ARGUMENT.
    const refused = { ...request, idempotencyKey: `cancel-${shopifyOrder.id}-3` };
    await expect(
      mesh.adapter.cancelOrder({ ...refused, lines: [{ channelLineId: mug.admin_graphql_api_id, sku: 'MUG', quantity: 2 }] }),
    ).rejects.toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, details: expect.stringContaining('1 unfulfilled') });
    await expect(mesh.adapter.cancelOrder({ ...refused, idempotencyKey: '' })).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
    });
    await expect(mesh.adapter.cancelOrder({ ...refused, lines: [{ channelLineId: 'L1', sku: 'MUG', quantity: 1 }] })).rejects.toMatchObject(
      { code: GrpcStatus.INVALID_ARGUMENT },
    );
    expect((await mesh.shopOrder(shopifyOrder.id)).order.refunds).toHaveLength(2);
  });

  it('dead-letters an event for an order that is not a Shopify one', async () => {
    await mesh.publish(Events.orders.orderAccepted, {
      order: ordersV1.Order.fromPartial({ orderId: 'ord-x', channelAccountId: ACCOUNT, channel: 'shopify', channelOrderId: '12345' }),
    });
    await waitFor(async () => (await mesh.testBedBus().deadLetterCount(ORDERS_QUEUE)) >= 1, { description: 'the poison event in the DLQ' });
    const [deadLetter] = await mesh.testBedBus().peekDeadLetters(ORDERS_QUEUE, 1);
    expect(deadLetter.reason).toContain('is not a Shopify order gid');
  });
});
