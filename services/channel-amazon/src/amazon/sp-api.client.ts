import { gunzipSync } from 'node:zlib';
import {
  type ApiCallObserver,
  isTransientError,
  keepAliveFetch,
  parseRetryAfter,
  type RetryEvent,
  retryWithBackoff,
  type TokenBucketRegistry,
} from '@retail-mesh/channel-kit';
import { AccessTokenCache, type AccessTokenSource, type FetchedToken } from './access-token.cache.js';
import type { LwaTokenProvider } from './lwa-token.provider.js';
import { kindOfStatus, readErrorEnvelope, SpApiError, type SpApiErrorKind } from './sp-api.error.js';
import {
  checkOrder,
  checkOrderAddress,
  checkOrderItem,
  FEED_PROCESSING_STATUSES,
  type AmazonFeed,
  type AmazonOrder,
  type AmazonOrderAddress,
  type AmazonOrderItem,
  type ListingsItem,
  type ListingsSubmission,
  type OrdersPage,
  type RestrictedResource,
} from './sp-api.types.js';
import type { SpApiOperation } from './usage-plans.js';

// The SP-API calls the adapter needs, for one selling partner (channel account). Every call waits
// for its operation's token bucket (seeded from the usage plans, corrected by each response's
// `x-amzn-RateLimit-Limit`), sends the LWA access token in `x-amz-access-token` (refreshed once
// after a 403), and is retried with backoff on 429 (the bucket is emptied first), 5xx, timeouts,
// dropped connections and malformed bodies. Calls that are not idempotent (createFeed,
// confirmShipment) are retried only when the request surely had no effect (429). Failures
// surface as `SpApiError` with a kind and the errors envelope. Buyer PII (getOrderAddress) is read
// with a Restricted Data Token instead of the LWA token, and never copied into error messages.

/**
 * The generic path: one RDT authorises getOrderAddress for any order of the selling partner, so
 * an account needs one createRestrictedDataToken an hour, not one per order (Tokens API use case
 * guide, "Terminology").
 */
export const ORDER_ADDRESS_RESOURCE: RestrictedResource = { method: 'GET', path: '/orders/v0/orders/{orderId}/address' };

export interface SpApiClientOptions {
  /** `https://sellingpartnerapi-na.amazon.com`, or the sandbox's `http://127.0.0.1:7002`. */
  endpoint: string;
  channelAccountId: string;
  lwa: LwaTokenProvider;
  /** One bucket per (channel account, operation), shared by every client of the account. */
  buckets: TokenBucketRegistry;
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per attempt. Default 30 s. */
  requestTimeoutMs?: number;
  onRetry?: (event: RetryEvent) => void;
  observer?: SpApiCallObserver;
  /** Aborts waits and requests in flight: the service is stopping. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export type SpApiCallOutcome = 'ok' | SpApiErrorKind | 'network_error';

/** Every HTTP attempt, and every wait for an operation's token bucket. */
export type SpApiCallObserver = ApiCallObserver<SpApiCallOutcome>;

export interface CallGuard {
  /** Runs right before each HTTP attempt (after the bucket wait); a throw stops the call (the push lease is gone). */
  beforeAttempt?: () => Promise<void>;
}

interface RequestSpec {
  operation: SpApiOperation;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** Safe to repeat after an ambiguous failure (5xx, timeout). */
  idempotent: boolean;
  guard?: CallGuard;
  /** The `x-amz-access-token` to send; default the account's LWA token. */
  accessToken?: AccessTokenSource;
  /** The answer holds PII or a secret: its body text never goes into an error message. */
  sensitive?: boolean;
}

export interface GetOrdersQuery {
  marketplaceIds: readonly string[];
  /** Orders updated at or after this. */
  lastUpdatedAfter: Date;
  /** … and at or before this (Amazon requires it at least two minutes old); none: up to where Amazon's answer ends. */
  lastUpdatedBefore?: Date;
  maxResultsPerPage?: number;
}

export interface ShipmentConfirmationInput {
  marketplaceId: string;
  packageReferenceId: string;
  carrierCode: string;
  carrierName?: string;
  shippingMethod?: string;
  trackingNumber: string;
  shipDate: Date;
  orderItems: Array<{ orderItemId: string; quantity: number }>;
}

export interface FeedSubmission {
  feedId: string;
  feedDocumentId: string;
}

export class SpApiClient {
  private readonly fetchFn: typeof fetch;
  /** The account's RDT for ORDER_ADDRESS_RESOURCE, renewed before it expires or after a 403. */
  private readonly orderAddressToken: AccessTokenCache;

