import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ERP_CLIENT, JWT_BEARER_ASSERTION_TYPE, TOKEN_PATH } from './auth/oauth-tokens.js';
import { startErpSandbox, type ErpSandbox } from './erp-sandbox.js';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';

let erp: ErpSandbox;
let admin: SandboxAdminClient;
let token: string;

const FEED = '/app/site/hosting/restlet.nl?script=customscript_rm_stock_feed&deploy=1';
const SALES_ORDERS = '/services/rest/record/v1/salesOrder';
const SKU = 'TSHIRT-RED-M';
const order = (externalId: string) => ({
  externalId,
  entity: { id: '123' },
  otherRefNum: '#1001',
  item: { items: [{ item: { externalId: SKU }, quantity: 2, rate: 19.99 }] },
});

function assertion(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'PS256', kid: 'cert-1' })}.${part(claims)}.c2lnbmF0dXJl`;
}

async function requestToken(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${erp.url}${TOKEN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

async function basicToken(): Promise<string> {
  const basic = Buffer.from(`${DEFAULT_ERP_CLIENT.clientId}:${DEFAULT_ERP_CLIENT.clientSecret}`).toString('base64');
  const response = await requestToken({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
  return ((await response.json()) as { access_token: string }).access_token;
}

function call(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: string | null } = {},
): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth !== null) headers.authorization = `Bearer ${init.auth ?? token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${erp.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function setStock(changes: unknown): Promise<Response> {
  return fetch(`${erp.url}/_sandbox/stock`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(changes),
  });
}

beforeAll(async () => {
  erp = await startErpSandbox({ port: 0 });
  admin = new SandboxAdminClient(erp.url);
  token = await basicToken();
});

afterAll(async () => {
  await erp.close();
});

beforeEach(async () => {
  await admin.reset();
  await admin.call('POST', '/_sandbox/items', { skus: [SKU] });
});

describe('OAuth 2.0 client credentials', () => {
  it('issues a bearer token for a JWT client assertion, with NetSuite’s response fields', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const response = await requestToken({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion({
        iss: DEFAULT_ERP_CLIENT.clientId,
        scope: ['rest_webservices', 'restlets'],
        aud: `https://123456.suitetalk.api.netsuite.com${TOKEN_PATH}`,
        iat: nowSeconds,
        exp: nowSeconds + 3000,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), expires_in: '3600', token_type: 'Bearer' });
    expect((await call(`${SALES_ORDERS}`, { auth: body.access_token as string })).status).toBe(200);
  });

  it.each([
    [{ grant_type: 'authorization_code' }, 400, 'unsupported_grant_type'],
    [{ grant_type: 'client_credentials', client_id: DEFAULT_ERP_CLIENT.clientId, client_secret: 'wrong' }, 401, 'invalid_client'],
    [{ grant_type: 'client_credentials', client_assertion_type: 'bogus', client_assertion: 'x' }, 400, 'invalid_request'],
    [
      {
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
        client_assertion: assertion({ iss: DEFAULT_ERP_CLIENT.clientId, scope: 'restlets', aud: TOKEN_PATH, iat: 1, exp: 2 }),
      },
      400,
      'invalid_grant',
    ],
  ])('refuses %j with %i %s', async (form, status, error) => {
    const response = await requestToken(form);
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error });
  });

  it('answers 401 with NetSuite’s envelope without a valid bearer token, and after revocation', async () => {
    const missing = await call(SALES_ORDERS, { auth: null });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html',
      title: 'Unauthorized',
      status: 401,
      'o:errorDetails': [{ detail: expect.stringContaining('Invalid login attempt.'), 'o:errorCode': 'INVALID_LOGIN' }],
    });
    expect((await call(SALES_ORDERS, { auth: 'not-a-token' })).status).toBe(401);
    const restlet = await call(FEED, { auth: null });
    expect(restlet.status).toBe(401);
    expect(await restlet.json()).toEqual({ error: { code: 'INVALID_LOGIN_ATTEMPT', message: 'Invalid login attempt.' } });

    const revocable = await basicToken();
    await admin.call('POST', '/_sandbox/oauth/revoke-tokens');
    expect((await call(SALES_ORDERS, { auth: revocable })).status).toBe(401);
    token = await basicToken();
    expect((await call(SALES_ORDERS)).status).toBe(200);
  });
});

