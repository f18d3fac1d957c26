// The Shopify sandbox: the Admin GraphQL API for several shops (channel accounts), with Shopify's
// cost-based throttling, the REST orders endpoints, signed webhook deliveries, plus admin routes to
// create shops, seed products and orders, act as the merchant and inspect what clients did.
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { addOrderAdminRoutes, placeOrder } from './orders/order-admin-routes.js';
import type { OrderState } from './orders/order-state.js';
import { getOrder, listOrders, ORDER_PATH, ORDERS_PATH } from './orders/rest-orders.js';
import { BackgroundTimers, type SandboxServices } from './sandbox-services.js';
import { seedCatalog, type CatalogSeed } from './shops/catalog-seed.js';
import { PLANS, ShopRegistry, type Plan, type ShopSettings, type ShopState } from './shops/shop-registry.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';
import {
  graphqlVersionOf,
  handleGraphqlRequest,
  operationsOf,
  requestedCostOf,
  shopOf,
  throttledResponse,
} from './graphql/graphql-endpoint.js';

const { jsonResponse, parseJsonBody, isRecord, Router, startSandboxServer } = sandboxKit;
type SandboxRequest = sandboxKit.SandboxRequest;
type SandboxResponse = sandboxKit.SandboxResponse;

export const SHOPIFY_SANDBOX_DEFAULT_PORT = 7001;
export const GRAPHQL_PATH = '/admin/api/:version/graphql.json';

export interface ShopifySandboxOptions {
  port: number;
  host?: string;
  /** Shops present at start and after every reset. */
  shops?: ShopSettings[];
  requestLogCapacity?: number;
  /** Clock for the cost buckets, timestamps and time-bound faults. */
  now?: () => number;
  /** Waits before each retry of a failed webhook delivery (default Shopify's: 8 retries over 4 hours). */
  webhookRetryDelaysMs?: number[];
  /** Per delivery attempt (default 5 s, as Shopify). */
  webhookTimeoutMs?: number;
  /** How long orderCancel's background job takes (default 0: the next tick). */
  orderCancelDelayMs?: number;
}

export interface ShopifySandbox extends sandboxKit.RunningSandbox {
  /** In-process access for embedded mode and tests; the admin routes drive the same registry. */
  shops: ShopRegistry;
  webhooks: WebhookDispatcher;
  /**
   * What `POST /_sandbox/shops/:shop/orders` does, in-process (a load generator that should not
   * spend the machine on HTTP): creates the order and delivers its webhooks; throws on a bad body.
   */
  placeOrder(shop: string, body: unknown): OrderState;
}

export async function startShopifySandbox(options: ShopifySandboxOptions): Promise<ShopifySandbox> {
  const now = options.now ?? Date.now;
  const registry = new ShopRegistry(now);
  const webhookSettings = { retryDelaysMs: options.webhookRetryDelaysMs, timeoutMs: options.webhookTimeoutMs };
  const services: SandboxServices = {
    registry,
    webhooks: new WebhookDispatcher(now, webhookSettings),
    timers: new BackgroundTimers(),
    orderCancelDelayMs: options.orderCancelDelayMs ?? 0,
  };
  const seedInitialShops = () => {
    services.timers.clear();
    services.webhooks.clear();
    services.webhooks.configure(webhookSettings);
    registry.clear();
    for (const shop of options.shops ?? []) registry.upsert(shop);
  };
  seedInitialShops();

  const router = new Router()
    .add('POST', GRAPHQL_PATH, (request) => handleGraphqlRequest(services, request))
    .add('GET', ORDERS_PATH, (request) => listOrders(registry, request))
    .add('GET', ORDER_PATH, (request) => getOrder(registry, request));
  addAdminRoutes(router, registry);
  addOrderAdminRoutes(router, services);

  const running = await startSandboxServer(
    {
      name: 'shopify',
      router,
      reset: seedInitialShops,
      describeOperations: operationsOf,
      rateLimitResponse: (rule, request) => rateLimitResponse(registry, rule, request),
      serverErrorResponse: (status) => jsonResponse(status, { errors: status === 503 ? 'Service Unavailable' : 'Internal Server Error' }),
      notFoundResponse: () => jsonResponse(404, { errors: 'Not Found' }),
    },
    { port: options.port, host: options.host, requestLogCapacity: options.requestLogCapacity, now },
  );
  return {
    ...running,
    shops: registry,
    webhooks: services.webhooks,
    placeOrder: (name, body) => {
      const shop = registry.get(name);
      if (!shop) throw new Error(`the Shopify sandbox has no shop ${name}`);
      const placed = placeOrder(services, shop, body);
      if (!placed.ok) throw new Error(`the order was refused: ${placed.error}`);
      return placed.value;
    },
    close: async () => {
      services.timers.clear();
      services.webhooks.stop();
      await running.close();
    },
  };
}

