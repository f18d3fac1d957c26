import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../shopify-sandbox.js';

const SHOP = 'b2c-eu';
const TOKEN = 'shpat_orders_token';
const SECRET = 'shpss_orders_secret';
const START = Date.parse('2026-11-27T10:00:00Z');

// The tests read arbitrary response shapes; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: records every POST; answers the queued statuses first, then 200. */
class Receiver {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Deliveries of a topic for one order: a late delivery of an earlier test may still arrive. */
  byTopic(topic: string, orderId: number): Received[] {
    return this.received.filter((entry) => entry.headers['x-shopify-topic'] === topic && JSON.parse(entry.body).id === orderId);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let clock = START;
let sandbox: ShopifySandbox;
let admin: sandboxKit.SandboxAdminClient;
const receiver = new Receiver();

async function gql(query: string, variables?: Record<string, unknown>, version = '2026-04'): Promise<AnyJson> {
  const response = await fetch(`${sandbox.url}/admin/api/${version}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function rest(path: string, token: string | null = TOKEN): Promise<{ status: number; headers: Headers; body: AnyJson }> {
  const response = await fetch(path.startsWith('http') ? path : `${sandbox.url}/admin/api/2026-04/${path}`, {
    headers: token === null ? {} : { 'x-shopify-access-token': token },
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const ORDER = {
  email: 'jane@example.com',
  currency: 'EUR',
  poNumber: 'PO-77',
  tags: ['vip'],
  customer: { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.com', phone: '+49301234567' },
  shippingAddress: {
    firstName: 'Jane',
    lastName: 'Doe',
    address1: 'Unter den Linden 1',
    city: 'Berlin',
    zip: '10117',
    countryCode: 'DE',
    country: 'Germany',
  },
  lineItems: [
    {
      sku: 'TEE-M',
      quantity: 2,
      price: '19.99',
      taxLines: [{ title: 'VAT', rate: 0.19, price: '7.60' }],
      discountAllocations: [{ code: 'WELCOME', amount: '2.00' }],
    },
    { sku: 'MUG', quantity: 1, price: '9.5', taxLines: [{ title: 'VAT', rate: 0.19, price: '1.81' }] },
  ],
  shippingLines: [{ code: 'standard', title: 'Standard', price: '4.90', taxLines: [{ title: 'VAT', rate: 0.19, price: '0.93' }] }],
};

async function createOrder(overrides: Record<string, unknown> = {}): Promise<AnyJson> {
  return admin.call('POST', `/_sandbox/shops/${SHOP}/orders`, { ...ORDER, ...overrides });
}

async function inspect(orderId: number): Promise<AnyJson> {
  return admin.call('GET', `/_sandbox/shops/${SHOP}/orders/${orderId}`);
}

beforeAll(async () => {
  await receiver.start();
  sandbox = await startShopifySandbox({ port: 0, now: () => clock, webhookRetryDelaysMs: [10, 10] });
  admin = new sandboxKit.SandboxAdminClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
  await receiver.stop();
});

beforeEach(async () => {
  clock = START;
  receiver.received.length = 0;
  receiver.statuses.length = 0;
  await admin.reset();
  await admin.call('POST', '/_sandbox/shops', { shop: SHOP, accessToken: TOKEN, clientSecret: SECRET });
  await admin.call('POST', '/_sandbox/products', {
    shop: SHOP,
    locations: [{ name: 'EU Warehouse' }, { name: 'Store Berlin' }],
    variants: [{ sku: 'TEE-M' }, { sku: 'MUG' }],
  });
  for (const topic of ['orders/create', 'orders/updated', 'orders/cancelled', 'orders/fulfilled', 'orders/partially_fulfilled']) {
    await admin.call('POST', `/_sandbox/shops/${SHOP}/webhooks`, { topic, uri: `${receiver.url}/webhooks` });
  }
});

describe('orders created at checkout', () => {
  it('renders the REST order with decimal-string money, totals, gids, offset timestamps and a tags string', async () => {
    const { order } = await createOrder();
    expect(order).toMatchObject({
      admin_graphql_api_id: `gid://shopify/Order/${order.id}`,
      name: '#1001',
      order_number: 1001,
      currency: 'EUR',
      financial_status: 'paid',
      fulfillment_status: null,
      cancelled_at: null,
      created_at: '2026-11-27T05:00:00-05:00',
      updated_at: '2026-11-27T05:00:00-05:00',
      tags: 'vip',
      po_number: 'PO-77',
      taxes_included: false,
      total_line_items_price: '49.48',
      total_discounts: '2.00',
      subtotal_price: '47.48',
      total_tax: '10.34',
      total_price: '62.72',
      total_shipping_price_set: {
        shop_money: { amount: '4.90', currency_code: 'EUR' },
        presentment_money: { amount: '4.90', currency_code: 'EUR' },
      },
      shipping_address: { first_name: 'Jane', name: 'Jane Doe', address1: 'Unter den Linden 1', zip: '10117', country_code: 'DE' },
      customer: {
        email: 'jane@example.com',
        first_name: 'Jane',
        admin_graphql_api_id: expect.stringMatching(/^gid:\/\/shopify\/Customer\/\d+$/),
      },
      discount_applications: [{ type: 'discount_code', code: 'WELCOME', target_type: 'line_item' }],
      shipping_lines: [{ code: 'standard', title: 'Standard', price: '4.90', tax_lines: [{ title: 'VAT', rate: 0.19, price: '0.93' }] }],
    });
    const [tee, mug] = order.line_items;
    expect(tee).toMatchObject({
      admin_graphql_api_id: `gid://shopify/LineItem/${tee.id}`,
      sku: 'TEE-M',
      quantity: 2,
      price: '19.99',
      fulfillable_quantity: 2,
      product_exists: true,
      tax_lines: [{ title: 'VAT', rate: 0.19, price: '7.60', price_set: { shop_money: { amount: '7.60', currency_code: 'EUR' } } }],
      discount_allocations: [{ amount: '2.00', discount_application_index: 0 }],
    });
    expect(mug).toMatchObject({ price: '9.50', discount_allocations: [] });
  });

  it('delivers orders/create signed with the client secret, with Shopify’s headers', async () => {
    const { order } = await createOrder();
    const [delivery] = await waitFor(() =>
      receiver.byTopic('orders/create', order.id).length === 1 ? receiver.byTopic('orders/create', order.id) : undefined,
    );
    const expectedHmac = createHmac('sha256', SECRET).update(delivery.body, 'utf8').digest('base64');
    expect(delivery.headers).toMatchObject({
      'content-type': 'application/json',
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': expectedHmac,
      'x-shopify-shop-domain': 'b2c-eu.myshopify.com',
      'x-shopify-api-version': '2026-07',
      'x-shopify-webhook-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'x-shopify-event-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'x-shopify-triggered-at': '2026-11-27T10:00:00.000Z',
    });
    expect(JSON.parse(delivery.body)).toEqual(order);
  });

  it('places an order in-process as the checkout route does: same order, same webhook', async () => {
    const placed = sandbox.placeOrder(SHOP, ORDER);
    const { order } = await inspect(Number(placed.id.split('/').pop()));
    expect(order).toMatchObject({ admin_graphql_api_id: placed.id, name: '#1001', total_price: '62.72' });
    const [delivery] = await waitFor(() =>
      receiver.byTopic('orders/create', order.id).length === 1 ? receiver.byTopic('orders/create', order.id) : undefined,
    );
    expect(JSON.parse(delivery.body)).toEqual(order);
    expect(() => sandbox.placeOrder(SHOP, { ...ORDER, lineItems: [] })).toThrow(/lineItems must be a non-empty array/);
    expect(() => sandbox.placeOrder('no-such-shop', ORDER)).toThrow(/no shop no-such-shop/);
  });

  it('refuses an invalid order with the reason', async () => {
    await expect(createOrder({ lineItems: [{ sku: 'TEE-M', quantity: 1, price: '19.999' }] })).rejects.toThrow(
      /price must be a decimal string/,
    );
    await expect(createOrder({ lineItems: [] })).rejects.toThrow(/lineItems must be a non-empty array/);
    await expect(createOrder({ currency: 'XXX' })).rejects.toThrow(/currency must be one of/);
  });

  it('adds no taxes to the total when prices include them', async () => {
    const { order } = await createOrder({ taxesIncluded: true });
    expect(order).toMatchObject({ taxes_included: true, total_tax: '10.34', total_price: '52.38' });
  });
});

