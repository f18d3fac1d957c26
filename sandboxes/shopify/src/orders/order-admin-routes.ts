// Admin routes for orders and webhooks: what a checkout or a merchant in the Shopify admin would
// do (create an order, edit it, cancel it), webhook subscriptions without GraphQL, the delivery
// log with re-sends of one delivery, faults that drop deliveries, and inspection of what the
// adapter did (fulfilments with tracking, cancellations, tags, metafields).
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { LATEST_STABLE_VERSION } from '../api-versions.js';
import type { SandboxServices } from '../sandbox-services.js';
import type { ShopState } from '../shops/shop-registry.js';
import type { DropRule, WebhookDelivery } from '../webhooks/webhook-dispatcher.js';
import { subscribe } from '../webhooks/webhook-resolvers.js';
import { enumOfTopic, topicOfEnum, WEBHOOK_TOPICS, type WebhookSubscriptionState, type WebhookTopic } from '../webhooks/webhook-topics.js';
import { applyCancel, cancelProblem } from './order-cancel.js';
import { orderChanged } from './order-changes.js';
import { orderTotals, restOrderJson } from './order-json.js';
import { createOrder, type SeedResult } from './order-seed.js';
import { CANCEL_REASONS, FINANCIAL_STATUSES, type CancelReason, type FinancialStatus, type OrderState } from './order-state.js';
import { captureOutstanding } from './refunds.js';

const { jsonResponse, parseJsonBody, isRecord } = sandboxKit;
type SandboxResponse = sandboxKit.SandboxResponse;

function orderView(shop: ShopState, order: OrderState) {
  const skuOf = (lineItemId: string) => order.lineItems.find((line) => line.id === lineItemId)?.sku ?? null;
  return {
    order: restOrderJson(order, shop),
    tags: [...order.tags],
    metafields: order.metafields.map(({ namespace, key, type, value }) => ({ namespace, key, type, value })),
    cancellation: order.cancellation,
    fulfillmentOrders: order.fulfillmentOrders.map((fulfillmentOrder) => ({
      id: fulfillmentOrder.id,
      status: fulfillmentOrder.status,
      locationId: fulfillmentOrder.locationId,
      locationName: fulfillmentOrder.locationName,
      lineItems: fulfillmentOrder.lineItems.map((item) => ({
        id: item.id,
        lineItemId: item.lineItemId,
        sku: skuOf(item.lineItemId),
        totalQuantity: item.totalQuantity,
        remainingQuantity: item.remainingQuantity,
      })),
    })),
    fulfillments: order.fulfillments.map((fulfillment) => ({
      id: fulfillment.id,
      name: fulfillment.name,
      status: fulfillment.status,
      locationId: fulfillment.locationId,
      notifyCustomer: fulfillment.notifyCustomer,
      trackingInfo: fulfillment.trackingInfo,
      lineItems: fulfillment.lineItems.map((item) => ({
        lineItemId: item.lineItemId,
        sku: skuOf(item.lineItemId),
        quantity: item.quantity,
      })),
      createdAt: fulfillment.createdAt,
    })),
  };
}

function subscriptionView(subscription: WebhookSubscriptionState) {
  return { id: subscription.id, topic: subscription.topic, uri: subscription.uri, apiVersion: subscription.apiVersion };
}

function deliveryView(delivery: WebhookDelivery) {
  const { webhookId, eventId, shop, topic, uri, resourceId, status, attempts, headers, body } = delivery;
  return { webhookId, eventId, shop, topic, uri, resourceId, status, attempts, headers, body };
}

function withShop(services: SandboxServices, name: string, handle: (shop: ShopState) => SandboxResponse | Promise<SandboxResponse>) {
  const shop = services.registry.get(name);
  return shop ? handle(shop) : jsonResponse(404, { error: `unknown shop ${name}` });
}

function withOrder(shop: ShopState, id: string, handle: (order: OrderState) => SandboxResponse): SandboxResponse {
  const order = shop.orders.get(id.startsWith('gid://') ? id : `gid://shopify/Order/${id}`);
  return order ? handle(order) : jsonResponse(404, { error: `unknown order ${id} in shop ${shop.name}` });
}

function parseTopic(value: unknown): WebhookTopic | undefined {
  if (typeof value !== 'string') return undefined;
  return topicOfEnum(value) ?? (enumOfTopic(value) ? (value as WebhookTopic) : undefined);
}

