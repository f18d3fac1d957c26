import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkShopifyWebhook } from './shopify-webhook.js';

const SECRET = 'shpss_client_secret';
const order = {
  id: 5501000000007,
  admin_graphql_api_id: 'gid://shopify/Order/5501000000007',
  name: '#1007',
  updated_at: '2026-11-27T05:00:00-05:00',
};
// Shopify's bytes, spacing and all: the signature is over them, not over a re-serialisation.
const rawBody = Buffer.from(JSON.stringify(order, null, 1), 'utf8');
const sign = (body: Buffer, secret = SECRET) => createHmac('sha256', secret).update(body).digest('base64');

function headers(overrides: Record<string, string | undefined> = {}) {
  return {
    'x-shopify-topic': 'orders/create',
    'x-shopify-hmac-sha256': sign(rawBody),
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
    'x-shopify-shop-domain': 'b2c-us.myshopify.com',
    ...overrides,
  };
}

describe('checkShopifyWebhook', () => {
  it('accepts a signed order delivery and reads its identity', () => {
    expect(checkShopifyWebhook(headers(), rawBody, [SECRET])).toEqual({
      outcome: 'order',
      webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      topic: 'orders/create',
      eventId: '98880550-7158-44d4-b7cd-2c97c8a091b5',
      order,
      identity: {
        channelOrderId: 'gid://shopify/Order/5501000000007',
        name: '#1007',
        updatedAt: new Date('2026-11-27T10:00:00Z'),
        cancelledAt: null,
      },
    });
  });

  it('accepts the signature of either secret during a rotation', () => {
    expect(checkShopifyWebhook(headers(), rawBody, ['shpss_new', SECRET]).outcome).toBe('order');
  });

  it.each([
    ['no signature', headers({ 'x-shopify-hmac-sha256': undefined }), rawBody],
    ['a signature by another secret', headers({ 'x-shopify-hmac-sha256': sign(rawBody, 'shpss_other') }), rawBody],
    ['a tampered body', headers(), Buffer.from(rawBody.toString('utf8').replace('#1007', '#1008'))],
    ['a re-serialised body', headers(), Buffer.from(JSON.stringify(order))],
  ])('answers 401 for %s', (_case, given, body) => {
    expect(checkShopifyWebhook(given, body, [SECRET])).toEqual({
      outcome: 'rejected',
      status: 401,
      reason: 'X-Shopify-Hmac-Sha256 does not match the body',
    });
  });

  it('answers 401 when the account has no secret, before looking at anything else', () => {
    expect(checkShopifyWebhook(headers(), rawBody, [])).toMatchObject({ outcome: 'rejected', status: 401 });
  });

  it('answers 400 for a signed delivery without webhook id or without an order', () => {
    expect(checkShopifyWebhook(headers({ 'x-shopify-webhook-id': undefined }), rawBody, [SECRET])).toMatchObject({ status: 400 });
    const notJson = Buffer.from('{"id": 1,');
    expect(checkShopifyWebhook(headers({ 'x-shopify-hmac-sha256': sign(notJson) }), notJson, [SECRET])).toMatchObject({
      status: 400,
      reason: expect.stringContaining('not an order'),
    });
    const noId = Buffer.from('{"name":"#1"}');
    expect(checkShopifyWebhook(headers({ 'x-shopify-hmac-sha256': sign(noId) }), noId, [SECRET])).toMatchObject({
      status: 400,
      reason: 'not an order: id must be a positive integer',
    });
    const empty = Buffer.alloc(0);
    expect(checkShopifyWebhook(headers({ 'x-shopify-hmac-sha256': sign(empty) }), empty, [SECRET])).toMatchObject({ status: 400 });
  });

  it('ignores signed deliveries of other topics', () => {
    expect(checkShopifyWebhook(headers({ 'x-shopify-topic': 'products/update' }), rawBody, [SECRET])).toEqual({
      outcome: 'ignored',
      webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      topic: 'products/update',
    });
  });
});
