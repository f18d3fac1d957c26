// The REST Admin API's orders endpoints (legacy since 2024-10, still served for every version):
// `GET /admin/api/{v}/orders.json` with its filters and cursor pagination (a `Link` header with
// `page_info`; a request with `page_info` takes no filter but `limit` and `fields`), and
// `GET /admin/api/{v}/orders/{id}.json`. The time filters are inclusive and compare the times as
// an order shows them (to the second); a shop may list orders late (`orderListLagMs`, Shopify's
// index lag). Every call is charged to the shop's request-based leaky bucket
// (`X-Shopify-Shop-Api-Call-Limit: used/size`); an empty bucket answers 429 with
// `Retry-After: 2.0`. Results are newest first (by id); clients must not rely on any order.
import { randomUUID } from 'node:crypto';
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { isSupportedVersion } from '../api-versions.js';
import { INVALID_TOKEN_BODY, shopOf } from '../graphql/graphql-endpoint.js';
import type { ShopRegistry, ShopState } from '../shops/shop-registry.js';
import { restOrderJson, shopTimestamp } from './order-json.js';
import { FINANCIAL_STATUSES, restFulfillmentStatus, type OrderState } from './order-state.js';

type SandboxRequest = sandboxKit.SandboxRequest;
type SandboxResponse = sandboxKit.SandboxResponse;

