import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { DEFAULT_AMAZON_SELLER } from './auth/lwa-tokens.js';
import { startAmazonSandbox, type AmazonSandbox } from './amazon-sandbox.js';

const START = Date.parse('2026-11-27T10:00:00Z');
let clock = START;
let sandbox: AmazonSandbox;
let admin: SandboxAdminClient;
let token: string;

const SELLER = DEFAULT_AMAZON_SELLER;
const MARKETPLACE = SELLER.marketplaceIds[0];

// The tests read arbitrary response shapes; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

interface Answer {
  status: number;
  headers: Headers;
  body: AnyJson;
}

async function lwa(form: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${sandbox.url}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const refreshForm = (overrides: Record<string, string> = {}) => ({
  grant_type: 'refresh_token',
  refresh_token: SELLER.refreshToken,
  client_id: SELLER.clientId,
  client_secret: SELLER.clientSecret,
  ...overrides,
});

async function call(method: string, path: string, body?: unknown, accessToken: string | null = token): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (accessToken !== null) headers['x-amz-access-token'] = accessToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sandbox.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) };
}

async function seedOrders(orders: unknown[]): Promise<AnyJson[]> {
  return (await admin.call<{ orders: AnyJson[] }>('POST', '/_sandbox/orders', orders)).orders;
}

async function submitFeed(feedType: string, contentType: string, content: string): Promise<string> {
  const document = await call('POST', '/feeds/2021-06-30/documents', { contentType });
  expect(document.status).toBe(201);
  const upload = await fetch(document.body.url, { method: 'PUT', headers: { 'content-type': contentType }, body: content });
  expect(upload.status).toBe(200);
  const feed = await call('POST', '/feeds/2021-06-30/feeds', {
    feedType,
    marketplaceIds: [MARKETPLACE],
    inputFeedDocumentId: document.body.feedDocumentId,
  });
  expect(feed.status).toBe(202);
  return feed.body.feedId as string;
}

async function report(feedId: string): Promise<string> {
  const feed = await call('GET', `/feeds/2021-06-30/feeds/${feedId}`);
  const document = await call('GET', `/feeds/2021-06-30/documents/${feed.body.resultFeedDocumentId}`);
  return (await fetch(document.body.url)).text();
}

beforeAll(async () => {
  sandbox = await startAmazonSandbox({ port: 0, now: () => clock, feedQueuedMs: 1000, feedProcessingMs: 1000, listingsApplyMs: 500 });
  admin = new SandboxAdminClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  clock = START;
  await admin.reset();
  token = (await lwa(refreshForm())).body.access_token;
});

describe('Login with Amazon', () => {
  it('exchanges a refresh token for a one-hour access token', async () => {
    const answer = await lwa(refreshForm());
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, refresh_token: SELLER.refreshToken });
    expect(answer.body.access_token).toMatch(/^Atza\|/);
  });

  it.each([
    [{ client_secret: 'wrong' }, 401, 'invalid_client'],
    [{ refresh_token: 'Atzr|unknown' }, 400, 'invalid_grant'],
    [{ grant_type: 'client_credentials' }, 400, 'unsupported_grant_type'],
    [{ client_id: '' }, 400, 'invalid_request'],
  ])('answers the LWA error body for %j', async (overrides, status, error) => {
    const answer = await lwa(refreshForm(overrides));
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual({ error, error_description: expect.any(String) });
  });

  it('answers 403 Unauthorized in the errors envelope without a token, with an unknown one, and once it expired', async () => {
    for (const accessToken of [null, 'Atza|nope']) {
      const answer = await call('GET', `/orders/v0/orders/113-0000001-4000001`, undefined, accessToken);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({
        errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: expect.any(String) }],
      });
    }
    clock += 3600_000;
    const expired = await call('GET', '/orders/v0/orders/113-0000001-4000001');
    expect(expired.status).toBe(403);
    expect(expired.body.errors[0].details).toContain('expired');
  });
});

