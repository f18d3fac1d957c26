import { HttpStatusError } from '@retail-mesh/channel-kit';
import { describe, expect, it, vi } from 'vitest';
import {
  ERP_TOKEN_PATH,
  ErpHttpClient,
  ErpMalformedResponseError,
  isErpTransientError,
  type ErpHttpClientOptions,
} from './erp-http.client.js';

interface Call {
  url: string;
  authorization: string | undefined;
  method?: string;
  body?: string;
  idempotencyKey?: string;
}

/** A scripted ERP: the token endpoint issues token-1, token-2, …; API answers are taken in order. */
function fakeErp(apiAnswers: Array<() => Response>, tokenLifetimeSeconds = 3600) {
  const calls: Call[] = [];
  let tokens = 0;
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    calls.push({ url, authorization: headers.get('authorization') ?? undefined });
    if (init?.method && init.method !== 'GET' && !url.endsWith(ERP_TOKEN_PATH)) {
      Object.assign(calls.at(-1)!, {
        method: init.method,
        body: init.body as string,
        idempotencyKey: headers.get('x-netsuite-idempotency-key') ?? undefined,
      });
    }
    if (url.endsWith(ERP_TOKEN_PATH)) {
      tokens += 1;
      return Response.json({ access_token: `token-${tokens}`, expires_in: String(tokenLifetimeSeconds), token_type: 'Bearer' });
    }
    const answer = apiAnswers.shift();
    if (!answer) throw new Error(`unexpected call ${url}`);
    return answer();
  }) as typeof fetch;
  return { fetch: fetchImpl, calls, apiCalls: () => calls.filter((call) => !call.url.endsWith(ERP_TOKEN_PATH)) };
}

function client(fetchImpl: typeof fetch, overrides: Partial<ErpHttpClientOptions> = {}): ErpHttpClient {
  return new ErpHttpClient({
    baseUrl: 'http://erp.test',
    clientId: 'id',
    clientSecret: 'secret',
    requestTimeoutMs: 1000,
    maxConcurrentRequests: 10,
    retries: 3,
    baseDelayMs: 1,
    maxDelayMs: 2,
    fetch: fetchImpl,
    ...overrides,
  });
}

const ok = (body: unknown) => () => Response.json(body);

