import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headerValue, jsonResponse } from './http-types.js';
import { Router } from './router.js';
import { SandboxAdminClient } from './sandbox-admin-client.js';
import { startSandboxServer, type RunningSandbox } from './sandbox-server.js';

// A minimal sandbox: one counter with an effect (POST) and a read (GET).
let counter = 0;
let clock = 1_000_000;
let sandbox: RunningSandbox;
let admin: SandboxAdminClient;

const router = new Router()
  .add('POST', '/api/counter', () => jsonResponse(200, { counter: ++counter, note: 'incremented by one' }))
  .add('GET', '/api/counter', () => jsonResponse(200, { counter }))
  .add('GET', '/api/items/:id', (request) => jsonResponse(200, { id: request.params.id }));

beforeAll(async () => {
  sandbox = await startSandboxServer(
    {
      name: 'test',
      router,
      reset: () => {
        counter = 0;
      },
      describeOperations: (request) => [headerValue(request, 'x-operation') ?? ''],
      rateLimitResponse: (rule) =>
        jsonResponse(rule.status ?? 429, { error: 'slow down' }, { 'retry-after': String(rule.retryAfterSeconds ?? 1) }),
      serverErrorResponse: (status) => jsonResponse(status, { error: 'boom' }),
      notFoundResponse: () => jsonResponse(404, { error: 'not found' }),
    },
    { port: 0, now: () => clock },
  );
  admin = new SandboxAdminClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await admin.reset();
});

const post = (headers: Record<string, string> = {}) =>
  fetch(`${sandbox.url}/api/counter`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"by":1}' });

describe('sandbox server', () => {
  it('serves the routes, the health check and JSON 404s', async () => {
    expect(await (await post()).json()).toEqual({ counter: 1, note: 'incremented by one' });
    expect(await (await fetch(`${sandbox.url}/api/items/a%2Fb`)).json()).toEqual({ id: 'a/b' });
    const missing = await fetch(`${sandbox.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not found' });
    expect(await admin.health()).toEqual({ status: 'ok', sandbox: 'test' });
  });

  it('reset clears state, faults and the request log', async () => {
    await post();
    await admin.setFaults({ type: 'drop' });
    await admin.reset();
    expect(counter).toBe(0);
    expect(await admin.faults()).toEqual([]);
    expect(await admin.requests()).toEqual([]);
  });

  it('rejects an invalid fault rule with 400 and clears faults on an empty body', async () => {
    const invalid = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: '{"type":"explode"}' });
    expect(invalid.status).toBe(400);
    await admin.setFaults([{ type: 'serverError', count: 5 }]);
    await admin.clearFaults();
    expect((await post()).status).toBe(200);
  });
});

describe('faults', () => {
  it('latency delays the answer but the request still succeeds', async () => {
    await admin.setFaults({ type: 'latency', ms: 25, count: 1 });
    expect((await post()).status).toBe(200);
    expect((await admin.faults())[0]).toMatchObject({ fired: 1, remaining: 0 });
  });

  it('a 429 storm by count answers the sandbox’s rate-limit response with Retry-After, then recovers', async () => {
    await admin.setFaults({ type: 'rateLimit', count: 2, retryAfterSeconds: 3 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await post();
      statuses.push([response.status, response.headers.get('retry-after')]);
    }
    expect(statuses).toEqual([
      [429, '3'],
      [429, '3'],
      [200, null],
    ]);
    expect(counter).toBe(1);
  });

  it('a 429 storm by duration lasts until the clock passes it', async () => {
    await admin.setFaults({ type: 'rateLimit', durationMs: 2_000 });
    expect((await post()).status).toBe(429);
    clock += 2_000;
    expect((await post()).status).toBe(200);
  });

  it('5xx with a status and a count, after skipping the first request', async () => {
    await admin.setFaults({ type: 'serverError', status: 503, skip: 1, count: 1 });
    expect([(await post()).status, (await post()).status, (await post()).status]).toEqual([200, 503, 200]);
  });

  it('timeout never answers: the client gives up, and nothing happened', async () => {
    await admin.setFaults({ type: 'timeout', count: 1 });
    const attempt = fetch(`${sandbox.url}/api/counter`, { method: 'POST', signal: AbortSignal.timeout(150) });
    await expect(attempt).rejects.toThrow();
    expect(counter).toBe(0);
  });

  it('timeout with closeAfterMs cuts the connection; afterEffect lets the effect happen first', async () => {
    await admin.setFaults({ type: 'timeout', closeAfterMs: 20, afterEffect: true, count: 1 });
    await expect(post()).rejects.toThrow();
    expect(counter).toBe(1);
    const logged = await admin.requests({ path: '/api/counter' });
    expect(logged.at(-1)).toMatchObject({ status: null, fault: 'timeout' });
  });

  it('malformed answers 200 with truncated JSON after processing the request', async () => {
    await admin.setFaults({ type: 'malformed', count: 1 });
    const response = await post();
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text.startsWith('{"counter":1')).toBe(true);
    expect(counter).toBe(1);
  });

  it('drop destroys the socket, before the effect by default and after it with afterEffect', async () => {
    await admin.setFaults({ type: 'drop', count: 1 });
    await expect(post()).rejects.toThrow();
    expect(counter).toBe(0);
    await admin.setFaults({ type: 'drop', count: 1, afterEffect: true });
    await expect(post()).rejects.toThrow();
    expect(counter).toBe(1);
  });

  it('faults scoped to an operation leave other operations alone', async () => {
    await admin.setFaults({ type: 'serverError', operation: 'setQuantities', count: 1 });
    expect((await post({ 'x-operation': 'readLevels' })).status).toBe(200);
    expect((await post({ 'x-operation': 'setQuantities' })).status).toBe(500);
  });
});

describe('request log', () => {
  it('records method, path, query, a headers subset, the parsed body, the status and the fault, newest last', async () => {
    await admin.setFaults({ type: 'serverError', count: 1 });
    await post({ 'x-custom': 'yes' });
    await fetch(`${sandbox.url}/api/counter?verbose=1`);
    const [first, second] = await admin.requests();
    expect(first).toMatchObject({ method: 'POST', path: '/api/counter', query: '', body: { by: 1 }, status: 500, fault: 'serverError' });
    expect(first.headers).toMatchObject({ 'x-custom': 'yes', 'content-type': 'application/json' });
    expect(first.headers.host).toBeUndefined();
    expect(second).toMatchObject({ method: 'GET', query: 'verbose=1', body: null, status: 200 });
    expect(second.seq).toBeGreaterThan(first.seq);
  });

  it('filters by path prefix and method, keeps the newest with limit, and never logs admin calls', async () => {
    await post();
    await fetch(`${sandbox.url}/api/items/1`);
    await fetch(`${sandbox.url}/api/items/2`);
    expect((await admin.requests({ path: '/api/items' })).map((entry) => entry.path)).toEqual(['/api/items/1', '/api/items/2']);
    expect((await admin.requests({ limit: 1 })).map((entry) => entry.path)).toEqual(['/api/items/2']);
    expect((await admin.requests({ method: 'post' })).map((entry) => entry.path)).toEqual(['/api/counter']);
    expect((await admin.requests()).some((entry) => entry.path.startsWith('/_sandbox'))).toBe(false);
  });
});
