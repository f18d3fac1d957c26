// Every change to an order goes through here: it bumps `updated_at` and delivers the order's REST
// JSON to the subscriptions of each topic, with one event id for the whole change (as Shopify
// does for, e.g., orders/cancelled + orders/updated of one cancellation).
import { randomUUID } from 'node:crypto';
import type { SandboxServices } from '../sandbox-services.js';
import type { ShopState } from '../shops/shop-registry.js';
import type { WebhookTopic } from '../webhooks/webhook-topics.js';
import { restOrderJson } from './order-json.js';
import type { OrderState } from './order-state.js';

export function orderChanged(services: SandboxServices, shop: ShopState, order: OrderState, topics: WebhookTopic[]): void {
  order.updatedAtMs = services.registry.nowMs();
  const payload = restOrderJson(order, shop);
  const eventId = randomUUID();
  for (const topic of topics) services.webhooks.emit(shop, topic, payload, order.id, eventId);
}