describe('Orders v0', () => {
  it('lists orders updated after a time in pages of {payload}, with string amounts and 3-7-7 ids', async () => {
    await seedOrders([
      { items: [{ sku: 'TEE-M', quantity: 2, unitPrice: '19.99', itemTax: '3.20', promotionDiscount: '1.00' }] },
      { items: [{ sku: 'MUG', quantity: 1, unitPrice: '8.50' }] },
      { items: [{ sku: 'CAP', quantity: 1, unitPrice: '12.00' }], status: 'Pending' },
    ]);
    const since = new Date(clock - 60_000).toISOString();
    const first = await call('GET', `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&LastUpdatedAfter=${since}&MaxResultsPerPage=2`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-amzn-ratelimit-limit')).toBe('0.0167');
    expect(first.headers.get('x-amzn-requestid')).toBeTruthy();
    const { Orders, NextToken, LastUpdatedBefore } = first.body.payload;
    expect(Orders).toHaveLength(2);
    expect(Orders[0].AmazonOrderId).toMatch(/^\d{3}-\d{7}-\d{7}$/);
    expect(Orders[0]).toMatchObject({
      OrderStatus: 'Unshipped',
      FulfillmentChannel: 'MFN',
      OrderTotal: { CurrencyCode: 'USD', Amount: '42.18' },
    });
    expect(LastUpdatedBefore).toBe('2026-11-27T10:00:00Z');
    const second = await call('GET', `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&NextToken=${encodeURIComponent(NextToken)}`);
    expect(second.body.payload.Orders.map((order: AnyJson) => order.OrderStatus)).toEqual(['Pending']);
    expect(second.body.payload.Orders[0].OrderTotal).toBeUndefined();
    expect(second.body.payload.NextToken).toBeUndefined();
  });

  it.each([
    ['', 'MarketplaceIds'],
    [`MarketplaceIds=${MARKETPLACE}`, 'CreatedAfter or LastUpdatedAfter'],
    [`MarketplaceIds=${MARKETPLACE}&CreatedAfter=yesterday`, 'ISO 8601'],
    [`MarketplaceIds=${MARKETPLACE}&CreatedAfter=2026-01-01T00:00:00Z&MaxResultsPerPage=101`, 'MaxResultsPerPage'],
  ])('refuses the query %s with 400 InvalidInput', async (query, message) => {
    const answer = await call('GET', `/orders/v0/orders?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].code).toBe('InvalidInput');
    expect(answer.body.errors[0].message).toContain(message);
  });

  it('filters LastUpdateDate inclusively at both ends, at the second it shows, and says in LastUpdatedBefore where the answer ends', async () => {
    clock = START + 250;
    const [early] = await seedOrders([{ items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] }]);
    clock += 60_000;
    const [late] = await seedOrders([{ items: [{ sku: 'MUG', quantity: 1, unitPrice: '8.00' }] }]);
    // Updated at 10:00:00.250 and 10:01:00.250, shown to the second.
    expect([early.LastUpdateDate, late.LastUpdateDate]).toEqual(['2026-11-27T10:00:00Z', '2026-11-27T10:01:00Z']);
    clock += 180_000;
    const list = async (query: string) => {
      const answer = await call('GET', `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&${query}`);
      expect(answer.status).toBe(200);
      return {
        ids: answer.body.payload.Orders.map((order: AnyJson) => order.AmazonOrderId),
        before: answer.body.payload.LastUpdatedBefore,
      };
    };

    expect(await list('LastUpdatedAfter=2026-11-27T10:00:00Z&LastUpdatedBefore=2026-11-27T10:00:00Z')).toEqual({
      ids: [early.AmazonOrderId],
      before: '2026-11-27T10:00:00Z',
    });
    expect((await list('LastUpdatedAfter=2026-11-27T10:00:00.001Z&LastUpdatedBefore=2026-11-27T10:01:00.000Z')).ids).toEqual([
      late.AmazonOrderId,
    ]);
    expect((await list('LastUpdatedAfter=2026-11-27T10:00:00.500Z&LastUpdatedBefore=2026-11-27T10:00:59.999Z')).ids).toEqual([]);
    // Without LastUpdatedBefore the answer runs to the request.
    expect(await list('LastUpdatedAfter=2026-11-27T09:59:00Z')).toEqual({
      ids: [early.AmazonOrderId, late.AmazonOrderId],
      before: '2026-11-27T10:04:00Z',
    });
  });

  it.each([
    ['LastUpdatedAfter=2026-11-27T09:00:00Z&LastUpdatedBefore=2026-11-27T09:58:00.001Z', 'at least two minutes before the request'],
    ['CreatedAfter=2026-11-27T09:00:00Z&CreatedBefore=2026-11-27T09:59:00Z', 'at least two minutes before the request'],
    ['LastUpdatedAfter=2026-11-27T09:00:00Z&LastUpdatedBefore=2026-11-27T08:59:59Z', 'equal to or after LastUpdatedAfter'],
  ])('refuses %s with the generic InvalidInput Amazon answers', async (query, details) => {
    const answer = await call('GET', `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          code: 'InvalidInput',
          message: 'The input you have submitted is not valid. Please check your input and try again.',
          details: expect.stringContaining(details),
        },
      ],
    });
    // Two minutes to the millisecond is accepted.
    const edge = await call(
      'GET',
      `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&LastUpdatedAfter=2026-11-27T09:00:00Z&LastUpdatedBefore=2026-11-27T09:58:00Z`,
    );
    expect(edge.status).toBe(200);
  });

  it('lists an order only orderListLagMs after its last update (index lag), finds it by id at once, and keeps every answer for inspection', async () => {
    expect(await admin.call('POST', '/_sandbox/order-listing', { orderListLagMs: 5_000, beforeMinAgeMs: 1_000 })).toEqual({
      orderListLagMs: 5_000,
      beforeMinAgeMs: 1_000,
    });
    const [order] = await seedOrders([{ items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] }]);
    const listed = async () =>
      (await call('GET', `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&LastUpdatedAfter=2026-11-27T09:59:00Z`)).body.payload.Orders.map(
        (found: AnyJson) => [found.AmazonOrderId, found.LastUpdateDate],
      );

    expect(await listed()).toEqual([]);
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload.AmazonOrderId).toBe(order.AmazonOrderId);
    clock += 4_999;
    expect(await listed()).toEqual([]);
    clock += 1;
    expect(await listed()).toEqual([[order.AmazonOrderId, '2026-11-27T10:00:00Z']]);
    // A LastUpdatedBefore one second old is accepted now.
    const bounded = await call(
      'GET',
      `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&LastUpdatedAfter=2026-11-27T09:59:00Z&LastUpdatedBefore=2026-11-27T10:00:04Z`,
    );
    expect(bounded.body.payload.Orders.map((found: AnyJson) => found.AmazonOrderId)).toEqual([order.AmazonOrderId]);

    // An update takes it out of the list again until the index has it.
    clock += 1_000;
    await admin.call('POST', `/_sandbox/orders/${order.AmazonOrderId}/status`, { status: 'Canceled' });
    expect(await listed()).toEqual([]);
    clock += 5_000;
    expect(await listed()).toEqual([[order.AmazonOrderId, '2026-11-27T10:00:06Z']]);

    const { pages } = await admin.call<{ pages: AnyJson[] }>('GET', `/_sandbox/order-pages?amazonOrderId=${order.AmazonOrderId}`);
    expect(pages.map((page) => [page.field, page.after, page.before, page.beforeSent, page.offset, page.amazonOrderIds])).toEqual([
      ['LastUpdateDate', '2026-11-27T09:59:00.000Z', '2026-11-27T10:00:05.000Z', false, 0, [order.AmazonOrderId]],
      ['LastUpdateDate', '2026-11-27T09:59:00.000Z', '2026-11-27T10:00:04.000Z', true, 0, [order.AmazonOrderId]],
      ['LastUpdateDate', '2026-11-27T09:59:00.000Z', '2026-11-27T10:00:11.000Z', false, 0, [order.AmazonOrderId]],
    ]);
    expect((await admin.call<{ pages: AnyJson[] }>('GET', '/_sandbox/order-pages')).pages).toHaveLength(6);
    // A reset goes back to the start options and forgets the answers.
    await admin.reset();
    expect(await admin.call('GET', '/_sandbox/order-listing')).toEqual({ orderListLagMs: 0, beforeMinAgeMs: 120_000 });
    expect((await admin.call<{ pages: AnyJson[] }>('GET', '/_sandbox/order-pages')).pages).toEqual([]);
  });

  it('reads an order and its items with ItemPrice = unit price x quantity; a Pending order has no pricing', async () => {
    const [order, pending] = await seedOrders([
      { items: [{ sku: 'TEE-M', quantity: 3, unitPrice: '10.00', itemTax: '2.40' }] },
      { status: 'Pending', items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] },
    ]);
    const items = await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`);
    expect(items.headers.get('x-amzn-ratelimit-limit')).toBe('0.5');
    expect(items.body.payload.AmazonOrderId).toBe(order.AmazonOrderId);
    expect(items.body.payload.OrderItems[0]).toMatchObject({
      SellerSKU: 'TEE-M',
      QuantityOrdered: 3,
      QuantityShipped: 0,
      ItemPrice: { CurrencyCode: 'USD', Amount: '30.00' },
      ItemTax: { CurrencyCode: 'USD', Amount: '2.40' },
      PromotionDiscount: { CurrencyCode: 'USD', Amount: '0.00' },
    });
    const pendingItems = await call('GET', `/orders/v0/orders/${pending.AmazonOrderId}/orderItems`);
    expect(pendingItems.body.payload.OrderItems[0].ItemPrice).toBeUndefined();
    expect((await call('GET', '/orders/v0/orders/999-0000000-0000000')).status).toBe(404);
  });

  it('pages order items with NextToken', async () => {
    const [order] = await seedOrders([
      { items: Array.from({ length: 25 }, (_, index) => ({ sku: `SKU-${index}`, quantity: 1, unitPrice: '1.00' })) },
    ]);
    const first = await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`);
    expect(first.body.payload.OrderItems).toHaveLength(20);
    const second = await call(
      'GET',
      `/orders/v0/orders/${order.AmazonOrderId}/orderItems?NextToken=${encodeURIComponent(first.body.payload.NextToken)}`,
    );
    expect(second.body.payload.OrderItems.map((item: AnyJson) => item.SellerSKU)).toEqual([
      'SKU-20',
      'SKU-21',
      'SKU-22',
      'SKU-23',
      'SKU-24',
    ]);
  });

  it('confirms a shipment (204) and the order reads back shipped; a bad shipDate is 400', async () => {
    const [order] = await seedOrders([
      {
        items: [
          { sku: 'TEE-M', quantity: 2, unitPrice: '10.00' },
          { sku: 'MUG', quantity: 1, unitPrice: '5.00' },
        ],
      },
    ]);
    const [first, second] = order.OrderItems;
    const confirm = (items: AnyJson[], shipDate = '2026-11-27T09:00:00Z') =>
      call('POST', `/orders/v0/orders/${order.AmazonOrderId}/shipmentConfirmation`, {
        marketplaceId: MARKETPLACE,
        packageDetail: { packageReferenceId: 'PKG-1', carrierCode: 'UPS', trackingNumber: '1Z999', shipDate, orderItems: items },
      });
    expect((await confirm([{ orderItemId: first.OrderItemId, quantity: 2 }], '27/11/2026')).status).toBe(400);
    const partial = await confirm([{ orderItemId: first.OrderItemId, quantity: 2 }]);
    expect(partial.status).toBe(204);
    expect(partial.headers.get('x-amzn-ratelimit-limit')).toBe('2');
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload).toMatchObject({
      OrderStatus: 'PartiallyShipped',
      NumberOfItemsShipped: 2,
      NumberOfItemsUnshipped: 1,
    });
    expect((await confirm([{ orderItemId: first.OrderItemId, quantity: 1 }])).status).toBe(400);
    expect((await confirm([{ orderItemId: second.OrderItemId, quantity: 1 }])).status).toBe(204);
    const [stored] = (await admin.call<{ orders: AnyJson[] }>('GET', `/_sandbox/orders?amazonOrderId=${order.AmazonOrderId}`)).orders;
    expect(stored.OrderStatus).toBe('Shipped');
    expect(stored.shipments.map((shipment: AnyJson) => shipment.trackingNumber)).toEqual(['1Z999', '1Z999']);
  });

  it('"accepted but dropped": answers 204 without applying the confirmation', async () => {
    const [order] = await seedOrders([{ items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] }]);
    await admin.call('POST', '/_sandbox/shipment-confirmations/drop', { count: 1 });
    const body = {
      marketplaceId: MARKETPLACE,
      packageDetail: {
        packageReferenceId: 'PKG-1',
        carrierCode: 'USPS',
        trackingNumber: '9400',
        shipDate: '2026-11-27T09:00:00Z',
        orderItems: [{ orderItemId: order.OrderItems[0].OrderItemId, quantity: 1 }],
      },
    };
    expect((await call('POST', `/orders/v0/orders/${order.AmazonOrderId}/shipmentConfirmation`, body)).status).toBe(204);
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload.OrderStatus).toBe('Unshipped');
    expect((await call('POST', `/orders/v0/orders/${order.AmazonOrderId}/shipmentConfirmation`, body)).status).toBe(204);
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload.OrderStatus).toBe('Shipped');
  });

  it('ships an AFN order as Amazon does (admin route): items, status and LastUpdateDate move; the seller ships MFN orders', async () => {
    const [afn, mfn] = await seedOrders([
      {
        fulfillmentChannel: 'AFN',
        items: [
          { sku: 'TEE-M', quantity: 2, unitPrice: '10.00' },
          { sku: 'MUG', quantity: 1, unitPrice: '5.00' },
        ],
      },
      { items: [{ sku: 'MUG', quantity: 1, unitPrice: '5.00' }] },
    ]);
    const ship = (orderId: string, body: unknown) =>
      fetch(`${sandbox.url}/_sandbox/orders/${orderId}/shipments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const [first, second] = afn.OrderItems;
    clock += 60_000;
    expect((await ship(afn.AmazonOrderId, { items: [{ orderItemId: first.OrderItemId, quantity: 1 }] })).status).toBe(200);
    expect((await call('GET', `/orders/v0/orders/${afn.AmazonOrderId}`)).body.payload).toMatchObject({
      OrderStatus: 'PartiallyShipped',
      LastUpdateDate: '2026-11-27T10:01:00Z',
      NumberOfItemsShipped: 1,
      NumberOfItemsUnshipped: 2,
    });
    expect(
      (await call('GET', `/orders/v0/orders/${afn.AmazonOrderId}/orderItems`)).body.payload.OrderItems.map(
        (item: AnyJson) => item.QuantityShipped,
      ),
    ).toEqual([1, 0]);
    // More than is open, an unknown item, an MFN order: refused.
    expect((await ship(afn.AmazonOrderId, { items: [{ orderItemId: first.OrderItemId, quantity: 2 }] })).status).toBe(400);
    expect((await ship(afn.AmazonOrderId, { items: [{ orderItemId: 'NOPE' }] })).status).toBe(400);
    expect((await ship(mfn.AmazonOrderId, {})).status).toBe(400);

    // Without items: every open unit.
    clock += 60_000;
    const shipped: AnyJson = await (await ship(afn.AmazonOrderId, {})).json();
    expect(shipped).toMatchObject({ OrderStatus: 'Shipped', LastUpdateDate: '2026-11-27T10:02:00Z', NumberOfItemsShipped: 3 });
    expect(shipped.OrderItems.map((item: AnyJson) => item.QuantityShipped)).toEqual([2, 1]);
    expect(shipped.shipments.map((shipment: AnyJson) => shipment.items)).toEqual([
      [{ orderItemId: first.OrderItemId, quantity: 1 }],
      [
        { orderItemId: first.OrderItemId, quantity: 1 },
        { orderItemId: second.OrderItemId, quantity: 1 },
      ],
    ]);
    expect((await ship(afn.AmazonOrderId, {})).status).toBe(400);
    // Orders updated since a time find it.
    const updated = await call('GET', `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&LastUpdatedAfter=2026-11-27T10:01:30Z`);
    expect(updated.body.payload.Orders.map((order: AnyJson) => order.AmazonOrderId)).toEqual([afn.AmazonOrderId]);
  });
});

describe('Tokens API 2021-03-01 and restricted data', () => {
  const ADDRESS = {
    Name: 'Ada Lovelace',
    AddressLine1: '12 Analytical Way',
    AddressLine2: 'Floor 3',
    City: 'SEATTLE',
    StateOrRegion: 'WA',
    PostalCode: '98101',
    CountryCode: 'US',
    Phone: '+1 206-555-0100',
    AddressType: 'Commercial',
  };
  const rdtFor = (restrictedResources: unknown[]) => call('POST', '/tokens/2021-03-01/restrictedDataToken', { restrictedResources });
  const addressPath = (orderId: string) => `/orders/v0/orders/${orderId}/address`;

  it('issues an RDT for a generic address path that reads the full address of any order of the seller, and nothing else', async () => {
    const [first, second] = await seedOrders([
      { shippingAddress: ADDRESS, buyerName: 'Ada Lovelace', items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] },
      { items: [{ sku: 'MUG', quantity: 1, unitPrice: '5.00' }] },
    ]);
    const issued = await rdtFor([{ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }]);
    expect(issued.status).toBe(200);
    expect(issued.headers.get('x-amzn-ratelimit-limit')).toBe('1');
    expect(issued.body).toEqual({ restrictedDataToken: expect.stringMatching(/^Atz\.sprdt\|/), expiresIn: 3600 });
    const rdt = issued.body.restrictedDataToken;

    const address = await call('GET', addressPath(first.AmazonOrderId), undefined, rdt);
    expect(address.status).toBe(200);
    expect(address.headers.get('x-amzn-ratelimit-limit')).toBe('0.5');
    expect(address.body).toEqual({ payload: { AmazonOrderId: first.AmazonOrderId, ShippingAddress: ADDRESS } });
    // The default address of a seeded order is a complete, realistic US one.
    expect((await call('GET', addressPath(second.AmazonOrderId), undefined, rdt)).body.payload.ShippingAddress).toMatchObject({
      Name: expect.any(String),
      AddressLine1: expect.any(String),
      City: 'SEATTLE',
      StateOrRegion: 'WA',
      CountryCode: 'US',
    });

    // The LWA token cannot read it; the RDT cannot call what it does not name.
    const withLwa = await call('GET', addressPath(first.AmazonOrderId));
    expect(withLwa.status).toBe(403);
    expect(withLwa.body.errors[0]).toMatchObject({ code: 'Unauthorized', details: expect.stringContaining('Restricted Data Token') });
    for (const [method, path] of [
      ['GET', `/orders/v0/orders/${first.AmazonOrderId}`],
      ['GET', `/orders/v0/orders/${first.AmazonOrderId}/orderItems`],
      ['POST', '/tokens/2021-03-01/restrictedDataToken'],
    ]) {
      const refused = await call(method, path, method === 'POST' ? { restrictedResources: [] } : undefined, rdt);
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0]).toMatchObject({ code: 'Unauthorized', message: 'Access to requested resource is denied.' });
    }
  });

  it('limits an RDT for a specific path to that order', async () => {
    const [first, second] = await seedOrders([
      { items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] },
      { items: [{ sku: 'MUG', quantity: 1, unitPrice: '5.00' }] },
    ]);
    const rdt = (await rdtFor([{ method: 'GET', path: addressPath(first.AmazonOrderId) }])).body.restrictedDataToken;
    expect((await call('GET', addressPath(first.AmazonOrderId), undefined, rdt)).status).toBe(200);
    expect((await call('GET', addressPath(second.AmazonOrderId), undefined, rdt)).status).toBe(403);
  });

  it('shows the address and buyer info in getOrders and getOrder only with the data elements of an RDT', async () => {
    const [order] = await seedOrders([
      { shippingAddress: ADDRESS, buyerEmail: 'x7k2@marketplace.amazon.com', items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] },
    ]);
    const list = `/orders/v0/orders?MarketplaceIds=${MARKETPLACE}&LastUpdatedAfter=${new Date(clock - 60_000).toISOString()}`;
    const plain = (await call('GET', list)).body.payload.Orders[0];
    expect(plain.ShippingAddress).toEqual({ City: 'SEATTLE', StateOrRegion: 'WA', PostalCode: '98101', CountryCode: 'US' });
    expect(plain.BuyerInfo).toBeUndefined();

    const both = (await rdtFor([{ method: 'GET', path: '/orders/v0/orders', dataElements: ['buyerInfo', 'shippingAddress'] }])).body
      .restrictedDataToken;
    const restricted = (await call('GET', list, undefined, both)).body.payload.Orders[0];
    expect(restricted.ShippingAddress).toEqual(ADDRESS);
    expect(restricted.BuyerInfo).toEqual({ BuyerEmail: 'x7k2@marketplace.amazon.com', BuyerName: 'Ada Lovelace' });

    const addressOnly = (await rdtFor([{ method: 'GET', path: '/orders/v0/orders/{orderId}', dataElements: ['shippingAddress'] }])).body
      .restrictedDataToken;
    const single = (await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`, undefined, addressOnly)).body.payload;
    expect(single.ShippingAddress).toEqual(ADDRESS);
    expect(single.BuyerInfo).toBeUndefined();
    const items = await rdtFor([{ method: 'GET', path: '/orders/v0/orders/{orderId}/orderItems', dataElements: ['buyerInfo'] }]);
    expect(
      (await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`, undefined, items.body.restrictedDataToken)).status,
    ).toBe(200);
  });

  it.each([
    ['no resources', [], 'InvalidRequest'],
    ['a resource without path', [{ method: 'GET' }], 'InvalidRequest'],
    ['more than 50 resources', Array(51).fill({ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }), 'InvalidInput'],
    ['a path that is no restricted operation', [{ method: 'GET', path: '/feeds/2021-06-30/feeds' }], 'InvalidInput'],
    ['getOrders without dataElements', [{ method: 'GET', path: '/orders/v0/orders' }], 'InvalidInput'],
    ['an unknown data element', [{ method: 'GET', path: '/orders/v0/orders', dataElements: ['creditCard'] }], 'InvalidInput'],
    [
      'getOrderItems with shippingAddress',
      [{ method: 'GET', path: '/orders/v0/orders/{orderId}/orderItems', dataElements: ['shippingAddress'] }],
      'InvalidInput',
    ],
  ])('refuses an RDT request with %s (400)', async (_case, resources, code) => {
    const answer = await rdtFor(resources);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].code).toBe(code);
  });

  it('expires an RDT after expiresIn and on the admin route', async () => {
    const [order] = await seedOrders([{ items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] }]);
    const resource = { method: 'GET', path: '/orders/v0/orders/{orderId}/address' };
    const rdt = (await rdtFor([resource])).body.restrictedDataToken;
    clock += 3600_000;
    const expired = await call('GET', addressPath(order.AmazonOrderId), undefined, rdt);
    expect(expired.status).toBe(403);
    expect(expired.body.errors[0].details).toContain('expired');

    token = (await lwa(refreshForm())).body.access_token;
    const fresh = (await rdtFor([resource])).body.restrictedDataToken;
    expect((await call('GET', addressPath(order.AmazonOrderId), undefined, fresh)).status).toBe(200);
    await admin.call('POST', '/_sandbox/lwa/expire-tokens');
    expect((await call('GET', addressPath(order.AmazonOrderId), undefined, fresh)).status).toBe(403);
    const { sellers } = await admin.call<{ sellers: AnyJson[] }>('GET', '/_sandbox/sellers');
    expect(sellers[0].restrictedDataTokensIssued).toBe(2);
  });

  it('throttles createRestrictedDataToken at its usage plan: burst 10, then 1 a second', async () => {
    const resource = { method: 'GET', path: '/orders/v0/orders/{orderId}/address' };
    const statuses: number[] = [];
    for (let index = 0; index < 11; index++) statuses.push((await rdtFor([resource])).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    clock += 1000;
    expect((await rdtFor([resource])).status).toBe(200);
  });

  it('hides the address of a Pending order, gives no recipient of an AFN order even to an RDT and refuses to confirm its shipment', async () => {
    const [pending, afn] = await seedOrders([
      { status: 'Pending', items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] },
      { fulfillmentChannel: 'AFN', shippingAddress: ADDRESS, items: [{ sku: 'MUG', quantity: 1, unitPrice: '5.00' }] },
    ]);
    const rdt = (await rdtFor([{ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }])).body.restrictedDataToken;
    expect((await call('GET', addressPath(pending.AmazonOrderId), undefined, rdt)).body).toEqual({
      payload: { AmazonOrderId: pending.AmazonOrderId },
    });
    // Amazon ships AFN orders: the seller gets no recipient, only what getOrders shows anyone.
    expect((await call('GET', addressPath(afn.AmazonOrderId), undefined, rdt)).body).toEqual({
      payload: { AmazonOrderId: afn.AmazonOrderId },
    });
    const orderRdt = (await rdtFor([{ method: 'GET', path: '/orders/v0/orders/{orderId}', dataElements: ['shippingAddress'] }])).body
      .restrictedDataToken;
    const withRdt = (await call('GET', `/orders/v0/orders/${afn.AmazonOrderId}`, undefined, orderRdt)).body.payload;
    expect(withRdt.FulfillmentChannel).toBe('AFN');
    expect(withRdt.ShippingAddress).toEqual({
      City: ADDRESS.City,
      StateOrRegion: ADDRESS.StateOrRegion,
      PostalCode: ADDRESS.PostalCode,
      CountryCode: ADDRESS.CountryCode,
    });
    const confirm = await call('POST', `/orders/v0/orders/${afn.AmazonOrderId}/shipmentConfirmation`, {
      marketplaceId: MARKETPLACE,
      packageDetail: {
        packageReferenceId: 'PKG-1',
        carrierCode: 'UPS',
        trackingNumber: '1Z999',
        shipDate: '2026-11-27T09:00:00Z',
        orderItems: [{ orderItemId: afn.OrderItems[0].OrderItemId, quantity: 1 }],
      },
    });
    expect(confirm.status).toBe(400);
    expect(confirm.body.errors[0].message).toContain('fulfilled by Amazon');
  });

  it.each([
    [{ shippingAddress: { Street: '1 Main St' } }, /not an Address field/],
    [{ shippingAddress: { Name: 7 } }, /must be a string/],
    [{ shippingAddress: { CountryCode: 'USA' } }, /ISO 3166-1/],
    [{ fulfillmentChannel: 'FBA' }, /MFN or AFN/],
  ])('refuses a seed with %j', async (extra, error) => {
    const answer = await fetch(`${sandbox.url}/_sandbox/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...extra, items: [{ sku: 'TEE-M', quantity: 1 }] }),
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toMatch(error);
  });
});