function parseDropRules(value: unknown): DropRule[] | string {
  if (value === undefined || (isRecord(value) && Object.keys(value).length === 0)) return [];
  const candidates = Array.isArray(value) ? value : [value];
  const rules: DropRule[] = [];
  for (const candidate of candidates) {
    if (!isRecord(candidate)) return 'each rule must be an object';
    const { drop, shop, topic } = candidate;
    if (typeof drop !== 'number' || !Number.isInteger(drop) || drop < 0) return 'drop must be a non-negative integer';
    if (shop !== undefined && typeof shop !== 'string') return 'shop must be a string';
    const parsedTopic = topic === undefined ? undefined : parseTopic(topic);
    if (topic !== undefined && !parsedTopic) return `topic must be one of ${Object.values(WEBHOOK_TOPICS).join(', ')}`;
    rules.push({ remaining: drop, shop: shop as string | undefined, topic: parsedTopic });
  }
  return rules;
}

function body(request: sandboxKit.SandboxRequest): { value: Record<string, unknown> } | { response: SandboxResponse } {
  const parsed = parseJsonBody(request);
  if (!parsed.ok) return { response: jsonResponse(400, { error: 'the body is not JSON' }) };
  if (parsed.value === undefined) return { value: {} };
  return isRecord(parsed.value) ? { value: parsed.value } : { response: jsonResponse(400, { error: 'the body must be a JSON object' }) };
}

/** A customer checking out: creates the order and delivers orders/create (and orders/paid when paid). */
export function placeOrder(services: SandboxServices, shop: ShopState, body: unknown): SeedResult<OrderState> {
  const created = createOrder(services.registry, shop, body);
  if (!created.ok) return created;
  const topics: WebhookTopic[] = [WEBHOOK_TOPICS.ORDERS_CREATE];
  if (created.value.financialStatus === 'paid') topics.push(WEBHOOK_TOPICS.ORDERS_PAID);
  orderChanged(services, shop, created.value, topics);
  return created;
}

