import { TokenBucketRegistry } from '@retail-mesh/channel-kit';
import { describe, expect, it } from 'vitest';
import { amazonMoneyToMoney } from './amazon-money.js';
import { LwaTokenProvider } from './lwa-token.provider.js';
import { SpApiClient } from './sp-api.client.js';
import { SpApiError } from './sp-api.error.js';
import { DEFAULT_USAGE_PLANS, usagePlanOf } from './usage-plans.js';

type Reply = { status?: number; body?: unknown; headers?: Record<string, string> } | Error;

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** Stands in for LWA and the SP-API: LWA answers numbered tokens, SP-API calls take the queued replies in turn. */
function fakeAmazon(replies: Reply[]) {
  const requests: Recorded[] = [];
  let tokens = 0;
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    const href = String(url);
    if (href.endsWith('/auth/o2/token')) {
      tokens += 1;
      return new Response(JSON.stringify({ access_token: `Atza|token-${tokens}`, token_type: 'bearer', expires_in: 3600 }), {
        status: 200,
      });
    }
    requests.push({
      method: init?.method ?? 'GET',
      url: href,
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    const reply = replies.shift();
    if (reply === undefined) throw new Error('no reply queued');
    if (reply instanceof Error) throw reply;
    const text = reply.body === undefined ? null : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(text, { status: reply.status ?? 200, headers: reply.headers });
  };
  return { fetch: fetchFn as typeof fetch, requests, tokensIssued: () => tokens };
}

function client(replies: Reply[], buckets = new TokenBucketRegistry(usagePlanOf)) {
  const amazon = fakeAmazon(replies);
  const calls: Array<[string, string]> = [];
  const lwa = new LwaTokenProvider({
    endpoint: 'http://127.0.0.1:7002/auth/o2/token',
    clientId: 'client',
    clientSecret: 'secret',
    refreshToken: 'Atzr|refresh',
    fetch: amazon.fetch,
  });
  const spApi = new SpApiClient({
    endpoint: 'http://127.0.0.1:7002',
    channelAccountId: 'amazon-us',
    lwa,
    buckets,
    retries: 2,
    baseDelayMs: 1,
    maxDelayMs: 5,
    fetch: amazon.fetch,
    observer: { call: (operation, outcome) => calls.push([operation, outcome]) },
  });
  return { spApi, amazon, calls, buckets };
}

const order = {
  AmazonOrderId: '113-0000001-4000001',
  PurchaseDate: '2026-11-27T10:00:00Z',
  LastUpdateDate: '2026-11-27T10:05:00Z',
  OrderStatus: 'Unshipped',
  OrderTotal: { CurrencyCode: 'USD', Amount: '19.99' },
};
const quotaExceeded = { errors: [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }] };
const unauthorized = { errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }] };