describe('usage plans', () => {
  it('answers 429 QuotaExceeded per operation once its burst is spent, and refills at its rate', async () => {
    await admin.call('POST', '/_sandbox/usage-plans', { operation: 'getOrder', rate: 1, burst: 2 });
    const [order] = await seedOrders([{ items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] }]);
    const get = () => call('GET', `/orders/v0/orders/${order.AmazonOrderId}`);
    expect([(await get()).status, (await get()).status]).toEqual([200, 200]);
    const throttled = await get();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('x-amzn-ratelimit-limit')).toBe('1');
    expect(throttled.body).toEqual({
      errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }],
    });
    // Another operation has its own bucket.
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`)).status).toBe(200);
    clock += 1000;
    expect((await get()).status).toBe(200);
  });

  it('injects faults scoped to one operation', async () => {
    await admin.setFaults({ type: 'serverError', status: 503, operation: 'getOrder', count: 1 });
    const [order] = await seedOrders([{ items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] }]);
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`)).status).toBe(200);
    const failed = await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`);
    expect(failed.status).toBe(503);
    expect(failed.body.errors[0].code).toBe('ServiceUnavailable');
  });
});

describe('Feeds 2021-06-30', () => {
  it('refuses an upload with another Content-Type than the document was created with', async () => {
    const document = await call('POST', '/feeds/2021-06-30/documents', { contentType: 'application/json; charset=UTF-8' });
    const upload = await fetch(document.body.url, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(upload.status).toBe(403);
    expect(await upload.text()).toContain('SignatureDoesNotMatch');
  });

  it('processes a JSON_LISTINGS_FEED asynchronously: IN_QUEUE, IN_PROGRESS, DONE with a JSON report', async () => {
    await admin.call('POST', '/_sandbox/listings', [
      { sku: 'TEE-M', quantity: 1 },
      { sku: 'MUG', quantity: 1 },
    ]);
    const patch = (sku: string, quantity: unknown) => ({
      messageId: 0,
      sku,
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [
        { op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] },
      ],
    });
    const messages = [patch('TEE-M', 7), patch('MUG', -1), patch('NOPE', 3)].map((message, index) => ({
      ...message,
      messageId: index + 1,
    }));
    const feedId = await submitFeed(
      'JSON_LISTINGS_FEED',
      'application/json; charset=UTF-8',
      JSON.stringify({ header: { sellerId: SELLER.sellerId, version: '2.0', issueLocale: 'en_US' }, messages }),
    );
    const status = async () => (await call('GET', `/feeds/2021-06-30/feeds/${feedId}`)).body.processingStatus;
    expect(await status()).toBe('IN_QUEUE');
    clock += 1000;
    expect(await status()).toBe('IN_PROGRESS');
    clock += 1000;
    expect(await status()).toBe('DONE');
    const processed = JSON.parse(await report(feedId));
    expect(processed.header).toEqual({ sellerId: SELLER.sellerId, version: '2.0', feedId });
    expect(processed.summary).toEqual({ errors: 2, warnings: 0, messagesProcessed: 3, messagesAccepted: 1, messagesInvalid: 2 });
    expect(processed.issues.map((issue: AnyJson) => [issue.messageId, issue.severity])).toEqual([
      [2, 'ERROR'],
      [3, 'ERROR'],
    ]);
    const { listings } = await admin.call<{ listings: AnyJson[] }>('GET', '/_sandbox/listings');
    expect(listings.map((listing) => [listing.sku, listing.quantity])).toEqual([
      ['TEE-M', 7],
      ['MUG', 1],
    ]);
  });

  it('cancels named items with a Failure acknowledgement: getOrderItems shows them without units, the order keeps its other items', async () => {
    const [order] = await seedOrders([
      {
        items: [
          { sku: 'MUG', quantity: 1, unitPrice: '5.00' },
          { sku: 'CAP', quantity: 2, unitPrice: '5.00' },
        ],
      },
    ]);
    const [mug, cap] = order.OrderItems;
    const message = (id: number, items: string) =>
      `<Message><MessageID>${id}</MessageID><OrderAcknowledgement><AmazonOrderID>${order.AmazonOrderId}</AmazonOrderID><StatusCode>Failure</StatusCode>${items}</OrderAcknowledgement></Message>`;
    const item = (code: string, reason: string) =>
      `<Item><AmazonOrderItemCode>${code}</AmazonOrderItemCode><CancelReason>${reason}</CancelReason></Item>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${SELLER.sellerId}</MerchantIdentifier></Header>
