import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_BODY_LIMIT_BYTES, webhookRoute, type WebhookAnswer } from './webhook-http.js';

interface Received {
  parameter: string;
  topic: string | undefined;
  body: string;
}

describe('webhookRoute', () => {
  const received: Received[] = [];
  const errors: unknown[] = [];
  const answered: Array<{ parameter: string; seconds: number }> = [];
  let answer: () => Promise<WebhookAnswer> = async () => ({ status: 200, body: { received: true } });
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const route = webhookRoute({
      prefix: '/webhooks/shop',
      receive: async (parameter, request, rawBody) => {
        received.push({ parameter, topic: request.headers['x-topic'] as string | undefined, body: rawBody.toString('utf8') });
        return answer();
      },
      onError: (error) => errors.push(error),
      onAnswered: (parameter, seconds) => answered.push({ parameter, seconds }),
    });
    // What comes after the route in the service: the rest of the app.
    server = createServer((request, response) =>
      route(request, response, () => {
        response.writeHead(418);
        response.end('the app');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('hands the path parameter, the headers and the exact bytes of the body to receive, and answers with its JSON', async () => {
    const body = '{ "id": 1,  "note": "spaces kept" }';
    const response = await fetch(`${baseUrl}/webhooks/shop/acme%2Feu?ignored=1`, {
      method: 'POST',
      headers: { 'x-topic': 'orders/create' },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ received: true });
    expect(received.at(-1)).toEqual({ parameter: 'acme/eu', topic: 'orders/create', body });
    expect(answered.at(-1)).toEqual({ parameter: 'acme/eu', seconds: expect.any(Number) });
    expect(answered.at(-1)!.seconds).toBeGreaterThan(0);
  });

  it('answers with the status receive chose', async () => {
    answer = async () => ({ status: 401, body: { error: 'bad signature' } });
    const response = await fetch(`${baseUrl}/webhooks/shop/acme`, { method: 'POST', body: '{}' });
    answer = async () => ({ status: 200, body: { received: true } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'bad signature' });
  });

  it('leaves other paths to the rest of the app', async () => {
    const before = received.length;
    for (const path of ['/webhooks/shopify/acme', '/webhooks/shop', '/metrics']) {
      const response = await fetch(`${baseUrl}${path}`, { method: 'POST', body: '{}' });
      expect(response.status, path).toBe(418);
    }
    expect(received.length).toBe(before);
  });

  it('refuses other methods with 405 and a path that is not URL encoding with 400, without calling receive', async () => {
    const before = received.length;
    const get = await fetch(`${baseUrl}/webhooks/shop/acme`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const badEncoding = await fetch(`${baseUrl}/webhooks/shop/%E0%A4%A`, { method: 'POST', body: '{}' });
    expect(badEncoding.status).toBe(400);
    expect(((await badEncoding.json()) as { error: string }).error).toContain('URL encoding');
    expect(received.length).toBe(before);
  });

  it('refuses a body over the limit with 413, whether its length is declared or not', async () => {
    const before = received.length;
    const declared = await fetch(`${baseUrl}/webhooks/shop/acme`, { method: 'POST', body: 'x'.repeat(WEBHOOK_BODY_LIMIT_BYTES + 1) });
    expect(declared.status).toBe(413);
    const chunkedStatus = await new Promise<number>((resolve, reject) => {
      // Chunked: no Content-Length, so the limit is found while reading.
      const request = httpRequest(`${baseUrl}/webhooks/shop/acme`, { method: 'POST' }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 'x');
      for (let sent = 0; sent <= WEBHOOK_BODY_LIMIT_BYTES; sent += chunk.length) request.write(chunk);
      request.end();
    });
    expect(chunkedStatus).toBe(413);
    expect(received.length).toBe(before);
  });

  it('answers 500 when receive fails (the sender retries) and reports the error', async () => {
    answer = async () => {
      throw new Error('database unavailable');
    };
    const response = await fetch(`${baseUrl}/webhooks/shop/acme`, { method: 'POST', body: '{}' });
    answer = async () => ({ status: 200, body: { received: true } });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toContain('safe to send it again');
    expect(errors).toEqual([new Error('database unavailable')]);
    expect(answered.at(-1)).toMatchObject({ parameter: 'acme' });
  });
});