describe('SpApiClient', () => {
  it('sends the LWA token in x-amz-access-token, reuses it, and reads {payload} pages', async () => {
    const { spApi, amazon } = client([
      { body: { payload: { Orders: [order], NextToken: 'page-2', LastUpdatedBefore: '2026-11-27T10:10:00Z' } } },
      { body: { payload: { Orders: [] } } },
    ]);
    const query = { marketplaceIds: ['ATVPDKIKX0DER'], lastUpdatedAfter: new Date('2026-11-27T09:00:00Z') };
    const first = await spApi.getOrders(query);
    expect(first).toEqual({ orders: [order], nextToken: 'page-2', lastUpdatedBefore: '2026-11-27T10:10:00Z' });
    await spApi.getOrders(query, 'page-2');
    expect(amazon.tokensIssued()).toBe(1);
    expect(amazon.requests.map((request) => request.headers['x-amz-access-token'])).toEqual(['Atza|token-1', 'Atza|token-1']);
    expect(new URL(amazon.requests[0].url).searchParams.get('LastUpdatedAfter')).toBe('2026-11-27T09:00:00.000Z');
    expect(new URL(amazon.requests[1].url).searchParams.get('NextToken')).toBe('page-2');
    expect(new URL(amazon.requests[0].url).searchParams.has('LastUpdatedBefore')).toBe(false);
  });

  it('bounds getOrders with LastUpdatedBefore when asked to, and not its NextToken pages (the token carries the filters)', async () => {
    const { spApi, amazon } = client([{ body: { payload: { Orders: [], NextToken: 'page-2' } } }, { body: { payload: { Orders: [] } } }]);
    const query = {
      marketplaceIds: ['ATVPDKIKX0DER'],
      lastUpdatedAfter: new Date('2026-11-27T09:00:00Z'),
      lastUpdatedBefore: new Date('2026-11-27T09:55:00.250Z'),
    };
    expect((await spApi.getOrders(query)).lastUpdatedBefore).toBeUndefined();
    await spApi.getOrders(query, 'page-2');
    const [first, second] = amazon.requests.map((request) => new URL(request.url).searchParams);
    expect([first.get('LastUpdatedAfter'), first.get('LastUpdatedBefore')]).toEqual([
      '2026-11-27T09:00:00.000Z',
      '2026-11-27T09:55:00.250Z',
    ]);
    expect([...second.keys()].sort()).toEqual(['MarketplaceIds', 'NextToken']);
  });

  it('fetches a fresh token once after a 403 and repeats the call', async () => {
    const { spApi, amazon } = client([{ status: 403, body: unauthorized }, { body: { payload: order } }]);
    expect(await spApi.getOrder(order.AmazonOrderId)).toEqual(order);
    expect(amazon.requests.map((request) => request.headers['x-amz-access-token'])).toEqual(['Atza|token-1', 'Atza|token-2']);
  });

  it('gives up as unauthorized when the fresh token is refused too', async () => {
    const { spApi } = client([
      { status: 403, body: unauthorized },
      { status: 403, body: unauthorized },
    ]);
    await expect(spApi.getOrder(order.AmazonOrderId)).rejects.toMatchObject({
      kind: 'unauthorized',
      status: 403,
      errors: [{ code: 'Unauthorized' }],
    });
  });

  it('retries a 429, having emptied its bucket, and takes the applied rate from x-amzn-RateLimit-Limit', async () => {
    const { spApi, calls, buckets } = client([
      { status: 429, body: quotaExceeded, headers: { 'x-amzn-ratelimit-limit': '40.0' } },
      { body: { payload: order }, headers: { 'x-amzn-ratelimit-limit': '40.0' } },
    ]);
    expect(await spApi.getOrder(order.AmazonOrderId)).toEqual(order);
    expect(calls).toEqual([
      ['getOrder', 'throttled'],
      ['getOrder', 'ok'],
    ]);
    expect(buckets.get('amazon-us', 'getOrder').limit).toEqual({ ratePerSecond: 40, burst: DEFAULT_USAGE_PLANS.getOrder.burst });
  });

  it('retries 5xx and malformed bodies of reads, and types a 400 from its errors envelope', async () => {
    const { spApi, calls } = client([
      { status: 503, body: { errors: [{ code: 'ServiceUnavailable', message: 'down', details: '' }] } },
      { body: '{"payload": {"Amaz' },
      { body: { payload: order } },
      { status: 400, body: { errors: [{ code: 'InvalidInput', message: 'Invalid Input', details: '' }] } },
    ]);
    expect(await spApi.getOrder(order.AmazonOrderId)).toEqual(order);
    expect(calls.map(([, outcome]) => outcome)).toEqual(['server_error', 'malformed_response', 'ok']);
    const failure = await spApi.getOrder(order.AmazonOrderId).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SpApiError);
    expect(failure).toMatchObject({
      kind: 'invalid_input',
      retryable: false,
      errors: [{ code: 'InvalidInput', message: 'Invalid Input' }],
    });
  });

  it('does not repeat a confirmShipment after a 500 (it may have applied) but does after a 429', async () => {
    const input = {
      marketplaceId: 'ATVPDKIKX0DER',
      packageReferenceId: 'SHIP-1',
      carrierCode: 'UPS',
      trackingNumber: '1Z999',
      shipDate: new Date('2026-11-27T09:00:00Z'),
      orderItems: [{ orderItemId: '1', quantity: 1 }],
    };
    const failing = client([{ status: 500, body: { errors: [{ code: 'InternalFailure', message: 'x', details: '' }] } }]);
    await expect(failing.spApi.confirmShipment(order.AmazonOrderId, input)).rejects.toMatchObject({ kind: 'server_error' });
    expect(failing.amazon.requests).toHaveLength(1);

    const throttled = client([{ status: 429, body: quotaExceeded }, { status: 204 }]);
    await throttled.spApi.confirmShipment(order.AmazonOrderId, input);
    expect(throttled.amazon.requests).toHaveLength(2);
    expect(JSON.parse(throttled.amazon.requests[1].body as string)).toEqual({
      marketplaceId: 'ATVPDKIKX0DER',
      packageDetail: {
        packageReferenceId: 'SHIP-1',
        carrierCode: 'UPS',
        trackingNumber: '1Z999',
        shipDate: '2026-11-27T09:00:00.000Z',
        orderItems: [{ orderItemId: '1', quantity: 1 }],
      },
    });
  });

  it('refuses an order without the fields it relies on as a malformed answer', async () => {
    const { spApi } = client([{ body: { payload: { ...order, OrderStatus: 'Lost' } } }]);
    await expect(spApi.getOrder(order.AmazonOrderId)).rejects.toMatchObject({ kind: 'malformed_response' });
  });

  it('reads order items across pages', async () => {
    const item = (id: string) => ({ OrderItemId: id, QuantityOrdered: 1, SellerSKU: `SKU-${id}` });
    const { spApi } = client([
      { body: { payload: { OrderItems: [item('1'), item('2')], NextToken: 'more' } } },
      { body: { payload: { OrderItems: [item('3')] } } },
    ]);
    expect((await spApi.getOrderItems(order.AmazonOrderId)).map((entry) => entry.OrderItemId)).toEqual(['1', '2', '3']);
  });
});