<MessageType>OrderAcknowledgement</MessageType>
${message(1, item(cap.OrderItemId, 'NoInventory'))}
${message(2, item(mug.OrderItemId, 'NotAReason'))}
${message(3, '')}
</AmazonEnvelope>`;
    const feedId = await submitFeed('POST_ORDER_ACKNOWLEDGEMENT_DATA', 'text/xml; charset=UTF-8', xml);
    sandbox.processAll();
    const processed = await report(feedId);
    expect(processed).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect(processed).toMatch(
      /<MessageID>2<\/MessageID>\s*<ResultCode>Error<\/ResultCode>\s*<ResultMessageCode>18032<\/ResultMessageCode>/,
    );
    expect(processed).toMatch(
      /<MessageID>3<\/MessageID>\s*<ResultCode>Error<\/ResultCode>\s*<ResultMessageCode>18031<\/ResultMessageCode>/,
    );

    const items = (await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`)).body.payload.OrderItems;
    expect(items.map((entry: AnyJson) => [entry.OrderItemId, entry.QuantityOrdered, entry.QuantityShipped])).toEqual([
      [mug.OrderItemId, 1, 0],
      [cap.OrderItemId, 0, 0],
    ]);
    const read = (await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload;
    expect([read.OrderStatus, read.NumberOfItemsUnshipped]).toEqual(['Unshipped', 1]);

    // The last item too: nothing is left, the order is Canceled.
    const last = await submitFeed(
      'POST_ORDER_ACKNOWLEDGEMENT_DATA',
      'text/xml; charset=UTF-8',
      xml.replace(/<Message>[\s\S]*<\/Message>/, message(1, item(mug.OrderItemId, 'GeneralAdjustment'))),
    );
    sandbox.processAll();
    expect(await report(last)).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect((await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload.OrderStatus).toBe('Canceled');
  });

  it('acknowledges orders with the XML acknowledgement feed and cancels items with the flat file', async () => {
    const [order, other] = await seedOrders([
      { items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '10.00' }] },
      {
        items: [
          { sku: 'MUG', quantity: 1, unitPrice: '5.00' },
          { sku: 'CAP', quantity: 2, unitPrice: '5.00' },
        ],
      },
    ]);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${SELLER.sellerId}</MerchantIdentifier></Header>
