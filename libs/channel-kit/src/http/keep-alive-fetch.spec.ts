// keepAliveFetch against a real HTTP server on a loopback port: what a client sees of the answer,
// one connection for consecutive calls, and failures the retry layer must take as transient.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransientError } from '../retry/retry-with-backoff.js';
import { createKeepAliveFetch } from './keep-alive-fetch.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  remotePort: number;
}

describe('keepAliveFetch', () => {
  const seen: Seen[] = [];
  let server: http.Server;
  let base: string;
  const fetchFn = createKeepAliveFetch({ maxSockets: 4 });

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method!,
          url: request.url!,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
          remotePort: request.socket.remotePort!,
        });
        if (request.url === '/json') {
          response.writeHead(201, [
            ['content-type', 'application/json'],
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ]);
          response.end(JSON.stringify({ ok: true }));
        } else if (request.url === '/empty') {
          response.writeHead(204, { location: '/record/5001' });
          response.end();
        } else if (request.url === '/never') {
          // No answer: the caller's timeout ends it.
        } else if (request.url === '/cut') {
          response.writeHead(200, { 'content-length': '100' });
          response.write('{"partial":');
          response.socket?.destroy();
        } else {
          response.writeHead(404);
          response.end('not here');
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('sends the method, headers and body, and answers with the status, headers and body', async () => {
    const response = await fetchFn(`${base}/json`, {
      method: 'PUT',
      headers: { authorization: 'Bearer t0k3n', 'content-type': 'application/json' },
      body: JSON.stringify({ externalId: 'rm-1' }),
    });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.url).toBe(`${base}/json`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({
      method: 'PUT',
      url: '/json',
      body: '{"externalId":"rm-1"}',
      headers: { authorization: 'Bearer t0k3n', 'content-type': 'application/json', 'content-length': '21', 'accept-encoding': 'identity' },
    });
  });

  it('answers a 204 with an empty body and a refusal with its status, and sends form bodies typed', async () => {
    const empty = await fetchFn(`${base}/empty`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
    expect(empty.status).toBe(204);
    expect(empty.headers.get('location')).toBe('/record/5001');
    expect(await empty.text()).toBe('');
    expect(seen.at(-1)).toMatchObject({
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    });

    const missing = await fetchFn(`${base}/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.ok).toBe(false);
    expect(await missing.text()).toBe('not here');
  });

  it('sends consecutive calls over one kept-alive connection', async () => {
    const before = seen.length;
    for (let call = 0; call < 5; call += 1) await (await fetchFn(`${base}/json`)).text();
    expect(new Set(seen.slice(before).map((request) => request.remotePort)).size).toBe(1);
  });

  it('ends a call at its timeout with a TimeoutError, which the retry layer takes as transient', async () => {
    const error = await fetchFn(`${base}/never`, { signal: AbortSignal.timeout(50) }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(isTransientError(error)).toBe(true);
  });

  it('fails a call whose connection is refused or cut mid-body, as transient', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const refused = await fetchFn(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(isTransientError(refused)).toBe(true);

    const cut = await fetchFn(`${base}/cut`).catch((caught: unknown) => caught);
    expect(cut).toMatchObject({ code: 'ECONNRESET' });
    expect(isTransientError(cut)).toBe(true);
  });

  it('refuses a call already aborted without sending it', async () => {
    const before = seen.length;
    const controller = new AbortController();
    controller.abort(new DOMException('shutting down', 'AbortError'));
    await expect(fetchFn(`${base}/json`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen.length).toBe(before);
  });
});