describe('ErpHttpClient', () => {
  it('gets a token with client credentials (HTTP Basic) and sends it as a bearer token', async () => {
    const erp = fakeErp([ok({ a: 1 })]);
    expect(await client(erp.fetch).getJson('/x')).toEqual({ a: 1 });
    expect(erp.calls[0]).toEqual({
      url: `http://erp.test${ERP_TOKEN_PATH}`,
      authorization: `Basic ${Buffer.from('id:secret').toString('base64')}`,
    });
    expect(erp.apiCalls()).toEqual([{ url: 'http://erp.test/x', authorization: 'Bearer token-1' }]);
  });

  it('reuses the token until shortly before it expires', async () => {
    let now = 0;
    const erp = fakeErp([ok({}), ok({}), ok({})], 3600);
    const http = client(erp.fetch, { now: () => now });
    await http.getJson('/a');
    now = 3_000_000; // 50 minutes: still valid
    await http.getJson('/b');
    now = 3_550_000; // inside the last minute: refreshed
    await http.getJson('/c');
    expect(erp.apiCalls().map((call) => call.authorization)).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-2']);
  });

  it('fetches a new token once after a 401 and repeats the request', async () => {
    const erp = fakeErp([() => new Response('{"error":{"code":"INVALID_LOGIN_ATTEMPT"}}', { status: 401 }), ok({ fine: true })]);
    expect(await client(erp.fetch).getJson('/x')).toEqual({ fine: true });
    expect(erp.apiCalls().map((call) => call.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('retries 429, 5xx, the RESTlet concurrency error and truncated bodies, then succeeds', async () => {
    const erp = fakeErp([
      () => new Response('busy', { status: 429, headers: { 'retry-after': '0' } }),
      () => new Response('oops', { status: 503 }),
      () => new Response('{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED"}}', { status: 400 }),
      () => new Response('{"items":[', { status: 200 }),
      ok({ done: true }),
    ]);
    expect(await client(erp.fetch, { retries: 4 }).getJson('/x')).toEqual({ done: true });
  });

  it('gives up after the retries and throws the last error', async () => {
    const erp = fakeErp([() => new Response('', { status: 500 }), () => new Response('', { status: 500 })]);
    await expect(client(erp.fetch, { retries: 1 }).getJson('/x')).rejects.toBeInstanceOf(HttpStatusError);
  });

  it('does not retry a permanent error', async () => {
    const erp = fakeErp([() => new Response('{"error":{"code":"SSS_INVALID_SCRIPTLET_ID"}}', { status: 400 })]);
    await expect(client(erp.fetch).getJson('/x')).rejects.toMatchObject({ status: 400 });
    expect(erp.apiCalls()).toHaveLength(1);
  });
});

describe('ErpHttpClient.request', () => {
  it('sends a JSON body with its headers and reads an empty 204 with its Location', async () => {
    const erp = fakeErp([
      () => new Response(null, { status: 204, headers: { location: 'http://erp.test/services/rest/record/v1/salesOrder/5001' } }),
    ]);
    const response = await client(erp.fetch).request('PUT', '/services/rest/record/v1/salesOrder/eid:x', {
      body: { memo: 'm' },
      headers: { 'x-netsuite-idempotency-key': 'k-1' },
    });
    expect(response).toMatchObject({ status: 204, body: undefined });
    expect(response.headers.get('location')).toBe('http://erp.test/services/rest/record/v1/salesOrder/5001');
    expect(erp.apiCalls()[0]).toMatchObject({ method: 'PUT', body: '{"memo":"m"}', idempotencyKey: 'k-1' });
  });

  it('does not repeat a write given retries 0', async () => {
    const erp = fakeErp([() => new Response('', { status: 503 }), () => new Response(null, { status: 204 })]);
    await expect(client(erp.fetch).request('POST', '/x', { body: {}, retries: 0 })).rejects.toMatchObject({ status: 503 });
    expect(erp.apiCalls()).toHaveLength(1);
  });
});

/** An ERP whose API answers wait until `answerNext` is called (the token endpoint answers at once). */
function heldErp() {
  const sent: string[] = [];
  const held: Array<() => void> = [];
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = String(input);
    if (url.endsWith(ERP_TOKEN_PATH)) return Response.json({ access_token: 'token-1', expires_in: '3600' });
    sent.push(new URL(url).pathname);
    await new Promise<void>((resolve) => held.push(resolve));
    return Response.json({ path: new URL(url).pathname });
  }) as typeof fetch;
  return { fetch: fetchImpl, sent, answerNext: () => held.shift()!() };
}

describe('ErpHttpClient concurrency', () => {
  it('keeps at most maxConcurrentRequests requests out; the others go in arrival order as answers come back', async () => {
    const erp = heldErp();
    const http = client(erp.fetch, { maxConcurrentRequests: 2 });
    const results = ['/a', '/b', '/c', '/d'].map((path) => http.getJson(path));
    await vi.waitFor(() => expect(erp.sent).toEqual(['/a', '/b']));
    expect(http.requestsWaiting).toBe(2);

    erp.answerNext();
    await vi.waitFor(() => expect(erp.sent).toEqual(['/a', '/b', '/c']));
    expect(http.requestsWaiting).toBe(1);
    erp.answerNext();
    await vi.waitFor(() => expect(erp.sent).toHaveLength(4));
    erp.answerNext();
    erp.answerNext();
    expect(await Promise.all(results)).toEqual(['/a', '/b', '/c', '/d'].map((path) => ({ path })));
  });

  it('counts the wait for a place in the attempt timeout: a request that never got one fails as a timeout, unsent', async () => {
    const erp = heldErp();
    const http = client(erp.fetch, { maxConcurrentRequests: 1, requestTimeoutMs: 100 });
    const first = http.getJson('/first');
    await vi.waitFor(() => expect(erp.sent).toEqual(['/first']));

    await expect(http.request('GET', '/second', { retries: 0 })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(erp.sent).toEqual(['/first']);
    expect(http.requestsWaiting).toBe(0);
    // (This fake ERP answers whatever the signal says.)
    erp.answerNext();
    await first;
  });
});

describe('isErpTransientError', () => {
  it.each([
    [new HttpStatusError({ status: 429 }), true],
    [new HttpStatusError({ status: 502 }), true],
    [new HttpStatusError({ status: 400, body: '{"error":{"code":"SSS_REQUEST_LIMIT_EXCEEDED"}}' }), true],
    [new HttpStatusError({ status: 400, body: '{"error":{"code":"INVALID_PARAMETER"}}' }), false],
    [new HttpStatusError({ status: 401 }), false],
    [new ErpMalformedResponseError('truncated'), true],
  ])('%s -> %s', (error, expected) => {
    expect(isErpTransientError(error)).toBe(expected);
  });
});