describe('SpApiClient and Restricted Data Tokens', () => {
  const rdt = (value: string) => ({ body: { restrictedDataToken: value, expiresIn: 3600 } });
  const address = {
    Name: 'Ada Lovelace',
    AddressLine1: '12 Analytical Way',
    City: 'SEATTLE',
    StateOrRegion: 'WA',
    PostalCode: '98101',
    CountryCode: 'US',
    Phone: '+1 206-555-0100',
  };
  const fast = { 'x-amzn-ratelimit-limit': '50.0' };

  it('reads order addresses with one RDT for the generic address path, asked for with the LWA token', async () => {
    const { spApi, amazon } = client([
      rdt('Atz.sprdt|rdt-1'),
      { body: { payload: { AmazonOrderId: order.AmazonOrderId, ShippingAddress: address } } },
      { body: { payload: { AmazonOrderId: '113-0000002-4000002', ShippingAddress: address } } },
    ]);
    expect(await spApi.getOrderAddress(order.AmazonOrderId)).toEqual({ AmazonOrderId: order.AmazonOrderId, ShippingAddress: address });
    await spApi.getOrderAddress('113-0000002-4000002');
    const [create, first, second] = amazon.requests;
    expect([create.method, new URL(create.url).pathname, create.headers['x-amz-access-token']]).toEqual([
      'POST',
      '/tokens/2021-03-01/restrictedDataToken',
      'Atza|token-1',
    ]);
    expect(JSON.parse(create.body as string)).toEqual({
      restrictedResources: [{ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }],
    });
    expect([first, second].map((request) => [new URL(request.url).pathname, request.headers['x-amz-access-token']])).toEqual([
      [`/orders/v0/orders/${order.AmazonOrderId}/address`, 'Atz.sprdt|rdt-1'],
      ['/orders/v0/orders/113-0000002-4000002/address', 'Atz.sprdt|rdt-1'],
    ]);
    expect(spApi.restrictedDataTokensFetched).toBe(1);
  });

  it('retries a 429 of createRestrictedDataToken and of getOrderAddress, and renews the RDT after a 403', async () => {
    const { spApi, amazon, calls } = client([
      { status: 429, body: quotaExceeded, headers: fast },
      { ...rdt('Atz.sprdt|rdt-1'), headers: fast },
      { status: 429, body: quotaExceeded, headers: fast },
      { status: 403, body: unauthorized },
      { ...rdt('Atz.sprdt|rdt-2'), headers: fast },
      { body: { payload: { AmazonOrderId: order.AmazonOrderId, ShippingAddress: address } } },
    ]);
    expect((await spApi.getOrderAddress(order.AmazonOrderId))?.ShippingAddress).toEqual(address);
    expect(calls).toEqual([
      ['createRestrictedDataToken', 'throttled'],
      ['createRestrictedDataToken', 'ok'],
      ['getOrderAddress', 'throttled'],
      ['createRestrictedDataToken', 'ok'],
      ['getOrderAddress', 'ok'],
    ]);
    expect(amazon.requests.at(-1)?.headers['x-amz-access-token']).toBe('Atz.sprdt|rdt-2');
    expect(amazon.tokensIssued()).toBe(1);
    expect(spApi.restrictedDataTokensFetched).toBe(2);
  });

  it('keeps the PII of a broken address answer out of the error', async () => {
    const truncated = `{"payload":{"AmazonOrderId":"${order.AmazonOrderId}","ShippingAddress":{"Name":"Ada Lovelace","AddressLine1":"12 Anal`;
    const broken = client([rdt('Atz.sprdt|rdt-1'), { body: truncated }, { body: truncated }, { body: truncated }]);
    const failure = (await broken.spApi.getOrderAddress(order.AmazonOrderId).catch((error: unknown) => error)) as SpApiError;
    expect(failure).toMatchObject({ kind: 'malformed_response' });
    expect(failure.message).not.toMatch(/Lovelace|Analytical/);

    const mistyped = client([
      rdt('Atz.sprdt|rdt-1'),
      { body: { payload: { AmazonOrderId: order.AmazonOrderId, ShippingAddress: { ...address, Name: ['Ada Lovelace'] } } } },
    ]);
    const shape = (await mistyped.spApi.getOrderAddress(order.AmazonOrderId).catch((error: unknown) => error)) as SpApiError;
    expect(shape.message).toContain('malformed Name');
    expect(shape.message).not.toContain('Lovelace');

    const missing = client([
      rdt('Atz.sprdt|rdt-1'),
      { status: 404, body: { errors: [{ code: 'NotFound', message: 'no order', details: '' }] } },
    ]);
    expect(await missing.spApi.getOrderAddress('999-0000000-0000000')).toBeUndefined();
  });

  it('refuses a createRestrictedDataToken answer without token or lifetime', async () => {
    const { spApi } = client([{ body: { expiresIn: 3600 } }]);
    await expect(spApi.createRestrictedDataToken([{ method: 'GET', path: '/orders/v0/orders/{orderId}/address' }])).rejects.toMatchObject({
      kind: 'malformed_response',
    });
  });
});

describe('amazonMoneyToMoney', () => {
  it('turns string amounts into exact minor units', () => {
    expect(amazonMoneyToMoney({ CurrencyCode: 'USD', Amount: '19.99' })).toEqual({ amountMinor: 1999, currency: 'USD' });
    expect(amazonMoneyToMoney({ CurrencyCode: 'JPY', Amount: '1500' })).toEqual({ amountMinor: 1500, currency: 'JPY' });
    expect(amazonMoneyToMoney({ CurrencyCode: 'USD', Amount: '0.1' })).toEqual({ amountMinor: 10, currency: 'USD' });
    expect(() => amazonMoneyToMoney({ CurrencyCode: 'USD', Amount: '1.005' })).toThrow(/more decimal places/);
  });
});