<MessageType>OrderAcknowledgement</MessageType>
<Message><MessageID>1</MessageID><OrderAcknowledgement><AmazonOrderID>${order.AmazonOrderId}</AmazonOrderID><MerchantOrderID>SO-1</MerchantOrderID><StatusCode>Success</StatusCode></OrderAcknowledgement></Message>
<Message><MessageID>2</MessageID><OrderAcknowledgement><AmazonOrderID>999-0000000-0000000</AmazonOrderID><StatusCode>Success</StatusCode></OrderAcknowledgement></Message>
</AmazonEnvelope>`;
    const ackFeed = await submitFeed('POST_ORDER_ACKNOWLEDGEMENT_DATA', 'text/xml; charset=UTF-8', xml);
    const flat = `order-id\tamazon-order-item-code\tcancellation-reason-code\n${other.AmazonOrderId}\t${other.OrderItems[1].OrderItemId}\tNoInventory\n`;
    const cancelFeed = await submitFeed('POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA', 'text/tab-separated-values; charset=UTF-8', flat);
    expect(await admin.call('POST', '/_sandbox/process')).toEqual({ feeds: 2, submissions: 0 });

    const ackReport = await report(ackFeed);
    expect(ackReport).toContain('<MessagesProcessed>2</MessagesProcessed>');
    expect(ackReport).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect(ackReport).toMatch(/<MessageID>2<\/MessageID>\s*<ResultCode>Error<\/ResultCode>/);
    expect(await report(cancelFeed)).toContain('Number of records successful\t\t1');

    const { orders } = await admin.call<{ orders: AnyJson[] }>('GET', '/_sandbox/orders');
    expect(orders[0].acknowledgements).toMatchObject([{ statusCode: 'Success', merchantOrderId: 'SO-1', feedId: ackFeed }]);
    expect(orders[1].cancellations).toMatchObject([{ orderItemId: other.OrderItems[1].OrderItemId, reason: 'NoInventory' }]);
    expect(orders[1].OrderStatus).toBe('Unshipped');
    expect(orders[1].OrderItems[1].QuantityCancelled).toBe(2);
  });

  it('cancels and refunds units of an item with an OrderAdjustment; refuses an unknown item, too many units and amounts that do not match', async () => {
    const [order] = await seedOrders([
      {
        items: [
          { sku: 'TEE', quantity: 3, unitPrice: '10.00', itemTax: '2.00', promotionDiscount: '3.00' },
          { sku: 'MUG', quantity: 1, unitPrice: '5.00' },
        ],
      },
    ]);
    const [tee, mug] = order.OrderItems;
    const adjusted = (code: string, principal: string, tax: string, quantity: number, extra = '') =>
      `<AdjustedItem><AmazonOrderItemCode>${code}</AmazonOrderItemCode><MerchantAdjustmentItemID>rm-1</MerchantAdjustmentItemID><AdjustmentReason>NoInventory</AdjustmentReason>` +
      `<ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="USD">${principal}</Amount></Component>` +
      `<Component><Type>Tax</Type><Amount currency="USD">${tax}</Amount></Component></ItemPriceAdjustments>${extra}<QuantityCancelled>${quantity}</QuantityCancelled></AdjustedItem>`;
    const message = (id: number, items: string) =>
      `<Message><MessageID>${id}</MessageID><OrderAdjustment><AmazonOrderID>${order.AmazonOrderId}</AmazonOrderID>${items}</OrderAdjustment></Message>`;
    const envelope = (messages: string) => `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${SELLER.sellerId}</MerchantIdentifier></Header>
