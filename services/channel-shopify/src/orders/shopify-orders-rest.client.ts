// The poll backstop's read: REST `GET /admin/api/{v}/orders.json?status=any&updated_at_min=…&updated_at_max=…`,
// following the `Link: <…page_info=…>; rel="next"` pages. REST rather than the GraphQL `orders`
// connection because webhooks deliver this very JSON: one mapper for both paths, and a polled
// order is byte-for-byte what its webhook would have carried. (REST is legacy since 2024-10 but
// served by every current version; public apps must move to GraphQL, which is this one class.)
// Calls wait on the store's request-based leaky bucket, re-synchronised from
// `X-Shopify-Shop-Api-Call-Limit: used/size` on every answer; a 429 empties it and Retry-After is
// honoured. The token is only ever sent to the store's own origin (Link URLs are checked).
import { HttpStatusError, isTransientError, keepAliveFetch, RefillingBucket, retryWithBackoff } from '@retail-mesh/channel-kit';
import type { ShopifyAccount } from '../accounts/shopify-account.js';

export interface ShopifyOrdersRestClientOptions {
  account: ShopifyAccount;
  retries?: number;
  baseDelayMs?: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Injectable for tests; default channel-kit's keepAliveFetch. */
  fetch?: typeof fetch;
}

export interface OrdersPage {
  /** The orders as received (untrusted JSON). */
  orders: unknown[];
  /** The URL of the next page, null on the last. */
  next: string | null;
}

// Standard plan: a bucket of 40 requests leaking 2 per second (the header corrects it per store).
const DEFAULT_BUCKET = { capacity: 40, refillPerSecond: 2 };
export const MAX_ORDERS_PAGE = 250;

/** `32/40` -> { used: 32, size: 40 }. */
export function parseCallLimit(value: string | null): { used: number; size: number } | undefined {
  const match = value === null ? null : /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!match) return undefined;
  const used = Number(match[1]);
  const size = Number(match[2]);
  return size > 0 ? { used, size } : undefined;
}

/** The rel="next" URL of a Link header, if any. */
export function nextPageUrl(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return null;
}

/**
 * Shopify's timestamps have second precision; both bounds are floored to it. An earlier min only
 * repeats orders; a max floored leaves out what was updated later in its second, and the window
 * that follows starts with that second (its min is floored too, and inclusive).
 */
export function updatedAtParameter(time: Date): string {
  return new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Orders updated from `min` to `max` (both inclusive); no max: up to now. */
export interface UpdatedAtWindow {
  min: Date;
  max?: Date;
}

export class ShopifyOrdersRestClient {
  private readonly bucket = new RefillingBucket(DEFAULT_BUCKET);
  private readonly origin: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: ShopifyOrdersRestClientOptions) {
    this.origin = new URL(options.account.adminApiUrl).origin;
    this.fetchFn = options.fetch ?? keepAliveFetch;
  }

  /**
   * The first page of the orders updated within `updated`, any status; with `fields`, only those
   * fields of each order (the next pages keep them).
   */
  firstPageUrl(updated: UpdatedAtWindow, options: { fields?: readonly string[]; pageSize?: number } = {}): string {
    const query = new URLSearchParams({ status: 'any', updated_at_min: updatedAtParameter(updated.min) });
    if (updated.max) query.set('updated_at_max', updatedAtParameter(updated.max));
    query.set('limit', String(options.pageSize ?? MAX_ORDERS_PAGE));
    if (options.fields) query.set('fields', options.fields.join(','));
    return this.ordersUrl(query);
  }

  /** The whole JSON of the orders with these numeric ids (at most a page of them), any status. */
  async byIds(ids: readonly number[]): Promise<unknown[]> {
    if (ids.length > MAX_ORDERS_PAGE) throw new Error(`byIds: at most ${MAX_ORDERS_PAGE} ids per call`);
    if (ids.length === 0) return [];
    const query = new URLSearchParams({ status: 'any', ids: ids.join(','), limit: String(MAX_ORDERS_PAGE) });
    return (await this.page(this.ordersUrl(query))).orders;
  }

  async page(url: string): Promise<OrdersPage> {
    if (new URL(url).origin !== this.origin) throw new Error(`refusing to send the access token to ${new URL(url).origin}`);
    return retryWithBackoff(() => this.attempt(url), {
      retries: this.options.retries ?? 4,
      baseDelayMs: this.options.baseDelayMs ?? 500,
      maxDelayMs: 20_000,
      isRetryable: isTransientError,
      signal: this.options.signal,
    });
  }

  private ordersUrl(query: URLSearchParams): string {
    const { adminApiUrl, apiVersion } = this.options.account;
    return `${adminApiUrl}/admin/api/${apiVersion}/orders.json?${query}`;
  }

  private async attempt(url: string): Promise<OrdersPage> {
    await this.bucket.take(1, this.options.signal);
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000);
    const response = await this.fetchFn(url, {
      headers: { accept: 'application/json', 'x-shopify-access-token': this.options.account.accessToken },
      signal: this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout,
    });
    const limit = parseCallLimit(response.headers.get('x-shopify-shop-api-call-limit'));
    if (limit) {
      this.bucket.configure({ capacity: limit.size });
      this.bucket.setLevel(limit.size - limit.used);
    }
    if (response.status === 429) this.bucket.setLevel(Math.min(0, this.bucket.level()));
    if (!response.ok) throw await HttpStatusError.fromResponse(response, 'GET');
    const body = (await response.json()) as { orders?: unknown };
    if (!Array.isArray(body?.orders)) throw new Error(`GET ${new URL(url).pathname}: the answer has no orders array`);
    return { orders: body.orders, next: nextPageUrl(response.headers.get('link')) };
  }
}