function rateLimitResponse(registry: ShopRegistry, rule: sandboxKit.FaultRule, request: SandboxRequest): SandboxResponse {
  const status = rule.status ?? 429;
  const retryAfter = rule.retryAfterSeconds ?? 1;
  const version = graphqlVersionOf(request.path);
  const shop = shopOf(registry, request);
  if (version !== undefined && shop) {
    shop.counters.graphqlCalls += 1;
    return throttledResponse(shop, requestedCostOf(request, version), status, retryAfter);
  }
  // REST Admin API wording for a request-based limit.
  return jsonResponse(
    status,
    { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' },
    { 'retry-after': `${retryAfter}.0` },
  );
}

function shopView(shop: ShopState) {
  return {
    shop: shop.name,
    id: shop.id,
    domain: shop.domain,
    accessToken: shop.accessToken,
    clientSecret: shop.clientSecret,
    utcOffsetMinutes: shop.utcOffsetMinutes,
    orderListLagMs: shop.orderListLagMs,
    plan: shop.plan,
    throttleStatusCode: shop.throttleStatusCode,
    ...shop.bucket.status(),
    restCallLimit: shop.restBucket.status(),
    counters: { ...shop.counters },
  };
}

function catalogView(shop: ShopState) {
  return {
    shop: shop.name,
    locations: [...shop.locations.values()].map(({ id, name, isActive }) => ({ id, name, isActive })),
    variants: [...shop.variants.values()].map(({ id, sku, title, inventoryItemId }) => ({ sku, title, variantId: id, inventoryItemId })),
  };
}

function parseShopSettings(value: unknown): ShopSettings | string {
  if (!isRecord(value)) return 'the body must be a JSON object';
  const {
    shop,
    accessToken,
    plan,
    maximumAvailable,
    restoreRate,
    currentlyAvailable,
    throttleStatusCode,
    clientSecret,
    utcOffsetMinutes,
    restCallsUsed,
    orderListLagMs,
  } = value;
  if (typeof shop !== 'string' || !/^[a-z0-9][a-z0-9.-]*$/i.test(shop)) return 'shop must be a shop handle such as "b2c-eu"';
  if (typeof accessToken !== 'string' || accessToken === '') return 'accessToken is required';
  if (plan !== undefined && !(typeof plan === 'string' && Object.hasOwn(PLANS, plan)))
    return `plan must be one of ${Object.keys(PLANS).join(', ')}`;
  for (const [name, number] of Object.entries({ maximumAvailable, restoreRate, currentlyAvailable, restCallsUsed, orderListLagMs })) {
    if (number !== undefined && (typeof number !== 'number' || number < 0)) return `${name} must be a non-negative number`;
  }
  if (throttleStatusCode !== undefined && throttleStatusCode !== 200 && throttleStatusCode !== 429)
    return 'throttleStatusCode must be 200 or 429';
  if (clientSecret !== undefined && (typeof clientSecret !== 'string' || clientSecret === ''))
    return 'clientSecret must be a non-empty string';
  if (utcOffsetMinutes !== undefined && !(Number.isInteger(utcOffsetMinutes) && Math.abs(utcOffsetMinutes as number) <= 14 * 60))
    return 'utcOffsetMinutes must be an integer between -840 and 840';
  return {
    shop,
    accessToken,
    plan: plan as Plan | undefined,
    maximumAvailable: maximumAvailable as number | undefined,
    restoreRate: restoreRate as number | undefined,
    currentlyAvailable: currentlyAvailable as number | undefined,
    throttleStatusCode: throttleStatusCode as 200 | 429 | undefined,
    clientSecret: clientSecret as string | undefined,
    utcOffsetMinutes: utcOffsetMinutes as number | undefined,
    restCallsUsed: restCallsUsed as number | undefined,
    orderListLagMs: orderListLagMs as number | undefined,
  };
}

/** The shop named by `?shop=` or the body's `shop`; the only shop when there is exactly one. */
function resolveShop(registry: ShopRegistry, name: unknown): { shop: ShopState } | { response: SandboxResponse } {
  if (typeof name === 'string') {
    const shop = registry.get(name);
    return shop ? { shop } : { response: jsonResponse(404, { error: `unknown shop ${name}` }) };
  }
  const shops = registry.list();
  return shops.length === 1 ? { shop: shops[0] } : { response: jsonResponse(400, { error: 'shop is required' }) };
}

function addAdminRoutes(router: sandboxKit.Router, registry: ShopRegistry): void {
  router.add('GET', '/_sandbox/shops', () => jsonResponse(200, { shops: registry.list().map(shopView) }));
  router.add('POST', '/_sandbox/shops', (request) => {
    const parsed = parseJsonBody(request);
    const settings = parsed.ok ? parseShopSettings(parsed.value) : 'the body is not JSON';
    if (typeof settings === 'string') return jsonResponse(400, { error: settings });
    const clash = registry.byAccessToken(settings.accessToken);
    if (clash && clash.name !== settings.shop) return jsonResponse(409, { error: `access token already used by shop ${clash.name}` });
    return jsonResponse(200, shopView(registry.upsert(settings)));
  });

  router.add('GET', '/_sandbox/products', (request) => {
    const resolved = resolveShop(registry, request.query.get('shop') ?? undefined);
    return 'response' in resolved ? resolved.response : jsonResponse(200, catalogView(resolved.shop));
  });
  router.add('POST', '/_sandbox/products', (request) => {
    const parsed = parseJsonBody(request);
    if (!parsed.ok || !isRecord(parsed.value)) return jsonResponse(400, { error: 'the body must be a JSON object' });
    const resolved = resolveShop(registry, parsed.value.shop);
    if ('response' in resolved) return resolved.response;
    const { shop } = resolved;
    const result = seedCatalog(registry, shop, parsed.value as CatalogSeed);
    if (!result.ok) return jsonResponse(400, { error: result.error });
    return jsonResponse(200, {
      shop: shop.name,
      locations: result.locations.map(({ id, name, isActive }) => ({ id, name, isActive })),
      variants: result.variants.map(({ id, sku, title, inventoryItemId }) => ({ sku, title, variantId: id, inventoryItemId })),
    });
  });

  router.add('GET', '/_sandbox/inventory-levels', (request) => {
    const resolved = resolveShop(registry, request.query.get('shop') ?? undefined);
    if ('response' in resolved) return resolved.response;
    const { shop } = resolved;
    const sku = request.query.get('sku');
    const levels = [...shop.levels.values()]
      .map((level) => ({ level, variant: shop.variantOfItem(level.inventoryItemId) }))
      .filter(({ variant }) => sku === null || variant?.sku === sku)
      .map(({ level, variant }) => ({
        sku: variant?.sku ?? null,
        variantId: variant?.id ?? null,
        inventoryItemId: level.inventoryItemId,
        locationId: level.locationId,
        locationName: shop.locations.get(level.locationId)?.name ?? null,
        available: level.quantities.available,
        onHand: level.quantities.on_hand,
        updatedAt: level.updatedAt,
        appliedMutations: level.appliedMutations,
        history: level.history,
      }));
    return jsonResponse(200, { shop: shop.name, levels, counters: { ...shop.counters } });
  });
}