describe('stock change feed', () => {
  it('appends every PUT /_sandbox/stock change and pages through the feed with after/limit', async () => {
    expect((await setStock({ sku: 'TSHIRT-RED-M', location: 'WH-EAST', onHand: 17 })).status).toBe(200);
    const bulk = await setStock([
      { sku: 'TSHIRT-RED-M', location: 'WH-WEST', onHand: 4 },
      { sku: 'MUG-BLUE', location: 'WH-EAST', onHand: 0 },
    ]);
    expect(((await bulk.json()) as { changes: unknown[] }).changes).toHaveLength(2);

    const first = (await (await call(`${FEED}&limit=2`)).json()) as {
      items: Array<Record<string, unknown>>;
      hasMore: boolean;
      nextCursor: string;
    };
    expect(first.items).toEqual([
      { id: 1, type: 'stockChange', item: 'TSHIRT-RED-M', location: 'WH-EAST', quantityOnHand: 17, lastModified: expect.any(String) },
      { id: 2, type: 'stockChange', item: 'TSHIRT-RED-M', location: 'WH-WEST', quantityOnHand: 4, lastModified: expect.any(String) },
    ]);
    expect(first).toMatchObject({ hasMore: true, nextCursor: '2' });
    const second = await (await call(`${FEED}&after=${first.nextCursor}&limit=2`)).json();
    expect(second).toEqual({
      items: [expect.objectContaining({ id: 3, item: 'MUG-BLUE', quantityOnHand: 0 })],
      hasMore: false,
      nextCursor: '3',
    });
    const empty = await (await call(`${FEED}&after=3`)).json();
    expect(empty).toEqual({ items: [], hasMore: false, nextCursor: '3' });
  });

  it('keeps the latest position per SKU x location', async () => {
    await setStock({ sku: 'A-1', location: 'WH', onHand: 5 });
    await setStock({ sku: 'A-1', location: 'WH', onHand: 3 });
    const { positions } = (await admin.call('GET', '/_sandbox/stock?sku=A-1')) as { positions: unknown[] };
    expect(positions).toEqual([{ sku: 'A-1', location: 'WH', onHand: 3, lastModified: expect.any(String), feedId: 2 }]);
  });

  it('rejects invalid admin changes without applying any of a bulk', async () => {
    const response = await setStock([
      { sku: 'OK', location: 'WH', onHand: 1 },
      { sku: 'BAD', location: 'WH', onHand: -1 },
    ]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'change 1: onHand must be a non-negative integer' });
    expect(((await admin.call('GET', '/_sandbox/stock')) as { positions: unknown[] }).positions).toEqual([]);
  });

  it('serves raw (malformed) records as they were appended, giving id-less objects the next sequence number', async () => {
    await setStock({ sku: 'A-1', location: 'WH', onHand: 5 });
    await admin.call('POST', '/_sandbox/stock-feed/raw', { item: 'A-1', location: 'WH', quantityOnHand: '3' });
    await admin.call('POST', '/_sandbox/stock-feed/raw', 'garbage');
    const page = (await (await call(FEED)).json()) as { items: unknown[]; nextCursor: string };
    expect(page.items.slice(1)).toEqual([{ id: 2, item: 'A-1', location: 'WH', quantityOnHand: '3' }, 'garbage']);
    expect(page.nextCursor).toBe('3');
  });

  it('answers RESTlet errors in SuiteScript’s shape', async () => {
    const unknownScript = await call('/app/site/hosting/restlet.nl?script=customscript_other&deploy=1');
    expect(unknownScript.status).toBe(400);
    expect(await unknownScript.json()).toEqual({
      error: { code: 'SSS_INVALID_SCRIPTLET_ID', message: 'That Suitelet is invalid, disabled, or no longer exists.' },
    });
    const badCursor = await call(`${FEED}&after=abc`);
    expect(badCursor.status).toBe(400);
    expect(await badCursor.json()).toMatchObject({ error: { code: 'INVALID_PARAMETER' } });
  });
});

