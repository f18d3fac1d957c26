// What an incoming Shopify webhook is worth, before anything is stored. Pure. The signature is
// checked first, over the raw bytes (X-Shopify-Hmac-Sha256, base64 HMAC-SHA256 keyed with the
// app's client secret, constant-time, any of the secrets during a rotation); only a signed
// delivery is parsed. Order topics carry the order's REST JSON; other topics are acknowledged
// and ignored (a non-2xx answer would only make Shopify retry them).
import { verifyHmacSha256Base64 } from '@retail-mesh/channel-kit';
import { orderIdentity, ShopifyOrderError, type OrderIdentity } from './shopify-order.js';

export const ORDER_WEBHOOK_TOPICS = ['orders/create', 'orders/updated', 'orders/cancelled'] as const;
/** The same topics as GraphQL WebhookSubscriptionTopic values. */
export const ORDER_WEBHOOK_TOPIC_ENUMS = ['ORDERS_CREATE', 'ORDERS_UPDATED', 'ORDERS_CANCELLED'] as const;

export type WebhookHeaders = Record<string, string | string[] | undefined>;

export type WebhookCheck =
  | { outcome: 'order'; webhookId: string; topic: string; eventId: string | null; order: unknown; identity: OrderIdentity }
  | { outcome: 'ignored'; webhookId: string; topic: string }
  | { outcome: 'rejected'; status: 400 | 401; reason: string };

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

export function checkShopifyWebhook(headers: WebhookHeaders, rawBody: Buffer, secrets: readonly string[]): WebhookCheck {
  if (secrets.length === 0) return { outcome: 'rejected', status: 401, reason: 'no client secret is configured for this account' };
  if (!verifyHmacSha256Base64(rawBody, secrets, header(headers, 'x-shopify-hmac-sha256'))) {
    return { outcome: 'rejected', status: 401, reason: 'X-Shopify-Hmac-Sha256 does not match the body' };
  }
  const webhookId = header(headers, 'x-shopify-webhook-id');
  if (!webhookId || webhookId.length > 100)
    return { outcome: 'rejected', status: 400, reason: 'X-Shopify-Webhook-Id is missing or too long' };
  const topic = header(headers, 'x-shopify-topic') ?? '';
  if (!(ORDER_WEBHOOK_TOPICS as readonly string[]).includes(topic)) return { outcome: 'ignored', webhookId, topic };
  let order: unknown;
  try {
    order = JSON.parse(rawBody.toString('utf8'));
    return {
      outcome: 'order',
      webhookId,
      topic,
      eventId: header(headers, 'x-shopify-event-id') ?? null,
      order,
      identity: orderIdentity(order),
    };
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof ShopifyOrderError) {
      return { outcome: 'rejected', status: 400, reason: `not an order: ${error.message}` };
    }
    throw error;
  }
}