<MessageType>OrderAdjustment</MessageType>
${messages}
</AmazonEnvelope>`;
    const promotion =
      '<PromotionAdjustments><Component><Type>Principal</Type><Amount currency="USD">-1.00</Amount></Component></PromotionAdjustments>';
    const feedId = await submitFeed(
      'POST_PAYMENT_ADJUSTMENT_DATA',
      'text/xml; charset=UTF-8',
      envelope(
        [
          message(1, adjusted(tee.OrderItemId, '10.00', '0.66', 1, promotion)),
          message(2, adjusted('99999999999999', '10.00', '0.66', 1)),
          message(3, adjusted(tee.OrderItemId, '20.00', '1.34', 3) + adjusted(mug.OrderItemId, '5.00', '0.00', 1)),
          message(4, adjusted(tee.OrderItemId, '9.00', '0.66', 1)),
          message(5, adjusted(tee.OrderItemId, '10.00', '0.80', 1)),
          message(6, adjusted(tee.OrderItemId, '-10.00', '0.00', 1)),
        ].join('\n'),
      ),
    );
    expect((await call('GET', `/feeds/2021-06-30/feeds/${feedId}`)).body.processingStatus).toBe('IN_QUEUE');
    sandbox.processAll();
    const processed = await report(feedId);
    expect(processed).toContain('<MessagesProcessed>6</MessagesProcessed>');
    expect(processed).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect(processed).toContain('Order item 99999999999999 is not part of order');
    expect(processed).toContain('QuantityCancelled 3 is more than the 2 units of order item');
    expect(processed).toContain('Principal does not match QuantityCancelled');
    expect(processed).toContain('Tax does not match QuantityCancelled');
    expect(processed).toContain('Adjustment amount for item price is a negative value.');

    // Message 3 failed on the tee: its mug was not cancelled either (a message applies whole or not at all).
    const items = (await call('GET', `/orders/v0/orders/${order.AmazonOrderId}/orderItems`)).body.payload.OrderItems;
    expect(
      items.map((entry: AnyJson) => [entry.QuantityOrdered, entry.ItemPrice.Amount, entry.ItemTax.Amount, entry.PromotionDiscount.Amount]),
    ).toEqual([
      [2, '20.00', '1.34', '2.00'],
      [1, '5.00', '0.00', '0.00'],
    ]);
    const read = (await call('GET', `/orders/v0/orders/${order.AmazonOrderId}`)).body.payload;
    expect([read.OrderStatus, read.NumberOfItemsUnshipped, read.OrderTotal.Amount]).toEqual(['Unshipped', 3, '24.34']);
    const { orders } = await admin.call<{ orders: AnyJson[] }>('GET', `/_sandbox/orders?amazonOrderId=${order.AmazonOrderId}`);
    expect(orders[0].adjustments).toEqual([
      {
        feedId,
        orderItemId: tee.OrderItemId,
        merchantAdjustmentItemId: 'rm-1',
        reason: 'NoInventory',
        quantityCancelled: 1,
        principal: { CurrencyCode: 'USD', Amount: '10.00' },
        tax: { CurrencyCode: 'USD', Amount: '0.66' },
        promotion: { CurrencyCode: 'USD', Amount: '1.00' },
        at: expect.any(String),
      },
    ]);
    expect(orders[0].OrderItems[0].QuantityCancelled).toBe(1);
    // Finances shows the refund as the seller sees it: charges given back negative, the promotion taken back positive.
    const finances = await call('GET', `/finances/v0/orders/${order.AmazonOrderId}/financialEvents`);
    expect(finances.body.payload.FinancialEvents.RefundEventList).toEqual([
      expect.objectContaining({
        AmazonOrderId: order.AmazonOrderId,
        ShipmentItemAdjustmentList: [
          expect.objectContaining({
            SellerSKU: 'TEE',
            QuantityShipped: 1,
            ItemChargeAdjustmentList: [
              { ChargeType: 'Principal', ChargeAmount: { CurrencyCode: 'USD', CurrencyAmount: -10 } },
              { ChargeType: 'Tax', ChargeAmount: { CurrencyCode: 'USD', CurrencyAmount: -0.66 } },
            ],
            PromotionAdjustmentList: [{ PromotionType: 'Principal', PromotionAmount: { CurrencyCode: 'USD', CurrencyAmount: 1 } }],
          }),
        ],
      }),
    ]);
  });

  it('ends the next feeds FATAL on the admin fault, without applying them', async () => {
    const [order] = await seedOrders([{ items: [{ sku: 'TEE', quantity: 2, unitPrice: '10.00' }] }]);
    await admin.call('POST', '/_sandbox/feeds/fatal', { count: 1, feedType: 'POST_PAYMENT_ADJUSTMENT_DATA' });
    const xml = `<AmazonEnvelope><MessageType>OrderAdjustment</MessageType><Message><MessageID>1</MessageID><OrderAdjustment><AmazonOrderID>${order.AmazonOrderId}</AmazonOrderID>