export const ORDERS_PATH = '/admin/api/:version/orders.json';
export const ORDER_PATH = '/admin/api/:version/orders/:file';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 250;
const STATUSES = ['open', 'closed', 'cancelled', 'any'];
const FULFILLMENT_FILTERS = ['shipped', 'partial', 'unshipped', 'unfulfilled', 'any'];
const TIME_FILTERS = ['created_at_min', 'created_at_max', 'updated_at_min', 'updated_at_max', 'processed_at_min', 'processed_at_max'];
const FILTERS = ['ids', 'since_id', 'status', 'financial_status', 'fulfillment_status', 'name', 'attribution_app_id', ...TIME_FILTERS];
const THROTTLED_BODY = { errors: 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.' };

type Filters = Record<string, string>;

interface PageInfo {
  filters: Filters;
  /** Next page: ids below this one; previous page: ids above it. */
  direction: 'next' | 'previous';
  id: number;
}

class BadRequest extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function encodePageInfo(info: PageInfo): string {
  return Buffer.from(JSON.stringify(info)).toString('base64url');
}

function decodePageInfo(token: string): PageInfo {
  try {
    const info = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageInfo;
    if (typeof info?.id === 'number' && (info.direction === 'next' || info.direction === 'previous') && typeof info.filters === 'object')
      return info;
  } catch {
    // fall through
  }
  throw new BadRequest('page_info', 'Invalid value.');
}

function timeFilter(filters: Filters, name: string): number | undefined {
  const value = filters[name];
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadRequest(name, `${name} is not a valid ISO-8601 time`);
  return ms;
}

/** A time as an order shows it: to the second (`2026-11-27T05:00:00-05:00`). */
function shownMs(ms: number): number {
  return ms - (((ms % 1000) + 1000) % 1000);
}

/** Validates the filters once per request; the predicate checks an order against all but `ids` (see candidates). */
function matcher(filters: Filters): (order: OrderState) => boolean {
  const status = filters.status ?? 'open';
  if (!STATUSES.includes(status)) throw new BadRequest('status', `status must be one of ${STATUSES.join(', ')}`);
  const financial = filters.financial_status;
  if (financial !== undefined && financial !== 'any' && !(FINANCIAL_STATUSES as readonly string[]).includes(financial))
    throw new BadRequest('financial_status', 'financial_status is invalid');
  const fulfillment = filters.fulfillment_status;
  if (fulfillment !== undefined && !FULFILLMENT_FILTERS.includes(fulfillment))
    throw new BadRequest('fulfillment_status', 'fulfillment_status is invalid');
  const sinceId = filters.since_id === undefined ? undefined : Number(filters.since_id);
  const name = filters.name;
  const [createdMin, createdMax, updatedMin, updatedMax, processedMin, processedMax] = TIME_FILTERS.map((field) =>
    timeFilter(filters, field),
  );
  // Bounds are inclusive of the time an order shows: updated_at_max=<its updated_at> lists it.
  const within = (ms: number, min: number | undefined, max: number | undefined) =>
    (min === undefined || shownMs(ms) >= min) && (max === undefined || shownMs(ms) <= max);

  // Cheap checks first: restFulfillmentStatus walks the order's lines and fulfillments.
  return (order) => {
    if (status === 'open' && (order.cancelledAtMs !== null || order.closedAtMs !== null)) return false;
    if (status === 'closed' && order.closedAtMs === null) return false;
    if (status === 'cancelled' && order.cancelledAtMs === null) return false;
    if (financial !== undefined && financial !== 'any' && order.financialStatus !== financial) return false;
    if (sinceId !== undefined && !(order.numericId > sinceId)) return false;
    if (name !== undefined && order.name !== name && order.name !== `#${name}`) return false;
    if (
      !within(order.createdAtMs, createdMin, createdMax) ||
      !within(order.updatedAtMs, updatedMin, updatedMax) ||
      !within(order.processedAtMs, processedMin, processedMax)
    )
      return false;
    if (fulfillment === undefined || fulfillment === 'any') return true;
    const shipped = restFulfillmentStatus(order);
    if (fulfillment === 'shipped') return shipped === 'fulfilled';
    if (fulfillment === 'partial') return shipped === 'partial';
    return shipped !== 'fulfilled';
  };
}

/**
 * The orders `ids` names, looked up by gid (the shop's key) instead of scanning the shop; else
 * every order the shop's list shows by now (`orderListLagMs` after its last update).
 */
function candidates(shop: ShopState, filters: Filters, nowMs: number): OrderState[] {
  if (filters.ids === undefined) {
    const all = [...shop.orders.values()];
    return shop.orderListLagMs > 0 ? all.filter((order) => order.updatedAtMs + shop.orderListLagMs <= nowMs) : all;
  }
  // Compared as numbers, so ` 12` or `12.0` name order 12 too; an id that is not a number finds nothing.
  const ids = new Set(filters.ids.split(',').map((id) => Number(id.trim())));
  return [...ids].map((id) => shop.orders.get(`gid://shopify/Order/${id}`)).filter((order) => order !== undefined);
}

function time(ms: number | null, utcOffsetMinutes: number): string | null {
  return ms === null ? null : shopTimestamp(ms, utcOffsetMinutes);
}

/**
 * Fields built without the whole REST order (a poll asks for just these), as restOrderJson builds
 * them and in its key order, which a response keeps.
 */
const CHEAP_FIELDS = new Map<string, (order: OrderState, utcOffsetMinutes: number) => unknown>([
  ['id', (order) => order.numericId],
  ['admin_graphql_api_id', (order) => order.id],
  ['cancelled_at', (order, offset) => time(order.cancelledAtMs, offset)],
  ['closed_at', (order, offset) => time(order.closedAtMs, offset)],
  ['created_at', (order, offset) => time(order.createdAtMs, offset)],
  ['name', (order) => order.name],
  ['processed_at', (order, offset) => time(order.processedAtMs, offset)],
  ['updated_at', (order, offset) => time(order.updatedAtMs, offset)],
]);

/** The REST JSON of an order with only the `fields` asked for (unknown ones are ignored), parsed once per request. */
function projection(shop: ShopState, fields: string | undefined): (order: OrderState) => Record<string, unknown> {
  if (!fields) return (order) => restOrderJson(order, shop);
  const wanted = new Set(fields.split(',').map((field) => field.trim()));
  if ([...wanted].every((field) => CHEAP_FIELDS.has(field))) {
    const builders = [...CHEAP_FIELDS].filter(([field]) => wanted.has(field));
    return (order) => Object.fromEntries(builders.map(([field, build]) => [field, build(order, shop.utcOffsetMinutes)]));
  }
  return (order) => Object.fromEntries(Object.entries(restOrderJson(order, shop)).filter(([key]) => wanted.has(key)));
}

/** Charges one call to the shop's REST bucket; the 429 answer when it is full. */
function chargeCall(shop: ShopState): { headers: Record<string, string> } | { response: SandboxResponse } {
  shop.counters.restCalls += 1;
  const taken = shop.restBucket.tryTake(1);
  const { maximumAvailable, currentlyAvailable } = shop.restBucket.status();
  const headers = {
    'x-request-id': randomUUID(),
    'x-shopify-shop-api-call-limit': `${maximumAvailable - currentlyAvailable}/${maximumAvailable}`,
  };
  if (taken) return { headers };
  shop.counters.restThrottledCalls += 1;
  return { response: { status: 429, headers: { ...headers, 'retry-after': '2.0' }, body: THROTTLED_BODY } };
}

function authorise(
  registry: ShopRegistry,
  request: SandboxRequest,
): { shop: ShopState; headers: Record<string, string> } | { response: SandboxResponse } {
  if (!isSupportedVersion(request.params.version)) return { response: { status: 404, body: { errors: 'Not Found' } } };
  const shop = shopOf(registry, request);
  if (!shop) return { response: { status: 401, body: INVALID_TOKEN_BODY } };
  const charged = chargeCall(shop);
  if ('response' in charged) return charged;
  return { shop, headers: { ...charged.headers, 'x-shopify-api-version': request.params.version } };
}

export function listOrders(registry: ShopRegistry, request: SandboxRequest): SandboxResponse {
  const authorised = authorise(registry, request);
  if ('response' in authorised) return authorised.response;
  const { shop, headers } = authorised;
  const query = Object.fromEntries(request.query.entries());
  try {
    const limit = query.limit === undefined ? DEFAULT_LIMIT : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new BadRequest('limit', 'limit must be a positive integer');
    const pageSize = Math.min(limit, MAX_LIMIT);
    let filters: Filters;
    let info: PageInfo | undefined;
    if (query.page_info !== undefined) {
      const extra = Object.keys(query).find((name) => FILTERS.includes(name));
      if (extra) throw new BadRequest(extra, `${extra} cannot be passed when page_info is present`);
      info = decodePageInfo(query.page_info);
      filters = info.filters;
    } else {
      filters = Object.fromEntries(Object.entries(query).filter(([name]) => FILTERS.includes(name)));
    }
    const matches = matcher(filters);
    const all = candidates(shop, filters, registry.nowMs())
      .filter(matches)
      .sort((a, b) => b.numericId - a.numericId);
    let page: OrderState[];
    if (info?.direction === 'previous') {
      const before = all.filter((order) => order.numericId > (info as PageInfo).id);
      page = before.slice(Math.max(0, before.length - pageSize));
    } else {
      const after = info ? all.filter((order) => order.numericId < (info as PageInfo).id) : all;
      page = after.slice(0, pageSize);
    }
    const links: string[] = [];
    const link = (direction: PageInfo['direction'], id: number) => {
      const params = new URLSearchParams({ limit: String(pageSize), page_info: encodePageInfo({ filters, direction, id }) });
      if (query.fields) params.set('fields', query.fields);
      return `<${sandboxKit.baseUrlOf(request)}/admin/api/${request.params.version}/orders.json?${params}>; rel="${direction}"`;
    };
    // `all` is newest first: orders before the page or after it are at its ends.
    if (page.length > 0) {
      const last = page.at(-1) as OrderState;
      if (all[0].numericId > page[0].numericId) links.push(link('previous', page[0].numericId));
      if ((all.at(-1) as OrderState).numericId < last.numericId) links.push(link('next', last.numericId));
    }
    const responseHeaders = links.length > 0 ? { ...headers, link: links.join(', ') } : headers;
    return {
      status: 200,
      headers: responseHeaders,
      body: { orders: page.map(projection(shop, query.fields)) },
    };
  } catch (error) {
    if (error instanceof BadRequest) return { status: 400, headers, body: { errors: { [error.field]: error.message } } };
    throw error;
  }
}

export function getOrder(registry: ShopRegistry, request: SandboxRequest): SandboxResponse {
  const authorised = authorise(registry, request);
  if ('response' in authorised) return authorised.response;
  const { shop, headers } = authorised;
  const id = /^(\d+)\.json$/.exec(request.params.file)?.[1];
  const order = id === undefined ? undefined : shop.orders.get(`gid://shopify/Order/${id}`);
  if (!order) return { status: 404, headers, body: { errors: 'Not Found' } };
  return { status: 200, headers, body: { order: projection(shop, request.query.get('fields') ?? undefined)(order) } };
}