describe('REST orders.json', () => {
  it('filters by status and updated_at_min, and pages with Link headers carrying page_info', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await createOrder()).order.id);
      clock += 60_000;
    }
    await admin.call('POST', `/_sandbox/shops/${SHOP}/orders/${ids[0]}/cancel`, {});

    expect((await rest('orders.json')).body.orders.map((order: AnyJson) => order.id)).toEqual(ids.slice(1).reverse());
    const recent = await rest('orders.json?status=any&updated_at_min=2026-11-27T05:02:00-05:00');
    // Order 0 was cancelled (updated) at the last tick, orders 2..4 were created at or after 10:02Z.
    expect(recent.body.orders.map((order: AnyJson) => order.id).sort()).toEqual([ids[0], ids[2], ids[3], ids[4]].sort());

    const seen: number[] = [];
    let url: string | undefined = `${sandbox.url}/admin/api/2026-04/orders.json?status=any&limit=2`;
    const rels: string[][] = [];
    while (url) {
      const page = await rest(url);
      expect(page.status).toBe(200);
      seen.push(...page.body.orders.map((order: AnyJson) => order.id));
      const link = page.headers.get('link') ?? '';
      rels.push([...link.matchAll(/rel="(\w+)"/g)].map((match) => match[1]));
      url = /<([^>]+)>; rel="next"/.exec(link)?.[1];
      if (url) expect(url).toMatch(/page_info=[^&]+/);
    }
    expect(seen).toEqual([...ids].reverse());
    expect(rels).toEqual([['next'], ['previous', 'next'], ['previous']]);

    const single = await rest('orders.json?status=any&limit=250');
    expect(single.headers.get('link')).toBeNull();
  });

  it('refuses a filter next to page_info, and answers one order by id', async () => {
    await createOrder();
    await createOrder();
    const first = await rest('orders.json?limit=1');
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') as string)?.[1] as string;
    const mixed = await rest(`${next}&updated_at_min=2026-01-01T00:00:00Z`);
    expect(mixed).toMatchObject({
      status: 400,
      body: { errors: { updated_at_min: 'updated_at_min cannot be passed when page_info is present' } },
    });
    const one = await rest(`orders/${first.body.orders[0].id}.json`);
    expect(one.body.order.id).toBe(first.body.orders[0].id);
    expect((await rest('orders/1.json')).status).toBe(404);
  });

  it('filters by updated_at_max as by updated_at_min: inclusive of the second an order shows, with any offset, never next to page_info', async () => {
    clock = START + 250;
    const early = (await createOrder()).order;
    clock += 60_000;
    const late = (await createOrder()).order;
    // Stored to the millisecond, shown (and compared) to the second.
    expect([early.updated_at, late.updated_at]).toEqual(['2026-11-27T05:00:00-05:00', '2026-11-27T05:01:00-05:00']);
    const listed = async (query: string) =>
      (await rest(`orders.json?status=any&${query}`)).body.orders.map((order: AnyJson) => order.id).sort();

    expect(await listed(`updated_at_max=${encodeURIComponent(early.updated_at)}`)).toEqual([early.id]);
    expect(await listed('updated_at_min=2026-11-27T10:01:00Z&updated_at_max=2026-11-27T05:01:00-05:00')).toEqual([late.id]);
    expect(await listed('updated_at_max=2026-11-27T10:00:59%2B00:00')).toEqual([early.id]);
    expect(await listed('updated_at_min=2026-11-27T10:00:01Z&updated_at_max=2026-11-27T10:00:59Z')).toEqual([]);
    expect(await listed('updated_at_min=2026-11-27T10:00:00Z&updated_at_max=2026-11-27T10:01:00Z')).toEqual([early.id, late.id].sort());
    expect(await rest('orders.json?updated_at_max=yesterday')).toMatchObject({
      status: 400,
      body: { errors: { updated_at_max: 'updated_at_max is not a valid ISO-8601 time' } },
    });

    const first = await rest('orders.json?status=any&limit=1&updated_at_max=2026-11-27T10:01:00Z');
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') as string)?.[1] as string;
    // The filters travel in page_info.
    expect((await rest(next)).body.orders.map((order: AnyJson) => order.id)).toEqual([early.id]);
    expect(await rest(`${next}&updated_at_max=2026-11-27T10:01:00Z`)).toMatchObject({
      status: 400,
      body: { errors: { updated_at_max: 'updated_at_max cannot be passed when page_info is present' } },
    });
  });

  it('lists an order only orderListLagMs after its last update (index lag), and finds it by id at once', async () => {
    const shop = await admin.call<AnyJson>('POST', '/_sandbox/shops', { shop: SHOP, accessToken: TOKEN, orderListLagMs: 5_000 });
    expect(shop.orderListLagMs).toBe(5_000);
    const { order } = await createOrder();
    const listed = async () => (await rest('orders.json?status=any&updated_at_min=2026-11-27T10:00:00Z')).body.orders;

    expect(await listed()).toEqual([]);
    expect((await rest(`orders.json?status=any&ids=${order.id}`)).body.orders.map((found: AnyJson) => found.id)).toEqual([order.id]);
    expect((await rest(`orders/${order.id}.json`)).status).toBe(200);
    clock += 4_999;
    expect(await listed()).toEqual([]);
    clock += 1;
    // It shows up now, with the time of its update, 5 s ago.
    expect((await listed()).map((found: AnyJson) => [found.id, found.updated_at])).toEqual([[order.id, '2026-11-27T05:00:00-05:00']]);

    // An update takes it out of the list again until the index has it.
    await admin.call('PUT', `/_sandbox/shops/${SHOP}/orders/${order.id}`, { note: 'gift' });
    expect(await listed()).toEqual([]);
    clock += 5_000;
    expect((await listed()).map((found: AnyJson) => found.updated_at)).toEqual(['2026-11-27T05:00:05-05:00']);
    await admin.call('POST', '/_sandbox/shops', { shop: SHOP, accessToken: TOKEN, orderListLagMs: 0 });
  });

  it('looks orders up by ids under the other filters, and answers the fields asked for as the full order has them', async () => {
    const ids: number[] = [];
    for (let index = 0; index < 4; index++) {
      ids.push((await createOrder()).order.id);
      clock += 60_000;
    }
    await admin.call('POST', `/_sandbox/shops/${SHOP}/orders/${ids[1]}/cancel`, {});
    const full = (await rest(`orders.json?status=any&ids=${ids.join(',')}`)).body.orders;
    expect(full.map((order: AnyJson) => order.id)).toEqual([...ids].reverse());
    const fullOf = (id: number) => full.find((order: AnyJson) => order.id === id);

    // The poll's fields, asked in any order, come back in the full order's key order with its values.
    const wanted = ['updated_at', 'processed_at', 'name', 'created_at', 'closed_at', 'cancelled_at', 'admin_graphql_api_id', 'id'];
    const listed = await rest(`orders.json?status=any&ids=${ids[1]}, ${ids[3]},${ids[3]},999&fields=${wanted.join(',')}`);
    const expected = [ids[3], ids[1]].map((id) => Object.fromEntries(Object.entries(fullOf(id)).filter(([key]) => wanted.includes(key))));
    expect(listed.body.orders).toEqual(expected);
    expect(listed.body.orders.map((order: AnyJson) => Object.keys(order))).toEqual(expected.map((order) => Object.keys(order)));
    expect(listed.body.orders[1].cancelled_at).toBe(fullOf(ids[1]).cancelled_at);
    expect(listed.body.orders[1].cancelled_at).not.toBeNull();

    // The default status=open still drops the cancelled order; other fields and unknown ones as well.
    expect((await rest(`orders.json?ids=${ids.join(',')}&fields=id`)).body.orders).toEqual([
      { id: ids[3] },
      { id: ids[2] },
      { id: ids[0] },
    ]);
    expect((await rest(`orders.json?ids=${ids[0]}&fields=total_price,id,bogus`)).body.orders).toEqual([
      { id: ids[0], total_price: fullOf(ids[0]).total_price },
    ]);

    // Pages keep both.
    const first = await rest(`orders.json?status=any&ids=${ids.join(',')}&fields=id&limit=3`);
    expect(first.body.orders).toEqual([{ id: ids[3] }, { id: ids[2] }, { id: ids[1] }]);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') as string)?.[1] as string;
    const second = await rest(next);
    expect(second.body.orders).toEqual([{ id: ids[0] }]);
    expect(second.headers.get('link')).toMatch(/rel="previous"$/);
    expect((await rest(`orders/${ids[2]}.json?fields=name,id`)).body).toEqual({ order: { id: ids[2], name: fullOf(ids[2]).name } });
  });

  it('counts calls in X-Shopify-Shop-Api-Call-Limit and answers 429 with Retry-After when the bucket is full', async () => {
    expect((await rest('orders.json')).headers.get('x-shopify-shop-api-call-limit')).toBe('1/40');
    expect((await rest('orders.json')).headers.get('x-shopify-shop-api-call-limit')).toBe('2/40');
    await admin.call('POST', '/_sandbox/shops', { shop: SHOP, accessToken: TOKEN, restCallsUsed: 40 });
    const throttled = await rest('orders.json');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('2.0');
    expect(throttled.body).toEqual({
      errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
    });
    clock += 1_000;
    const after = await rest('orders.json');
    expect(after.status).toBe(200);
    expect(after.headers.get('x-shopify-shop-api-call-limit')).toBe('39/40');
    expect((await rest('orders.json', null)).status).toBe(401);
  });
});