describe('sales orders', () => {
  it('creates with 204 + Location, reads the record back and finds it by externalId', async () => {
    const created = await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1001') });
    expect(created.status).toBe(204);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${erp.url}${SALES_ORDERS}/\\d+$`));

    const record = (await (await call(new URL(location).pathname)).json()) as Record<string, unknown>;
    expect(record).toMatchObject({
      externalId: 'SHOPIFY-1001',
      entity: { id: '123' },
      otherRefNum: '#1001',
      tranId: expect.stringMatching(/^SO\d+$/),
    });
    expect(record.item).toEqual({ links: [{ rel: 'self', href: `${location}/item` }] });
    const expanded = (await (await call(`${new URL(location).pathname}?expandSubResources=true`)).json()) as Record<string, unknown>;
    const item = (await admin.call<{ items: Array<{ id: string }> }>('GET', '/_sandbox/items')).items[0];
    expect(expanded).toMatchObject({
      orderStatus: { id: 'B', refName: 'Pending Fulfillment' },
      item: {
        items: [{ line: 1, item: { id: item.id, refName: SKU }, quantity: 2, rate: 19.99, quantityFulfilled: 0, isClosed: false }],
      },
    });
    const byEid = (await (await call(`${SALES_ORDERS}/eid:SHOPIFY-1001`)).json()) as Record<string, unknown>;
    expect(byEid.id).toBe(record.id);

    const query = await call(`${SALES_ORDERS}?q=${encodeURIComponent('externalId IS "SHOPIFY-1001"')}`);
    expect(await query.json()).toEqual({
      links: [{ rel: 'self', href: `${erp.url}${SALES_ORDERS}?q=externalId+IS+%22SHOPIFY-1001%22&limit=1000&offset=0` }],
      count: 1,
      hasMore: false,
      items: [{ links: [{ rel: 'self', href: location }], id: record.id }],
      offset: 0,
      totalResults: 1,
    });
    const none = (await (await call(`${SALES_ORDERS}?q=${encodeURIComponent('externalId IS "NOPE"')}`)).json()) as { count: number };
    expect(none.count).toBe(0);
  });

  it('answers a repeated idempotency key with 400 Conflict pointing at the first result, and creates nothing more', async () => {
    const headers = { 'x-netsuite-idempotency-key': 'cac827ea-3543-4cda-add2-bae634326c27' };
    const first = await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1002'), headers });
    const repeat = await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1002'), headers });
    expect(repeat.status).toBe(400);
    expect(repeat.headers.get('location')).toBe(first.headers.get('location'));
    expect(await repeat.json()).toEqual({
      type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10',
      title: 'Conflict',
      status: 400,
      'o:errorDetails': [{ detail: expect.stringContaining('same idempotency key'), 'o:errorCode': 'IDEMPOTENCY_ERROR' }],
    });
    const { salesOrders } = (await admin.call('GET', '/_sandbox/sales-orders')) as { salesOrders: Array<Record<string, unknown>> };
    expect(salesOrders).toEqual([
      expect.objectContaining({ externalId: 'SHOPIFY-1002', idempotencyKeys: [headers['x-netsuite-idempotency-key']], writeCount: 1 }),
    ]);
  });

  it('refuses a second record with the same externalId but upserts through eid:', async () => {
    await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1003') });
    const duplicate = await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1003') });
    expect(duplicate.status).toBe(400);
    expect(await duplicate.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'DUP_RCRD' }] });

    const created = await call(`${SALES_ORDERS}/eid:SHOPIFY-1004`, { method: 'PUT', body: order('ignored') });
    expect(created.status).toBe(204);
    const updated = await call(`${SALES_ORDERS}/eid:SHOPIFY-1004`, { method: 'PUT', body: { memo: 'updated' } });
    expect(updated.headers.get('location')).toBe(created.headers.get('location'));
    const { salesOrders } = (await admin.call('GET', '/_sandbox/sales-orders?externalId=SHOPIFY-1004')) as {
      salesOrders: Array<Record<string, unknown>>;
    };
    expect(salesOrders).toEqual([
      expect.objectContaining({ writeCount: 2, fields: expect.objectContaining({ memo: 'updated', entity: { id: '123' } }) }),
    ]);
    const badEid = await call(`${SALES_ORDERS}/eid:${encodeURIComponent('gid://shopify/Order/1')}`, { method: 'PUT', body: order('x') });
    expect(badEid.status).toBe(400);
    expect(await badEid.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'externalId' }] });
  });

  it('in mode "none" ignores idempotency keys and creates duplicates', async () => {
    await admin.call('POST', '/_sandbox/mode', { idempotency: 'none' });
    const headers = { 'x-netsuite-idempotency-key': 'same-key' };
    expect((await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1005'), headers })).status).toBe(204);
    expect((await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-1005'), headers })).status).toBe(204);
    const { salesOrders } = (await admin.call('GET', '/_sandbox/sales-orders')) as { salesOrders: unknown[] };
    expect(salesOrders).toHaveLength(2);
    expect(await admin.call('GET', '/_sandbox/mode')).toEqual({ idempotency: 'none', integrationChanges: 'filtered' });
  });

  it('answers validation, malformed-body and unknown-record errors in NetSuite’s envelope', async () => {
    const noCustomer = await call(SALES_ORDERS, {
      method: 'POST',
      body: { item: { items: [{ item: { externalId: SKU }, quantity: 1 }] } },
    });
    expect(noCustomer.status).toBe(400);
    expect(await noCustomer.json()).toMatchObject({
      title: 'Bad Request',
      'o:errorDetails': [
        {
          'o:errorCode': 'USER_ERROR',
          'o:errorPath': 'entity',
          detail: 'Error while accessing resource: Please enter value(s) for: Customer',
        },
      ],
    });
    const malformed = await fetch(`${erp.url}${SALES_ORDERS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: '{"entity":',
    });
    expect(await malformed.json()).toMatchObject({ status: 400, 'o:errorDetails': [{ 'o:errorCode': 'INVALID_CONTENT' }] });
    const missing = await call(`${SALES_ORDERS}/999999`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'NONEXISTENT_ID' }] });
  });
});

