import { describe, expect, it } from 'vitest';
import { HttpStatusError } from './http-status.error.js';

describe('HttpStatusError', () => {
  it('carries status, lower-cased headers and body', () => {
    const error = new HttpStatusError({
      status: 429,
      headers: { 'Retry-After': '2.0', 'X-Request-Id': 'r1' },
      body: '{"errors":"Too many"}',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('HttpStatusError');
    expect(error.status).toBe(429);
    expect(error.header('retry-after')).toBe('2.0');
    expect(error.header('X-REQUEST-ID')).toBe('r1');
    expect(error.retryAfterMs()).toBe(2_000);
    expect(error.message).toBe('HTTP 429: {"errors":"Too many"}');
  });

  it('names the request and shortens a long body in the message, keeping the whole body', () => {
    const body = 'x'.repeat(1_000);
    const error = new HttpStatusError({ status: 502, body, method: 'POST', url: 'http://127.0.0.1:7001/admin/api/2026-01/graphql.json' });
    expect(error.message).toMatch(/^HTTP 502 from POST http:\/\/127\.0\.0\.1:7001\/admin\/api\/2026-01\/graphql\.json: x{300}…$/);
    expect(error.body).toHaveLength(1_000);
    expect(error.retryAfterMs()).toBeUndefined();
  });

  it('is built from a fetch Response', async () => {
    const response = new Response('{"errors":"[API] Invalid API key or access token"}', {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
    const error = await HttpStatusError.fromResponse(response, 'POST');
    expect(error.status).toBe(401);
    expect(error.body).toContain('Invalid API key');
    expect(error.header('Content-Type')).toBe('application/json');
    expect(error.method).toBe('POST');
  });
});