const ORDER_QUERY = `
  query Order($id: ID!) {
    order(id: $id) {
      id name tags cancelledAt displayFulfillmentStatus displayFinancialStatus
      totalPriceSet { shopMoney { amount currencyCode } }
      fulfillmentOrders(first: 10) { nodes { id status assignedLocation { name } lineItems(first: 10) { nodes { id remainingQuantity totalQuantity lineItem { id sku } } } } }
      fulfillments(first: 10) { id name status trackingInfo { company number url } fulfillmentLineItems(first: 10) { nodes { quantity lineItem { sku } } } }
    }
  }`;

const FULFILLMENT_CREATE = `
  mutation Fulfil($fulfillment: FulfillmentInput!) {
    fulfillmentCreate(fulfillment: $fulfillment) {
      fulfillment { id name status trackingInfo { company number url } }
      userErrors { field message }
    }
  }`;

describe('GraphQL orders, fulfilments, cancellation, tags', () => {
  it('reads an order with MoneyBags, fulfillment orders per location and their line items', async () => {
    const { order } = await createOrder({
      lineItems: [{ ...ORDER.lineItems[0] }, { ...ORDER.lineItems[1], locationName: 'Store Berlin' }],
    });
    const result = await gql(ORDER_QUERY, { id: order.admin_graphql_api_id });
    expect(result.data.order).toMatchObject({
      id: order.admin_graphql_api_id,
      name: '#1001',
      tags: ['vip'],
      cancelledAt: null,
      displayFulfillmentStatus: 'UNFULFILLED',
      displayFinancialStatus: 'PAID',
      totalPriceSet: { shopMoney: { amount: '62.72', currencyCode: 'EUR' } },
      fulfillments: [],
    });
    const fulfillmentOrders = result.data.order.fulfillmentOrders.nodes;
    expect(
      fulfillmentOrders.map((node: AnyJson) => [
        node.status,
        node.assignedLocation.name,
        node.lineItems.nodes.map((line: AnyJson) => line.lineItem.sku),
      ]),
    ).toEqual([
      ['OPEN', 'EU Warehouse', ['TEE-M']],
      ['OPEN', 'Store Berlin', ['MUG']],
    ]);
    expect(fulfillmentOrders[0].lineItems.nodes[0]).toMatchObject({
      remainingQuantity: 2,
      totalQuantity: 2,
      lineItem: { id: order.line_items[0].admin_graphql_api_id },
    });
    expect(result.extensions.cost.actualQueryCost).toBeGreaterThan(0);
  });

  it('fulfils partially with tracking, leaves the rest open, and refuses over-fulfilment and closed fulfillment orders', async () => {
    const { order } = await createOrder({ lineItems: [ORDER.lineItems[0]] });
    const read = await gql(ORDER_QUERY, { id: order.admin_graphql_api_id });
    const fulfillmentOrder = read.data.order.fulfillmentOrders.nodes[0];
    const line = fulfillmentOrder.lineItems.nodes[0];
    const fulfil = (quantity: number, number: string) =>
      gql(FULFILLMENT_CREATE, {
        fulfillment: {
          lineItemsByFulfillmentOrder: [
            { fulfillmentOrderId: fulfillmentOrder.id, fulfillmentOrderLineItems: [{ id: line.id, quantity }] },
          ],
          trackingInfo: { company: 'DHL Express', number, url: `https://track.example/${number}` },
          notifyCustomer: true,
        },
      });

    const tooMany = await fulfil(3, 'TRACK-0');
    expect(tooMany.data.fulfillmentCreate).toEqual({
      fulfillment: null,
      userErrors: [
        {
          field: ['fulfillment', 'lineItemsByFulfillmentOrder', '0', 'fulfillmentOrderLineItems', '0', 'quantity'],
          message: 'Invalid fulfillment order line item quantity requested.',
        },
      ],
    });
    const partial = await fulfil(1, 'TRACK-1');
    expect(partial.data.fulfillmentCreate).toMatchObject({
      fulfillment: {
        name: '#1001.1',
        status: 'SUCCESS',
        trackingInfo: [{ company: 'DHL Express', number: 'TRACK-1', url: 'https://track.example/TRACK-1' }],
      },
      userErrors: [],
    });
    let view = await inspect(order.id);
    expect(view.fulfillmentOrders[0]).toMatchObject({ status: 'IN_PROGRESS', lineItems: [{ remainingQuantity: 1 }] });
    expect(view.order.fulfillment_status).toBe('partial');
    await waitFor(() => receiver.byTopic('orders/partially_fulfilled', order.id).length === 1);

    await fulfil(1, 'TRACK-2');
    view = await inspect(order.id);
    expect(view.fulfillmentOrders[0].status).toBe('CLOSED');
    expect(
      view.fulfillments.map((fulfillment: AnyJson) => [
        fulfillment.trackingInfo[0].number,
        fulfillment.lineItems[0].quantity,
        fulfillment.notifyCustomer,
      ]),
    ).toEqual([
      ['TRACK-1', 1, true],
      ['TRACK-2', 1, true],
    ]);
    expect(view.order).toMatchObject({
      fulfillment_status: 'fulfilled',
      fulfillments: [{ tracking_number: 'TRACK-1' }, { tracking_number: 'TRACK-2' }],
    });
    await waitFor(() => receiver.byTopic('orders/fulfilled', order.id).length === 1);

    const closed = await fulfil(1, 'TRACK-3');
    expect(closed.data.fulfillmentCreate.userErrors[0].message).toBe(
      `Fulfillment order ${fulfillmentOrder.id.split('/').pop()} has an unfulfillable status= closed.`,
    );
  });

  it('cancels through orderCancel’s background job, then refuses a second cancellation', async () => {
    const { order } = await createOrder();
    const cancel = `
      mutation Cancel($orderId: ID!) {
        orderCancel(orderId: $orderId, reason: INVENTORY, refundMethod: { originalPaymentMethodsRefund: true }, restock: true, staffNote: "erp") {
          job { id done }
          orderCancelUserErrors { code field message }
        }
      }`;
    const first = await gql(cancel, { orderId: order.admin_graphql_api_id });
    expect(first.data.orderCancel).toMatchObject({
      job: { id: expect.stringMatching(/^gid:\/\/shopify\/Job\//), done: false },
      orderCancelUserErrors: [],
    });
    const cancelledAt = await waitFor(async () => (await gql(ORDER_QUERY, { id: order.admin_graphql_api_id })).data.order.cancelledAt);
    expect(cancelledAt).toBe('2026-11-27T10:00:00Z');
    const job = await gql('query($id: ID!) { job(id: $id) { done } }', { id: first.data.orderCancel.job.id });
    expect(job.data.job.done).toBe(true);
    const view = await inspect(order.id);
    expect(view.cancellation).toMatchObject({ reason: 'INVENTORY', restock: true, refund: true, staffNote: 'erp', by: 'api' });
    expect(view.order).toMatchObject({ cancel_reason: 'inventory', financial_status: 'refunded' });
    expect(view.fulfillmentOrders[0].status).toBe('CANCELLED');

    const again = await gql(cancel, { orderId: order.admin_graphql_api_id });
    expect(again.data.orderCancel.orderCancelUserErrors).toEqual([
      { code: 'INVALID', field: ['orderId'], message: 'Order has already been cancelled.' },
    ]);
  });

  it('delivers orders/cancelled and orders/updated with one event id when the merchant cancels', async () => {
    const { order } = await createOrder();
    await admin.call('POST', `/_sandbox/shops/${SHOP}/orders/${order.id}/cancel`, { reason: 'CUSTOMER' });
    const [cancelled] = await waitFor(() =>
      receiver.byTopic('orders/cancelled', order.id).length === 1 ? receiver.byTopic('orders/cancelled', order.id) : undefined,
    );
    const updated = await waitFor(() => receiver.byTopic('orders/updated', order.id).at(-1));
    expect(cancelled.headers['x-shopify-event-id']).toBe(updated.headers['x-shopify-event-id']);
    expect(cancelled.headers['x-shopify-webhook-id']).not.toBe(updated.headers['x-shopify-webhook-id']);
    expect(JSON.parse(cancelled.body)).toMatchObject({ cancelled_at: '2026-11-27T05:00:00-05:00', cancel_reason: 'customer' });
  });

  it('adds tags once (a repeat changes nothing and delivers no update)', async () => {
    const { order } = await createOrder();
    const add = () =>
      gql(
        'mutation($id: ID!) { tagsAdd(id: $id, tags: ["erp:SO-1"]) { node { id ... on Order { tags } } userErrors { field message } } }',
        {
          id: order.admin_graphql_api_id,
        },
      );
    // The payload's node is the order after the change.
    expect((await add()).data.tagsAdd).toEqual({ node: { id: order.admin_graphql_api_id, tags: ['vip', 'erp:SO-1'] }, userErrors: [] });
    await add();
    expect((await inspect(order.id)).tags).toEqual(['vip', 'erp:SO-1']);
    await waitFor(() => receiver.byTopic('orders/updated', order.id).length === 1);
    const deliveries = await admin.call<AnyJson>('GET', `/_sandbox/webhook-deliveries?topic=orders/updated&orderId=${order.id}`);
    expect(deliveries.deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries.deliveries[0].body).tags).toBe('vip, erp:SO-1');
  });
});

describe('GraphQL refunds: suggestedRefund and refundCreate (restock type CANCEL takes unfulfilled units off the order)', () => {
  const SUGGEST = `
    query Suggest($id: ID!, $lines: [RefundLineItemInput!]) {
      order(id: $id) {
        suggestedRefund(refundLineItems: $lines) {
          amountSet { shopMoney { amount currencyCode } }
          subtotalSet { shopMoney { amount } }
          totalTaxSet { shopMoney { amount } }
          suggestedTransactions { kind gateway amountSet { shopMoney { amount } } parentTransaction { id kind } }
        }
      }
    }`;
  const REFUND = `
    mutation Refund($input: RefundInput!, $key: String!) {
      refundCreate(input: $input) @idempotent(key: $key) {
        refund { id refundLineItems(first: 10) { nodes { quantity restockType lineItem { id } subtotalSet { shopMoney { amount } } } } }
        order { id displayFinancialStatus }
        userErrors { field message }
      }
    }`;
  const READ = `
    query Read($id: ID!) {
      order(id: $id) {
        displayFinancialStatus
        totalRefundedSet { shopMoney { amount } }
        lineItems(first: 5) { nodes { sku quantity currentQuantity unfulfilledQuantity refundableQuantity } }
        refunds(first: 5) { id refundLineItems(first: 5) { nodes { quantity restockType lineItem { sku } } } transactions(first: 5) { nodes { kind amountSet { shopMoney { amount } } } } }
      }
    }`;

  async function cancelUnits(order: AnyJson, lineIndex: number, quantity: number, key: string) {
    const lines = [{ lineItemId: order.line_items[lineIndex].admin_graphql_api_id, quantity, restockType: 'CANCEL' }];
    const suggested = (await gql(SUGGEST, { id: order.admin_graphql_api_id, lines })).data.order.suggestedRefund;
    const transactions = suggested.suggestedTransactions.map((transaction: AnyJson) => ({
      orderId: order.admin_graphql_api_id,
      kind: 'REFUND',
      gateway: transaction.gateway,
      amount: transaction.amountSet.shopMoney.amount,
      parentId: transaction.parentTransaction.id,
    }));
    return {
      suggested,
      result: await gql(REFUND, { input: { orderId: order.admin_graphql_api_id, refundLineItems: lines, transactions }, key }),
    };
  }

  it('refunds what cancelled units are worth (discount and tax pro-rated) and takes them off the order and its fulfillment order', async () => {
    const { order } = await createOrder();
    // One of the two TEE-M at 19.99: 1.00 of the 2.00 discount and 3.80 of the 7.60 VAT go with it.
    const { suggested, result } = await cancelUnits(order, 0, 1, 'cancel-1');
    expect(suggested).toMatchObject({
      amountSet: { shopMoney: { amount: '22.79', currencyCode: 'EUR' } },
      subtotalSet: { shopMoney: { amount: '18.99' } },
      totalTaxSet: { shopMoney: { amount: '3.80' } },
      suggestedTransactions: [
        { kind: 'SUGGESTED_REFUND', gateway: 'bogus', amountSet: { shopMoney: { amount: '22.79' } }, parentTransaction: { kind: 'SALE' } },
      ],
    });
    expect(result.data.refundCreate).toMatchObject({
      refund: { refundLineItems: { nodes: [{ quantity: 1, restockType: 'CANCEL', subtotalSet: { shopMoney: { amount: '18.99' } } }] } },
      order: { displayFinancialStatus: 'PARTIALLY_REFUNDED' },
      userErrors: [],
    });
    expect(result.extensions.cost.requestedQueryCost).toBe(10);

    const read = (await gql(READ, { id: order.admin_graphql_api_id })).data.order;
    expect(read.lineItems.nodes[0]).toEqual({
      sku: 'TEE-M',
      quantity: 2,
      currentQuantity: 1,
      unfulfilledQuantity: 1,
      refundableQuantity: 1,
    });
    expect(read.totalRefundedSet.shopMoney.amount).toBe('22.79');
    expect(read.refunds).toMatchObject([
      {
        refundLineItems: { nodes: [{ quantity: 1, restockType: 'CANCEL', lineItem: { sku: 'TEE-M' } }] },
        transactions: { nodes: [{ kind: 'REFUND', amountSet: { shopMoney: { amount: '22.79' } } }] },
      },
    ]);
    const view = await inspect(order.id);
    expect(view.fulfillmentOrders[0]).toMatchObject({
      status: 'OPEN',
      lineItems: [
        { sku: 'TEE-M', totalQuantity: 1, remainingQuantity: 1 },
        { sku: 'MUG', totalQuantity: 1, remainingQuantity: 1 },
      ],
    });
    expect(view.order).toMatchObject({
      financial_status: 'partially_refunded',
      line_items: [{ sku: 'TEE-M', current_quantity: 1, fulfillable_quantity: 1 }, { sku: 'MUG' }],
      refunds: [
        {
          refund_line_items: [{ quantity: 1, restock_type: 'cancel', subtotal: '18.99', total_tax: '3.80' }],
          transactions: [{ kind: 'refund', amount: '22.79' }],
        },
      ],
    });
    await waitFor(() => receiver.byTopic('orders/updated', order.id).length === 1);

    // The last TEE-M (it carries the rest of the discount) and the mug: the fulfillment order has nothing left and closes.
    const last = await cancelUnits(order, 0, 1, 'cancel-2');
    expect(last.suggested.subtotalSet.shopMoney.amount).toBe('18.99');
    expect((await inspect(order.id)).fulfillmentOrders[0].status).toBe('OPEN');
    await cancelUnits(order, 1, 1, 'cancel-3');
    expect((await inspect(order.id)).fulfillmentOrders[0].status).toBe('CLOSED');
  });

  it('answers a repeated idempotency key with the first refund, and refuses the key with other input or no key from 2026-04', async () => {
    const { order } = await createOrder();
    const first = await cancelUnits(order, 1, 1, 'same-key');
    // The same request again (a retry after a lost answer): the first refund, nothing refunded twice.
    const input = {
      orderId: order.admin_graphql_api_id,
      refundLineItems: [{ lineItemId: order.line_items[1].admin_graphql_api_id, quantity: 1, restockType: 'CANCEL' }],
      transactions: first.suggested.suggestedTransactions.map((transaction: AnyJson) => ({
        orderId: order.admin_graphql_api_id,
        kind: 'REFUND',
        gateway: transaction.gateway,
        amount: transaction.amountSet.shopMoney.amount,
        parentId: transaction.parentTransaction.id,
      })),
    };
    const again = await gql(REFUND, { input, key: 'same-key' });
    expect(again.data.refundCreate.refund.id).toBe(first.result.data.refundCreate.refund.id);
    expect((await gql(READ, { id: order.admin_graphql_api_id })).data.order.refunds).toHaveLength(1);
    const shops = await admin.call<AnyJson>('GET', '/_sandbox/shops');
    expect(shops.shops[0].counters.idempotentReplays).toBe(1);

    const other = await cancelUnits(order, 0, 1, 'same-key');
    expect(other.result.data.refundCreate).toMatchObject({
      refund: null,
      userErrors: [{ message: expect.stringContaining('idempotency key') }],
    });
    const unkeyed = await gql('mutation($input: RefundInput!) { refundCreate(input: $input) { refund { id } userErrors { message } } }', {
      input: {
        orderId: order.admin_graphql_api_id,
        refundLineItems: [{ lineItemId: order.line_items[0].admin_graphql_api_id, quantity: 1, restockType: 'CANCEL' }],
      },
    });
    expect(unkeyed.errors[0]).toMatchObject({ message: expect.stringContaining('@idempotent'), extensions: { code: 'BAD_REQUEST' } });
  });

  it('refuses, changing nothing, to cancel fulfilled or missing units, to refund more than the sale, or a legacy restock', async () => {
    const { order } = await createOrder({ lineItems: [ORDER.lineItems[0]] });
    const read = await gql(ORDER_QUERY, { id: order.admin_graphql_api_id });
    const fulfillmentOrder = read.data.order.fulfillmentOrders.nodes[0];
    await gql(FULFILLMENT_CREATE, {
      fulfillment: {
        lineItemsByFulfillmentOrder: [
          {
            fulfillmentOrderId: fulfillmentOrder.id,
            fulfillmentOrderLineItems: [{ id: fulfillmentOrder.lineItems.nodes[0].id, quantity: 1 }],
          },
        ],
      },
    });
    const lineItemId = order.line_items[0].admin_graphql_api_id;
    const [sale] = (
      await gql('query($id: ID!) { order(id: $id) { transactions(first: 5) { id kind gateway } } }', { id: order.admin_graphql_api_id })
    ).data.order.transactions;
    expect(sale).toMatchObject({ kind: 'SALE', gateway: 'bogus' });
    const attempt = (input: Record<string, unknown>, key: string) =>
      gql(REFUND, { input: { orderId: order.admin_graphql_api_id, ...input }, key }).then((answer) => answer.data.refundCreate);

    expect(await attempt({ refundLineItems: [{ lineItemId, quantity: 2, restockType: 'CANCEL' }] }, 'k1')).toEqual({
      refund: null,
      order: null,
      userErrors: [{ field: ['refundLineItems', '0', 'quantity'], message: 'Quantity cannot cancel more items than are unfulfilled.' }],
    });
    expect(
      (await attempt({ refundLineItems: [{ lineItemId: 'gid://shopify/LineItem/1', quantity: 1, restockType: 'CANCEL' }] }, 'k2'))
        .userErrors,
    ).toEqual([{ field: ['refundLineItems', '0', 'lineItemId'], message: 'Line item does not exist on this order.' }]);
    expect(
      (await attempt({ refundLineItems: [{ lineItemId, quantity: 1, restockType: 'LEGACY_RESTOCK' }] }, 'k3')).userErrors[0].field,
    ).toEqual(['refundLineItems', '0', 'restockType']);
    const tooMuch = { orderId: order.admin_graphql_api_id, kind: 'REFUND', gateway: 'bogus', amount: '1000.00', parentId: sale.id };
    expect((await attempt({ transactions: [tooMuch] }, 'k4')).userErrors).toEqual([
      { field: ['transactions', '0', 'amount'], message: 'Amount is greater than what the parent transaction can refund.' },
    ]);
    const view = await inspect(order.id);
    expect(view.order.refunds).toEqual([]);
    expect(view.fulfillmentOrders[0].lineItems[0]).toMatchObject({ totalQuantity: 2, remainingQuantity: 1 });

    // The unfulfilled unit can be cancelled: then everything left is fulfilled.
    expect((await attempt({ refundLineItems: [{ lineItemId, quantity: 1, restockType: 'CANCEL' }] }, 'k5')).userErrors).toEqual([]);
    expect((await inspect(order.id)).order.fulfillment_status).toBe('fulfilled');
  });
});

describe('webhook subscriptions and deliveries', () => {
  it('creates subscriptions with uri (2025-10 and later) or callbackUrl (before), and lists them by topic', async () => {
    const create = `
      mutation($topic: WebhookSubscriptionTopic!, $input: WebhookSubscriptionInput!) {
        webhookSubscriptionCreate(topic: $topic, webhookSubscription: $input) { webhookSubscription { id topic uri } userErrors { field message } }
      }`;
    const created = await gql(create, { topic: 'ORDERS_PAID', input: { uri: `${receiver.url}/paid` } });
    expect(created.data.webhookSubscriptionCreate).toMatchObject({
      webhookSubscription: { topic: 'ORDERS_PAID', uri: `${receiver.url}/paid` },
      userErrors: [],
    });
    const duplicate = await gql(create, { topic: 'ORDERS_PAID', input: { uri: `${receiver.url}/paid` } });
    expect(duplicate.data.webhookSubscriptionCreate.userErrors).toEqual([
      { field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' },
    ]);
    const legacy = await gql(
      'mutation($input: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: ORDERS_PAID, webhookSubscription: $input) { webhookSubscription { callbackUrl } userErrors { message } } }',
      { input: { callbackUrl: `${receiver.url}/paid-legacy` } },
      '2025-07',
    );
    expect(legacy.data.webhookSubscriptionCreate).toEqual({
      webhookSubscription: { callbackUrl: `${receiver.url}/paid-legacy` },
      userErrors: [],
    });
    expect((await gql('{ webhookSubscriptions(first: 5) { nodes { uri } } }', undefined, '2025-07')).errors[0].message).toContain(
      'Cannot query field "uri"',
    );

    const listed = await gql('{ webhookSubscriptions(first: 10, topics: [ORDERS_PAID]) { nodes { topic uri } } }');
    expect(listed.data.webhookSubscriptions.nodes).toEqual([
      { topic: 'ORDERS_PAID', uri: `${receiver.url}/paid` },
      { topic: 'ORDERS_PAID', uri: `${receiver.url}/paid-legacy` },
    ]);
  });

  it('retries a failed delivery with the same webhook id, then succeeds', async () => {
    receiver.statuses.push(500, 503);
    const { order } = await createOrder();
    const deliveries = await waitFor(async () => {
      const { deliveries } = await admin.call<AnyJson>('GET', `/_sandbox/webhook-deliveries?topic=orders/create&orderId=${order.id}`);
      return deliveries[0]?.status === 'delivered' ? deliveries : undefined;
    });
    expect(deliveries[0].attempts.map((attempt: AnyJson) => attempt.status)).toEqual([500, 503, 200]);
    const ids = new Set(receiver.byTopic('orders/create', order.id).map((entry) => entry.headers['x-shopify-webhook-id']));
    expect(ids.size).toBe(1);
    // Counted by its first attempt only, whatever the retries did.
    expect(sandbox.webhooks.firstAttempts()).toEqual({ answered: 0, notAnswered: 1 });
    await createOrder();
    await waitFor(() => sandbox.webhooks.firstAttempts().answered === 1 || undefined);
    expect(sandbox.webhooks.firstAttempts()).toEqual({ answered: 1, notAnswered: 1 });
  });

  it('gives up after the configured retries', async () => {
    receiver.statuses.push(500, 500, 500);
    const { order } = await createOrder();
    const [delivery] = await waitFor(async () => {
      const { deliveries } = await admin.call<AnyJson>('GET', `/_sandbox/webhook-deliveries?topic=orders/create&orderId=${order.id}`);
      return deliveries[0]?.status === 'failed' ? deliveries : undefined;
    });
    expect(delivery.attempts).toHaveLength(3);
  });

  it('drops deliveries on request, and re-sends one delivery N times unchanged', async () => {
    await admin.call('POST', '/_sandbox/webhook-faults', { drop: 1, topic: 'orders/create' });
    const dropped = (await createOrder()).order;
    const kept = (await createOrder()).order;
    const { deliveries } = await admin.call<AnyJson>('GET', '/_sandbox/webhook-deliveries?topic=orders/create');
    expect(deliveries.map((delivery: AnyJson) => [delivery.resourceId, delivery.status === 'dropped'])).toEqual([
      [dropped.admin_graphql_api_id, true],
      [kept.admin_graphql_api_id, expect.any(Boolean)],
    ]);
    await waitFor(() => receiver.byTopic('orders/create', kept.id).length === 1);
    expect(receiver.byTopic('orders/create', dropped.id)).toEqual([]);

    const resent = await admin.call<AnyJson>('POST', `/_sandbox/webhook-deliveries/${deliveries[1].webhookId}/redeliver`, { times: 3 });
    expect(resent.statuses).toEqual([200, 200, 200]);
    const copies = receiver.byTopic('orders/create', kept.id);
    expect(copies).toHaveLength(4);
    expect(
      new Set(copies.map((copy) => `${copy.headers['x-shopify-webhook-id']}|${copy.headers['x-shopify-hmac-sha256']}|${copy.body}`)).size,
    ).toBe(1);
  });
});