<AdjustedItem><AmazonOrderItemCode>${order.OrderItems[0].OrderItemId}</AmazonOrderItemCode><AdjustmentReason>NoInventory</AdjustmentReason><ItemPriceAdjustments><Component><Type>Principal</Type><Amount currency="USD">10.00</Amount></Component></ItemPriceAdjustments><QuantityCancelled>1</QuantityCancelled></AdjustedItem>
</OrderAdjustment></Message></AmazonEnvelope>`;
    const first = await submitFeed('POST_PAYMENT_ADJUSTMENT_DATA', 'text/xml; charset=UTF-8', xml);
    sandbox.processAll();
    expect((await call('GET', `/feeds/2021-06-30/feeds/${first}`)).body.processingStatus).toBe('FATAL');
    expect((await admin.call<{ orders: AnyJson[] }>('GET', '/_sandbox/orders')).orders[0].adjustments).toEqual([]);
    const second = await submitFeed('POST_PAYMENT_ADJUSTMENT_DATA', 'text/xml; charset=UTF-8', xml);
    sandbox.processAll();
    expect(await report(second)).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect((await admin.call<{ orders: AnyJson[] }>('GET', '/_sandbox/orders')).orders[0].adjustments).toHaveLength(1);
  });

  it('ends a legacy inventory feed FATAL', async () => {
    const feedId = await submitFeed('POST_INVENTORY_AVAILABILITY_DATA', 'text/xml; charset=UTF-8', '<AmazonEnvelope/>');
    sandbox.processAll();
    expect((await call('GET', `/feeds/2021-06-30/feeds/${feedId}`)).body.processingStatus).toBe('FATAL');
  });
});

describe('Listings Items 2021-08-01', () => {
  const patchBody = (quantity: unknown) => ({
    productType: 'PRODUCT',
    patches: [{ op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity }] }],
  });
  const itemPath = (sku: string, query = `marketplaceIds=${MARKETPLACE}`) =>
    `/listings/2021-08-01/items/${SELLER.sellerId}/${encodeURIComponent(sku)}?${query}`;

  it('accepts a fulfillment_availability patch at once and applies it later; GET reads it back', async () => {
    await admin.call('POST', '/_sandbox/listings', { sku: 'TEE M/1', quantity: 3 });
    const answer = await call('PATCH', itemPath('TEE M/1'), patchBody(9));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-amzn-ratelimit-limit')).toBe('5');
    expect(answer.body).toMatchObject({ sku: 'TEE M/1', status: 'ACCEPTED', issues: [] });
    const read = () => call('GET', itemPath('TEE M/1', `marketplaceIds=${MARKETPLACE}&includedData=summaries,fulfillmentAvailability`));
    expect((await read()).body.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 3 }]);
    clock += 500;
    const after = await read();
    expect(after.body.fulfillmentAvailability).toEqual([{ fulfillmentChannelCode: 'DEFAULT', quantity: 9 }]);
    expect(after.body.summaries[0]).toMatchObject({ marketplaceId: MARKETPLACE, status: ['BUYABLE'] });
  });

  it('answers INVALID with issues (HTTP 200) for a bad quantity or an unknown SKU, 400 for a body without productType, 404 on GET of an unknown SKU', async () => {
    await admin.call('POST', '/_sandbox/listings', { sku: 'TEE-M', quantity: 3 });
    const invalid = await call('PATCH', itemPath('TEE-M'), patchBody(-2));
    expect(invalid.status).toBe(200);
    expect(invalid.body).toMatchObject({
      status: 'INVALID',
      issues: [{ severity: 'ERROR', attributeNames: ['fulfillment_availability'] }],
    });
    expect((await call('PATCH', itemPath('GHOST'), patchBody(1))).body.status).toBe('INVALID');
    expect((await call('PATCH', itemPath('TEE-M'), { patches: [] })).status).toBe(400);
    expect((await call('PATCH', itemPath('TEE-M', ''), patchBody(1))).status).toBe(400);
    const missing = await call('GET', itemPath('GHOST'));
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].code).toBe('NOT_FOUND');
  });
});