  constructor(private readonly options: SpApiClientOptions) {
    this.fetchFn = options.fetch ?? keepAliveFetch;
    this.orderAddressToken = new AccessTokenCache(() => this.createRestrictedDataToken([ORDER_ADDRESS_RESOURCE]));
  }

  /** Restricted Data Tokens fetched for order addresses so far (for status and tests). */
  get restrictedDataTokensFetched(): number {
    return this.orderAddressToken.fetched;
  }

  // ---- Tokens 2021-03-01 ----

  /** createRestrictedDataToken: an RDT for the resources (at most 50), and its lifetime. */
  async createRestrictedDataToken(resources: readonly RestrictedResource[]): Promise<FetchedToken> {
    const answer = (await this.request({
      operation: 'createRestrictedDataToken',
      method: 'POST',
      path: '/tokens/2021-03-01/restrictedDataToken',
      body: { restrictedResources: resources },
      // A second token for the same resources is harmless.
      idempotent: true,
      sensitive: true,
    })) as { restrictedDataToken?: unknown; expiresIn?: unknown } | undefined;
    const value = answer?.restrictedDataToken;
    const lifetimeSeconds = answer?.expiresIn;
    if (typeof value !== 'string' || value === '' || typeof lifetimeSeconds !== 'number' || !(lifetimeSeconds > 0)) {
      throw malformed('createRestrictedDataToken', 'no restrictedDataToken or expiresIn');
    }
    return { value, lifetimeSeconds };
  }

  // ---- Orders v0 ----

  /**
   * One page of orders updated within a time frame (`nextToken` continues a previous query, which
   * keeps its filters); `lastUpdatedBefore` of the page is where Amazon's answer ends.
   */
  async getOrders(query: GetOrdersQuery, nextToken?: string): Promise<OrdersPage> {
    const params: Record<string, string | undefined> =
      nextToken !== undefined
        ? { MarketplaceIds: query.marketplaceIds.join(','), NextToken: nextToken }
        : {
            MarketplaceIds: query.marketplaceIds.join(','),
            LastUpdatedAfter: query.lastUpdatedAfter.toISOString(),
            LastUpdatedBefore: query.lastUpdatedBefore?.toISOString(),
            MaxResultsPerPage: String(query.maxResultsPerPage ?? 100),
          };
    const body = await this.request({ operation: 'getOrders', method: 'GET', path: '/orders/v0/orders', query: params, idempotent: true });
    const payload = payloadOf('getOrders', body) as { Orders?: unknown; NextToken?: unknown; LastUpdatedBefore?: unknown };
    if (!Array.isArray(payload.Orders)) throw malformed('getOrders', 'payload.Orders is not an array');
    for (const order of payload.Orders) {
      const problem = checkOrder(order);
      if (problem) throw malformed('getOrders', problem);
    }
    return {
      orders: payload.Orders as AmazonOrder[],
      nextToken: typeof payload.NextToken === 'string' && payload.NextToken !== '' ? payload.NextToken : undefined,
      lastUpdatedBefore: typeof payload.LastUpdatedBefore === 'string' ? payload.LastUpdatedBefore : undefined,
    };
  }