describe('credit memos and journals', () => {
  it('accepts them like sales orders and lists them for inspection', async () => {
    const memo = { externalId: 'RMA-1', entity: { id: '123' }, item: { items: [{ item: { externalId: SKU }, quantity: 1, rate: 19.99 }] } };
    expect((await call('/services/rest/record/v1/creditMemo', { method: 'POST', body: memo })).status).toBe(204);
    const unbalanced = {
      line: {
        items: [
          { account: { id: '4000' }, debit: 10 },
          { account: { id: '1200' }, credit: 9.99 },
        ],
      },
    };
    const refused = await call('/services/rest/record/v1/journalEntry', { method: 'POST', body: unbalanced });
    expect(await refused.json()).toMatchObject({
      'o:errorDetails': [{ detail: 'Error while accessing resource: The transaction is not in balance.' }],
    });
    const balanced = {
      externalId: 'SETTLEMENT-9',
      line: {
        items: [
          { account: { id: '4000' }, debit: 10.1 },
          { account: { id: '1200' }, credit: 10.1 },
        ],
      },
    };
    expect((await call('/services/rest/record/v1/journalEntry', { method: 'POST', body: balanced })).status).toBe(204);

    expect(await admin.call('GET', '/_sandbox/credit-memos')).toMatchObject({
      creditMemos: [{ externalId: 'RMA-1', tranId: expect.stringMatching(/^CM/) }],
    });
    expect(await admin.call('GET', '/_sandbox/journals')).toMatchObject({
      journals: [{ externalId: 'SETTLEMENT-9', tranId: expect.stringMatching(/^JE/) }],
    });
  });
});

describe('faults and request log', () => {
  it('a 429 storm answers NetSuite’s envelope on the record API and the SuiteScript error on the RESTlet', async () => {
    await admin.setFaults([
      { type: 'rateLimit', path: SALES_ORDERS, count: 1, retryAfterSeconds: 2 },
      { type: 'rateLimit', path: '/app/site/hosting/restlet.nl', count: 1 },
    ]);
    const record = await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-2000') });
    expect(record.status).toBe(429);
    expect(record.headers.get('retry-after')).toBe('2');
    expect(await record.json()).toMatchObject({
      title: 'Too Many Requests',
      status: 429,
      'o:errorDetails': [{ 'o:errorCode': 'CONCURRENCY_LIMIT_EXCEEDED' }],
    });
    const restlet = await call(FEED);
    expect(restlet.status).toBe(429);
    expect(await restlet.json()).toMatchObject({ error: { code: 'SSS_REQUEST_LIMIT_EXCEEDED' } });
    expect((await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-2000') })).status).toBe(204);
  });

  it('5xx faults use the envelope; a drop after the effect leaves the order created for a retry to find', async () => {
    await admin.setFaults({ type: 'serverError', status: 503, count: 1 });
    const unavailable = await call(SALES_ORDERS);
    expect(unavailable.status).toBe(503);
    expect(await unavailable.json()).toMatchObject({
      title: 'Service Unavailable',
      'o:errorDetails': [{ 'o:errorCode': 'UNEXPECTED_ERROR' }],
    });

    await admin.setFaults({ type: 'drop', method: 'POST', afterEffect: true, count: 1 });
    await expect(call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-3000') })).rejects.toThrow();
    const found = (await (await call(`${SALES_ORDERS}?q=${encodeURIComponent('externalId IS "SHOPIFY-3000"')}`)).json()) as {
      count: number;
    };
    expect(found.count).toBe(1);
  });

  it('logs what it received, including the idempotency header', async () => {
    await call(SALES_ORDERS, { method: 'POST', body: order('SHOPIFY-4000'), headers: { 'x-netsuite-idempotency-key': 'k-1' } });
    const [logged] = await admin.requests({ path: SALES_ORDERS, method: 'POST' });
    expect(logged).toMatchObject({ status: 204, body: order('SHOPIFY-4000'), headers: { 'x-netsuite-idempotency-key': 'k-1' } });
  });
});