export function addOrderAdminRoutes(router: sandboxKit.Router, services: SandboxServices): void {
  router.add('POST', '/_sandbox/shops/:shop/orders', (request) =>
    withShop(services, request.params.shop, (shop) => {
      const parsed = parseJsonBody(request);
      const placed = parsed.ok ? placeOrder(services, shop, parsed.value) : { ok: false as const, error: 'the body is not JSON' };
      if (!placed.ok) return jsonResponse(400, { error: placed.error });
      return jsonResponse(200, orderView(shop, placed.value));
    }),
  );

  router.add('GET', '/_sandbox/shops/:shop/orders', (request) =>
    withShop(services, request.params.shop, (shop) =>
      jsonResponse(200, { orders: [...shop.orders.values()].map((order) => orderView(shop, order)) }),
    ),
  );

  router.add('GET', '/_sandbox/shops/:shop/orders/:id', (request) =>
    withShop(services, request.params.shop, (shop) =>
      withOrder(shop, request.params.id, (order) => jsonResponse(200, orderView(shop, order))),
    ),
  );

  // A merchant edit: note, email, tags (replaced), financial status. Delivers orders/updated (and orders/paid on payment).
  router.add('PUT', '/_sandbox/shops/:shop/orders/:id', (request) =>
    withShop(services, request.params.shop, (shop) =>
      withOrder(shop, request.params.id, (order) => {
        const parsed = body(request);
        if ('response' in parsed) return parsed.response;
        const { note, email, tags, financialStatus } = parsed.value;
        if (note !== undefined && note !== null && typeof note !== 'string') return jsonResponse(400, { error: 'note must be a string' });
        if (email !== undefined && email !== null && typeof email !== 'string')
          return jsonResponse(400, { error: 'email must be a string' });
        if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')))
          return jsonResponse(400, { error: 'tags must be an array of strings' });
        if (financialStatus !== undefined && !(FINANCIAL_STATUSES as readonly unknown[]).includes(financialStatus))
          return jsonResponse(400, { error: `financialStatus must be one of ${FINANCIAL_STATUSES.join(', ')}` });
        const becomesPaid = financialStatus === 'paid' && order.financialStatus !== 'paid';
        if (note !== undefined) order.note = note as string | null;
        if (email !== undefined) order.email = email as string | null;
        if (tags !== undefined) order.tags = [...(tags as string[])];
        if (financialStatus !== undefined) order.financialStatus = financialStatus as FinancialStatus;
        if (becomesPaid)
          captureOutstanding(services.registry, order, orderTotals(order).total, new Date(services.registry.nowMs()).toISOString());
        orderChanged(
          services,
          shop,
          order,
          becomesPaid ? [WEBHOOK_TOPICS.ORDERS_UPDATED, WEBHOOK_TOPICS.ORDERS_PAID] : [WEBHOOK_TOPICS.ORDERS_UPDATED],
        );
        return jsonResponse(200, orderView(shop, order));
      }),
    ),
  );

  // A merchant cancelling in the Shopify admin: applies at once, delivers orders/cancelled and orders/updated.
  router.add('POST', '/_sandbox/shops/:shop/orders/:id/cancel', (request) =>
    withShop(services, request.params.shop, (shop) =>
      withOrder(shop, request.params.id, (order) => {
        const parsed = body(request);
        if ('response' in parsed) return parsed.response;
        const { reason = 'CUSTOMER', restock = true, refund = true, staffNote = null } = parsed.value;
        if (!(CANCEL_REASONS as readonly unknown[]).includes(reason))
          return jsonResponse(400, { error: `reason must be one of ${CANCEL_REASONS.join(', ')}` });
        if (typeof restock !== 'boolean' || typeof refund !== 'boolean')
          return jsonResponse(400, { error: 'restock and refund must be booleans' });
        if (staffNote !== null && typeof staffNote !== 'string') return jsonResponse(400, { error: 'staffNote must be a string' });
        const problem = cancelProblem(order);
        if (problem) return jsonResponse(409, { error: problem.message });
        applyCancel(services, shop, order, {
          reason: reason as CancelReason,
          restock,
          refund,
          notifyCustomer: false,
          staffNote,
          by: 'merchant',
        });
        return jsonResponse(200, orderView(shop, order));
      }),
    ),
  );

  router.add('GET', '/_sandbox/shops/:shop/webhooks', (request) =>
    withShop(services, request.params.shop, (shop) =>
      jsonResponse(200, { subscriptions: [...shop.webhookSubscriptions.values()].map(subscriptionView) }),
    ),
  );

  // The shortcut for webhookSubscriptionCreate.
  router.add('POST', '/_sandbox/shops/:shop/webhooks', (request) =>
    withShop(services, request.params.shop, (shop) => {
      const parsed = body(request);
      if ('response' in parsed) return parsed.response;
      const topic = parseTopic(parsed.value.topic);
      if (!topic) return jsonResponse(400, { error: `topic must be one of ${Object.values(WEBHOOK_TOPICS).join(', ')}` });
      const apiVersion = typeof parsed.value.apiVersion === 'string' ? parsed.value.apiVersion : LATEST_STABLE_VERSION;
      const result = subscribe(services.registry, shop, topic, String(parsed.value.uri ?? ''), apiVersion);
      if ('error' in result) return jsonResponse(400, { error: result.error });
      return jsonResponse(200, subscriptionView(result.subscription));
    }),
  );

  router.add('GET', '/_sandbox/webhook-deliveries', (request) => {
    const orderId = request.query.get('orderId');
    const deliveries = services.webhooks.list({
      shop: request.query.get('shop') ?? undefined,
      topic: request.query.get('topic') ?? undefined,
      resourceId: orderId === null ? undefined : orderId.startsWith('gid://') ? orderId : `gid://shopify/Order/${orderId}`,
    });
    return jsonResponse(200, { deliveries: deliveries.map(deliveryView) });
  });

  // Shopify delivers at least once: the same delivery (webhook id, body, signature) again, `times` times.
  router.add('POST', '/_sandbox/webhook-deliveries/:webhookId/redeliver', async (request) => {
    const parsed = body(request);
    if ('response' in parsed) return parsed.response;
    const times = parsed.value.times ?? 1;
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1 || times > 100)
      return jsonResponse(400, { error: 'times must be an integer from 1 to 100' });
    const statuses = await services.webhooks.redeliver(request.params.webhookId, times);
    return statuses ? jsonResponse(200, { statuses }) : jsonResponse(404, { error: `unknown delivery ${request.params.webhookId}` });
  });

  // Drops the next N deliveries (of a shop / topic): never sent, never retried.
  router.add('POST', '/_sandbox/webhook-faults', (request) => {
    const parsed = parseJsonBody(request);
    const rules = parsed.ok ? parseDropRules(parsed.value) : 'the body is not JSON';
    if (typeof rules === 'string') return jsonResponse(400, { error: rules });
    services.webhooks.setDropRules(rules);
    return jsonResponse(200, { rules: services.webhooks.dropRulesView() });
  });

  router.add('GET', '/_sandbox/webhook-faults', () => jsonResponse(200, { rules: services.webhooks.dropRulesView() }));

  router.add('POST', '/_sandbox/webhook-settings', (request) => {
    const parsed = body(request);
    if ('response' in parsed) return parsed.response;
    const { retryDelaysMs, timeoutMs } = parsed.value;
    if (
      retryDelaysMs !== undefined &&
      !(Array.isArray(retryDelaysMs) && retryDelaysMs.every((delay) => Number.isInteger(delay) && delay >= 0))
    )
      return jsonResponse(400, { error: 'retryDelaysMs must be an array of non-negative integers' });
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && (timeoutMs as number) > 0))
      return jsonResponse(400, { error: 'timeoutMs must be a positive integer' });
    return jsonResponse(
      200,
      services.webhooks.configure({ retryDelaysMs: retryDelaysMs as number[] | undefined, timeoutMs: timeoutMs as number | undefined }),
    );
  });
}