  /** The order, or undefined when Amazon does not know it. */
  async getOrder(amazonOrderId: string): Promise<AmazonOrder | undefined> {
    try {
      const body = await this.request({
        operation: 'getOrder',
        method: 'GET',
        path: `/orders/v0/orders/${encodeURIComponent(amazonOrderId)}`,
        idempotent: true,
      });
      const order = payloadOf('getOrder', body);
      const problem = checkOrder(order);
      if (problem) throw malformed('getOrder', problem);
      return order as unknown as AmazonOrder;
    } catch (error) {
      if (error instanceof SpApiError && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  /** Every item of an order, following NextToken. */
  async getOrderItems(amazonOrderId: string): Promise<AmazonOrderItem[]> {
    const items: AmazonOrderItem[] = [];
    let nextToken: string | undefined;
    do {
      const body = await this.request({
        operation: 'getOrderItems',
        method: 'GET',
        path: `/orders/v0/orders/${encodeURIComponent(amazonOrderId)}/orderItems`,
        query: { NextToken: nextToken },
        idempotent: true,
      });
      const payload = payloadOf('getOrderItems', body) as { OrderItems?: unknown; NextToken?: unknown };
      if (!Array.isArray(payload.OrderItems)) throw malformed('getOrderItems', 'payload.OrderItems is not an array');
      for (const item of payload.OrderItems) {
        const problem = checkOrderItem(item);
        if (problem) throw malformed('getOrderItems', problem);
      }
      items.push(...(payload.OrderItems as AmazonOrderItem[]));
      nextToken = typeof payload.NextToken === 'string' && payload.NextToken !== '' ? payload.NextToken : undefined;
    } while (nextToken !== undefined);
    return items;
  }

  /**
   * getOrderAddress with the account's RDT: the complete shipping address (name, street, phone),
   * or undefined when Amazon does not know the order. A restricted operation: PII never reaches a log.
   */
  async getOrderAddress(amazonOrderId: string): Promise<AmazonOrderAddress | undefined> {
    try {
      const body = await this.request({
        operation: 'getOrderAddress',
        method: 'GET',
        path: `/orders/v0/orders/${encodeURIComponent(amazonOrderId)}/address`,
        idempotent: true,
        accessToken: this.orderAddressToken,
        sensitive: true,
      });
      const payload = payloadOf('getOrderAddress', body);
      const problem = checkOrderAddress(payload);
      if (problem) throw malformed('getOrderAddress', problem);
      return payload as unknown as AmazonOrderAddress;
    } catch (error) {
      if (error instanceof SpApiError && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  /** confirmShipment: 204 on success. Not idempotent: a caller that is unsure reads the order back. */
  async confirmShipment(amazonOrderId: string, input: ShipmentConfirmationInput, guard?: CallGuard): Promise<void> {
    await this.request({
      operation: 'confirmShipment',
      method: 'POST',
      path: `/orders/v0/orders/${encodeURIComponent(amazonOrderId)}/shipmentConfirmation`,
      body: {
        marketplaceId: input.marketplaceId,
        packageDetail: {
          packageReferenceId: input.packageReferenceId,
          carrierCode: input.carrierCode,
          ...(input.carrierName ? { carrierName: input.carrierName } : {}),
          ...(input.shippingMethod ? { shippingMethod: input.shippingMethod } : {}),
          trackingNumber: input.trackingNumber,
          shipDate: input.shipDate.toISOString(),
          orderItems: input.orderItems,
        },
      },
      idempotent: false,
      guard,
    });
  }

  // ---- Feeds 2021-06-30 ----

  /** createFeedDocument, upload to its pre-signed URL with the same Content-Type, createFeed. */
  async submitFeed(
    feedType: string,
    contentType: string,
    content: string,
    marketplaceIds: readonly string[],
    guard?: CallGuard,
  ): Promise<FeedSubmission> {
    const document = (await this.request({
      operation: 'createFeedDocument',
      method: 'POST',
      path: '/feeds/2021-06-30/documents',
      body: { contentType },
      idempotent: true,
      guard,
    })) as { feedDocumentId?: unknown; url?: unknown };
    if (typeof document?.feedDocumentId !== 'string' || typeof document.url !== 'string')
      throw malformed('createFeedDocument', 'no feedDocumentId or url');
    await this.upload(document.url, contentType, content);
    const created = (await this.request({
      operation: 'createFeed',
      method: 'POST',
      path: '/feeds/2021-06-30/feeds',
      body: { feedType, marketplaceIds, inputFeedDocumentId: document.feedDocumentId },
      idempotent: false,
      guard,
    })) as { feedId?: unknown };
    if (typeof created?.feedId !== 'string') throw malformed('createFeed', 'no feedId');
    return { feedId: created.feedId, feedDocumentId: document.feedDocumentId };
  }

  async getFeed(feedId: string): Promise<AmazonFeed> {
    const feed = (await this.request({
      operation: 'getFeed',
      method: 'GET',
      path: `/feeds/2021-06-30/feeds/${encodeURIComponent(feedId)}`,
      idempotent: true,
    })) as Partial<AmazonFeed>;
    if (typeof feed?.feedId !== 'string' || !(FEED_PROCESSING_STATUSES as readonly string[]).includes(feed.processingStatus as string)) {
      throw malformed('getFeed', 'no feedId or an unknown processingStatus');
    }
    return {
      feedId: feed.feedId,
      feedType: String(feed.feedType),
      processingStatus: feed.processingStatus as AmazonFeed['processingStatus'],
      resultFeedDocumentId: typeof feed.resultFeedDocumentId === 'string' ? feed.resultFeedDocumentId : undefined,
    };
  }

  /** The text of a feed document (a processing report), decompressed when Amazon says GZIP. */
  async downloadFeedDocument(feedDocumentId: string): Promise<string> {
    const document = (await this.request({
      operation: 'getFeedDocument',
      method: 'GET',
      path: `/feeds/2021-06-30/documents/${encodeURIComponent(feedDocumentId)}`,
      idempotent: true,
    })) as { url?: unknown; compressionAlgorithm?: unknown };
    if (typeof document?.url !== 'string') throw malformed('getFeedDocument', 'no url');
    const url = document.url;
    return this.withRetry(true, async () => {
      const response = await this.fetchFn(url, { signal: this.requestSignal() });
      if (!response.ok) throw await this.documentError('downloadFeedDocument', response);
      const bytes = Buffer.from(await response.arrayBuffer());
      return (document.compressionAlgorithm === 'GZIP' ? gunzipSync(bytes) : bytes).toString('utf8');
    });
  }

  // ---- Listings Items 2021-08-01 ----

  async patchListingsItem(
    sellerId: string,
    sku: string,
    marketplaceIds: readonly string[],
    body: { productType: string; patches: unknown[] },
    guard?: CallGuard,
  ): Promise<ListingsSubmission> {
    const answer = (await this.request({
      operation: 'patchListingsItem',
      method: 'PATCH',
      path: `/listings/2021-08-01/items/${encodeURIComponent(sellerId)}/${encodeURIComponent(sku)}`,
      query: { marketplaceIds: marketplaceIds.join(','), issueLocale: 'en_US' },
      body,
      // The same patch applied twice leaves the same state.
      idempotent: true,
      guard,
    })) as Partial<ListingsSubmission>;
    if ((answer?.status !== 'ACCEPTED' && answer?.status !== 'INVALID') || !Array.isArray(answer.issues)) {
      throw malformed('patchListingsItem', 'no status or issues');
    }
    return { sku: answer.sku ?? sku, status: answer.status, submissionId: String(answer.submissionId ?? ''), issues: answer.issues };
  }

  /** The listing with its DEFAULT quantity, or undefined when Amazon has no listing for the SKU. */
  async getListingsItem(sellerId: string, sku: string, marketplaceIds: readonly string[]): Promise<ListingsItem | undefined> {
    try {
      const answer = (await this.request({
        operation: 'getListingsItem',
        method: 'GET',
        path: `/listings/2021-08-01/items/${encodeURIComponent(sellerId)}/${encodeURIComponent(sku)}`,
        query: { marketplaceIds: marketplaceIds.join(','), includedData: 'summaries,fulfillmentAvailability' },
        idempotent: true,
      })) as { fulfillmentAvailability?: unknown; summaries?: unknown };
      const availability = Array.isArray(answer?.fulfillmentAvailability) ? answer.fulfillmentAvailability : [];
      const entry = availability.find(
        (candidate: { fulfillmentChannelCode?: unknown }) => candidate?.fulfillmentChannelCode === 'DEFAULT',
      ) as { quantity?: unknown } | undefined;
      const [summary] = Array.isArray(answer?.summaries) ? (answer.summaries as Array<{ asin?: unknown }>) : [];
      return {
        sku,
        quantity: Number.isSafeInteger(entry?.quantity) ? (entry?.quantity as number) : null,
        asin: typeof summary?.asin === 'string' ? summary.asin : null,
      };
    } catch (error) {
      if (error instanceof SpApiError && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  // ---- transport ----

  private request(spec: RequestSpec): Promise<unknown> {
    return this.withRetry(spec.idempotent, () => this.attempt(spec));
  }

  private withRetry<T>(idempotent: boolean, attempt: () => Promise<T>): Promise<T> {
    return retryWithBackoff(attempt, {
      retries: this.options.retries ?? 4,
      baseDelayMs: this.options.baseDelayMs ?? 500,
      maxDelayMs: this.options.maxDelayMs ?? 20_000,
      isRetryable: (error) => {
        if (error instanceof SpApiError) return error.retryable && (idempotent || error.kind === 'throttled');
        // A refused connection never reached Amazon; anything else may have.
        return idempotent ? isTransientError(error) : isRefused(error);
      },
      retryAfterMs: (error) => (error instanceof SpApiError ? error.retryAfterMs : undefined),
      onRetry: this.options.onRetry,
      signal: this.options.signal,
    });
  }

  private async attempt(spec: RequestSpec): Promise<unknown> {
    const observer = this.options.observer;
    const bucket = this.options.buckets.get(this.options.channelAccountId, spec.operation);
    const waitStartedAt = performance.now();
    await bucket.acquire(this.options.signal);
    const waitedMs = performance.now() - waitStartedAt;
    if (waitedMs >= 1) observer?.throttleWait?.(spec.operation, waitedMs / 1000);
    await spec.guard?.beforeAttempt?.();

    const tokens = spec.accessToken ?? this.options.lwa;
    let token = await tokens.token();
    const sentAt = performance.now();
    const networkFailure = (error: unknown): never => {
      observer?.call?.(spec.operation, 'network_error', (performance.now() - sentAt) / 1000);
      throw error;
    };
    let response = await this.send(spec, token).catch(networkFailure);
    if (response.status === 403) {
      // Expired early or revoked (an LWA token or an RDT): one more try with a fresh token before calling it unauthorised.
      await response.body?.cancel();
      tokens.invalidate(token);
      token = await tokens.token();
      response = await this.send(spec, token).catch(networkFailure);
    }
    const text = await response.text().catch(networkFailure);
    const seconds = (performance.now() - sentAt) / 1000;
    bucket.applyRateLimitHeader(response.headers.get('x-amzn-ratelimit-limit'));
    try {
      const body = this.interpret(spec, response, text);
      observer?.call?.(spec.operation, 'ok', seconds);
      return body;
    } catch (error) {
      if (error instanceof SpApiError && error.kind === 'throttled') bucket.markThrottled();
      observer?.call?.(spec.operation, error instanceof SpApiError ? error.kind : 'network_error', seconds);
      throw error;
    }
  }

  private send(spec: RequestSpec, token: string): Promise<Response> {
    const url = new URL(spec.path, this.options.endpoint);
    for (const [name, value] of Object.entries(spec.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-amz-access-token': token,
      'user-agent': 'retail-mesh-channel-amazon/0.1 (Language=TypeScript)',
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    return this.fetchFn(url, {
      method: spec.method,
      headers,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      signal: this.requestSignal(),
    });
  }

  private interpret(spec: RequestSpec, response: Response, text: string): unknown {
    const operation = spec.operation;
    // A body that may hold PII or a token is described by its length only.
    const excerpt = spec.sensitive ? `(${text.length} characters, not shown)` : text.slice(0, 200);
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const status = response.status;
    const requestId = response.headers.get('x-amzn-requestid') ?? undefined;
    if (status >= 200 && status < 300) {
      if (text !== '' && body === undefined) {
        // A truncated or non-JSON 2xx body (a proxy, a cut connection).
        throw new SpApiError({
          kind: 'malformed_response',
          operation,
          status,
          requestId,
          message: `response is not JSON: ${excerpt}`,
          retryable: true,
        });
      }
      return body;
    }
    const errors = readErrorEnvelope(body);
    const kind = kindOfStatus(status);
    const summary = errors.map((error) => `${error.code}: ${error.message}`).join('; ') || excerpt;
    throw new SpApiError({
      kind,
      operation,
      status,
      errors,
      requestId,
      message: `HTTP ${status}: ${summary}`,
      retryable: kind === 'throttled' || kind === 'server_error',
      // SP-API sends no Retry-After on 429: the emptied bucket paces the retry. A proxy's Retry-After still counts.
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) ?? (kind === 'throttled' ? 0 : undefined),
    });
  }

  private async upload(url: string, contentType: string, content: string): Promise<void> {
    await this.withRetry(true, async () => {
      const response = await this.fetchFn(url, {
        method: 'PUT',
        headers: { 'content-type': contentType },
        body: content,
        signal: this.requestSignal(),
      });
      if (!response.ok) throw await this.documentError('uploadFeedDocument', response);
      await response.body?.cancel();
    });
  }

  private async documentError(operation: string, response: Response): Promise<SpApiError> {
    const text = await response.text().catch(() => '');
    return new SpApiError({
      kind: response.status >= 500 ? 'server_error' : 'http_error',
      operation,
      status: response.status,
      message: `document storage answered HTTP ${response.status}: ${text.slice(0, 200)}`,
      retryable: response.status >= 500 || response.status === 429,
    });
  }

  private requestSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 30_000);
    return this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
  }
}

function payloadOf(operation: string, body: unknown): Record<string, unknown> {
  const payload = (body as { payload?: unknown } | undefined)?.payload;
  if (payload === null || typeof payload !== 'object') throw malformed(operation, 'no payload');
  return payload as Record<string, unknown>;
}

function malformed(operation: string, what: string): SpApiError {
  return new SpApiError({ kind: 'malformed_response', operation, message: `unexpected answer: ${what}`, retryable: false });
}

function isRefused(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: unknown }).code === 'ECONNREFUSED') return true;
  }
  return false;
}
