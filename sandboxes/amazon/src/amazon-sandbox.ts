// The Amazon sandbox: the Selling Partner API as channel-amazon sees it. Login with Amazon token
// exchange, `x-amz-access-token` on every call, per-operation token buckets (429 QuotaExceeded,
// `x-amzn-RateLimit-Limit`), Orders v0 (`{"payload": …}`) with buyer PII only for a Restricted
// Data Token (Tokens API 2021-03-01), Feeds 2021-06-30 with pre-signed document URLs and
// asynchronous processing, Listings Items 2021-08-01; plus admin routes to seed sellers, orders
// and listings, drive feed processing and inspect what the adapter did.
import {
  baseUrlOf,
  headerValue,
  isRecord,
  jsonResponse,
  noContent,
  parseJsonBody,
  Router,
  startSandboxServer,
  type FaultRule,
  type RunningSandbox,
  type SandboxRequest,
  type SandboxResponse,
} from '@retail-mesh/sandbox-kit';
import { DEFAULT_AMAZON_SELLER, LwaTokens, type AmazonSeller } from './auth/lwa-tokens.js';
import { DATA_ELEMENTS, RestrictedDataTokens, type DataElement } from './auth/restricted-data-tokens.js';
import { DOCUMENT_PATH_PREFIX, feedView, FeedStore, type StoredFeed } from './feeds/feed-store.js';
import { isKnownFeedType, processFeed } from './feeds/feed-processors.js';
import { defaultQuantity, ListingStore, validatePatches, type StoredListing } from './listings/listing-store.js';
import {
  amazonTime,
  itemsToShip,
  minorToAmount,
  ORDER_STATUSES,
  orderAddressView,
  orderItemView,
  OrderStore,
  orderView,
  type OrderSeed,
  type OrderStatus,
  type StoredOrder,
} from './orders/order-store.js';
import {
  internalFailure,
  invalidInput,
  lwaError,
  notFound,
  quotaExceeded,
  spApiError,
  spApiHeaders,
  unauthorized,
  type UnauthorizedReason,
} from './sp-api-errors.js';
import { isOperation, UsagePlanBuckets, type Operation, type UsagePlan } from './throttling/usage-plans.js';

export const AMAZON_SANDBOX_DEFAULT_PORT = 7002;
export const LWA_TOKEN_PATH = '/auth/o2/token';
export const RESTRICTED_DATA_TOKEN_PATH = '/tokens/2021-03-01/restrictedDataToken';

/** A channel-amazon account (an entry of its AMAZON_ACCOUNTS) that reaches the sandbox at `sandboxUrl` as `seller`. */
export interface SandboxAmazonAccount extends AmazonSeller {
  channelAccountId: string;
  spApiEndpoint: string;
  lwaEndpoint: string;
}

export function sandboxAmazonAccount(sandboxUrl: string, channelAccountId: string, seller: AmazonSeller): SandboxAmazonAccount {
  return { channelAccountId, ...seller, spApiEndpoint: sandboxUrl, lwaEndpoint: `${sandboxUrl}${LWA_TOKEN_PATH}` };
}
const ORDERS_PAGE_MAX = 100;
const ORDER_ITEMS_PAGE_SIZE = 20;
// Orders v0: CreatedBefore / LastUpdatedBefore must be at least two minutes before the request.
const BEFORE_MIN_AGE_MS = 120_000;
// The getOrders answers `GET /_sandbox/order-pages` keeps, newest last.
const ORDER_PAGES_KEPT = 1000;
// What Amazon answers to a time filter it refuses (a *Before less than two minutes old, or before
// its *After): the generic InvalidInput with empty details (selling-partner-api-docs issue 326);
// the sandbox says which rule in `details`.
const INVALID_INPUT_MESSAGE = 'The input you have submitted is not valid. Please check your input and try again.';

export interface AmazonSandboxOptions {
  port: number;
  host?: string;
  /** Selling partners present at start and after every reset (default: DEFAULT_AMAZON_SELLER). */
  sellers?: AmazonSeller[];
  /** Access token lifetime (default 3600, LWA's one hour). */
  tokenTtlSeconds?: number;
  /** Restricted Data Token lifetime, the `expiresIn` of createRestrictedDataToken (default 3600). */
  restrictedDataTokenTtlSeconds?: number;
  /** Usage plans that differ from the defaults (tests raise getOrders' 0.0167/s). */
  usagePlans?: Partial<Record<Operation, UsagePlan>>;
  /** A feed stays IN_QUEUE this long after createFeed (default 2000 ms). */
  feedQueuedMs?: number;
  /** … then IN_PROGRESS this long before DONE (default 3000 ms). */
  feedProcessingMs?: number;
  /** An ACCEPTED listings PATCH is applied this long after it was accepted (default 1000 ms). */
  listingsApplyMs?: number;
  /** Amazon's index lag: getOrders lists an order only this long after its last update (default 0: at once). */
  orderListLagMs?: number;
  /**
   * How old a CreatedBefore / LastUpdatedBefore must at least be (default 120000: Amazon's two
   * minutes). Tests of a poll settle time shorter than that lower it.
   */
  beforeMinAgeMs?: number;
  requestLogCapacity?: number;
  /** Clock for tokens, buckets, feed processing and timestamps. */
  now?: () => number;
}

export interface AmazonSandbox extends RunningSandbox {
  /** In-process access for embedded mode and tests; the admin routes drive the same objects. */
  orders: OrderStore;
  listings: ListingStore;
  feeds: FeedStore;
  lwa: LwaTokens;
  rdt: RestrictedDataTokens;
  plans: UsagePlanBuckets;
  /** Runs every queued feed and listings submission now, in order. */
  processAll(): { feeds: number; submissions: number };
}

interface State {
  sellers: Map<string, AmazonSeller>;
  orders: OrderStore;
  listings: ListingStore;
  feeds: FeedStore;
  lwa: LwaTokens;
  rdt: RestrictedDataTokens;
  plans: UsagePlanBuckets;
  now: () => number;
  timing: { feedQueuedMs: number; feedProcessingMs: number; listingsApplyMs: number };
  orderListing: OrderListingSettings;
  /** getOrders answers, oldest first (at most ORDER_PAGES_KEPT). */
  orderPages: OrderPage[];
  nextOrderPage: { seq: number };
  sequence: { next: number };
  dropConfirmations: { remaining: number };
  /** The next feeds (of one type, or any) that end FATAL without being applied: Amazon failing to process them. */
  fatalFeeds: { remaining: number; feedType: string | null };
}

interface OrderListingSettings {
  orderListLagMs: number;
  beforeMinAgeMs: number;
}

/** One getOrders answer, for tests to count what the adapter listed (`GET /_sandbox/order-pages`). */
interface OrderPage {
  seq: number;
  at: string;
  sellerId: string;
  field: 'LastUpdateDate' | 'PurchaseDate';
  /** The query's bounds (ISO 8601, to the millisecond); `before` is the request time when none was sent (`beforeSent`). */
  after: string;
  before: string;
  beforeSent: boolean;
  /** Where in the query's orders the page starts (0: a first page, else a NextToken page). */
  offset: number;
  amazonOrderIds: string[];
}

const ROUTES: Array<{ method: string; pattern: RegExp; operation: Operation }> = [
  { method: 'GET', pattern: /^\/orders\/v0\/orders$/, operation: 'getOrders' },
  { method: 'GET', pattern: /^\/orders\/v0\/orders\/[^/]+$/, operation: 'getOrder' },
  { method: 'GET', pattern: /^\/orders\/v0\/orders\/[^/]+\/orderItems$/, operation: 'getOrderItems' },
  { method: 'GET', pattern: /^\/finances\/v0\/orders\/[^/]+\/financialEvents$/, operation: 'listFinancialEventsByOrderId' },
  { method: 'GET', pattern: /^\/orders\/v0\/orders\/[^/]+\/address$/, operation: 'getOrderAddress' },
  { method: 'POST', pattern: /^\/orders\/v0\/orders\/[^/]+\/shipmentConfirmation$/, operation: 'confirmShipment' },
  { method: 'POST', pattern: /^\/feeds\/2021-06-30\/documents$/, operation: 'createFeedDocument' },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/documents\/[^/]+$/, operation: 'getFeedDocument' },
  { method: 'POST', pattern: /^\/feeds\/2021-06-30\/feeds$/, operation: 'createFeed' },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/feeds$/, operation: 'getFeeds' },
  { method: 'GET', pattern: /^\/feeds\/2021-06-30\/feeds\/[^/]+$/, operation: 'getFeed' },
  { method: 'DELETE', pattern: /^\/feeds\/2021-06-30\/feeds\/[^/]+$/, operation: 'cancelFeed' },
  { method: 'GET', pattern: /^\/listings\/2021-08-01\/items\/[^/]+\/[^/]+$/, operation: 'getListingsItem' },
  { method: 'PATCH', pattern: /^\/listings\/2021-08-01\/items\/[^/]+\/[^/]+$/, operation: 'patchListingsItem' },
  { method: 'POST', pattern: /^\/tokens\/2021-03-01\/restrictedDataToken$/, operation: 'createRestrictedDataToken' },
];

/** The SP-API operation a request calls, for rate limits and faults scoped with `operation`. */
export function operationOf(method: string, path: string): Operation | undefined {
  return ROUTES.find((route) => route.method === method.toUpperCase() && route.pattern.test(path))?.operation;
}

export async function startAmazonSandbox(options: AmazonSandboxOptions): Promise<AmazonSandbox> {
  const now = options.now ?? Date.now;
  const sellers = new Map<string, AmazonSeller>();
  const seedSellers = () => {
    sellers.clear();
    for (const seller of options.sellers ?? [DEFAULT_AMAZON_SELLER]) sellers.set(seller.sellerId, { ...seller });
  };
  seedSellers();
  const orderListing = (): OrderListingSettings => ({
    orderListLagMs: options.orderListLagMs ?? 0,
    beforeMinAgeMs: options.beforeMinAgeMs ?? BEFORE_MIN_AGE_MS,
  });
  const state: State = {
    sellers,
    orders: new OrderStore(now),
    listings: new ListingStore(now),
    feeds: new FeedStore(now),
    lwa: new LwaTokens(() => [...sellers.values()], options.tokenTtlSeconds ?? 3600, now),
    rdt: new RestrictedDataTokens(options.restrictedDataTokenTtlSeconds ?? 3600, now),
    plans: new UsagePlanBuckets(options.usagePlans ?? {}, now),
    now,
    timing: {
      feedQueuedMs: options.feedQueuedMs ?? 2000,
      feedProcessingMs: options.feedProcessingMs ?? 3000,
      listingsApplyMs: options.listingsApplyMs ?? 1000,
    },
    orderListing: orderListing(),
    orderPages: [],
    nextOrderPage: { seq: 1 },
    sequence: { next: 1 },
    dropConfirmations: { remaining: 0 },
    fatalFeeds: { remaining: 0, feedType: null },
  };

  const router = new Router();
  router.add('POST', LWA_TOKEN_PATH, (request) => {
    const result = state.lwa.issue(new URLSearchParams(request.rawBody));
    if (!result.ok) return lwaError(result.status, result.error, result.description);
    return jsonResponse(200, result.token, { 'cache-control': 'no-cache, no-store' });
  });
  addTokensRoutes(router, state);
  addOrdersRoutes(router, state);
  addFeedsRoutes(router, state);
  addListingsRoutes(router, state);
  addDocumentRoutes(router, state);
  addAdminRoutes(router, state);

  const running = await startSandboxServer(
    {
      name: 'amazon',
      router,
      reset: () => {
        seedSellers();
        state.orders.clear();
        state.listings.clear();
        state.feeds.clear();
        state.lwa.clear();
        state.rdt.clear();
        state.plans.reset();
        state.dropConfirmations.remaining = 0;
        state.fatalFeeds.remaining = 0;
        state.orderListing = orderListing();
        state.orderPages.length = 0;
        state.nextOrderPage.seq = 1;
      },
      describeOperations: (request) => {
        const operation = operationOf(request.method, request.path);
        return operation ? [operation] : [];
      },
      rateLimitResponse: (rule: FaultRule, request) => {
        const operation = operationOf(request.method, request.path);
        // SP-API sends no Retry-After; only a rule that asks for one gets it.
        return quotaExceeded(operation ? state.plans.plan(operation).rate : 1, rule.retryAfterSeconds);
      },
      serverErrorResponse: (status) => internalFailure(status),
      notFoundResponse: (request) => notFound(`Resource ${request.path} is not found.`),
    },
    { port: options.port, host: options.host, requestLogCapacity: options.requestLogCapacity, now },
  );
  return {
    ...running,
    orders: state.orders,
    listings: state.listings,
    feeds: state.feeds,
    lwa: state.lwa,
    rdt: state.rdt,
    plans: state.plans,
    processAll: () => advance(state, undefined),
  };
}

/**
 * Runs the asynchronous work that is due: feed processing and ACCEPTED listings submissions, in
 * the order they were created. Called before every request, so time alone moves things on.
 */
function advance(state: State, now: number | undefined): { feeds: number; submissions: number } {
  state.feeds.start(now);
  const feeds = state.feeds.due(now);
  const submissions = state.listings.takeDue(now);
  const work: Array<{ sequence: number; run: () => void }> = [
    ...feeds.map((feed) => ({ sequence: feed.sequence, run: () => completeFeed(state, feed) })),
    ...submissions.map((submission) => ({
      sequence: submission.sequence,
      run: () => {
        const listing = state.listings.get(submission.sellerId, submission.sku);
        // A listing deleted meanwhile: the submission has nothing left to apply to.
        if (listing) state.listings.applyPatches(listing, submission.patches, `patch:${submission.submissionId}`);
      },
    })),
  ].sort((a, b) => a.sequence - b.sequence);
  for (const item of work) item.run();
  return { feeds: feeds.length, submissions: submissions.length };
}

function completeFeed(state: State, feed: StoredFeed): void {
  const fatal = state.fatalFeeds;
  if (fatal.remaining > 0 && (fatal.feedType === null || fatal.feedType === feed.feedType)) {
    fatal.remaining -= 1;
    const content = `Feed ${feed.feedId} could not be processed because of an internal error. Submit it again.\n`;
    state.feeds.finish(feed, 'FATAL', { contentType: 'text/plain; charset=UTF-8', content });
    return;
  }
  const input = state.feeds.document(feed.inputFeedDocumentId);
  const outcome = processFeed(feed, input?.content ?? '', { orders: state.orders, listings: state.listings, now: state.now });
  state.feeds.finish(feed, outcome.status, outcome.report);
}

/** What the caller's token grants: the PII data elements of its RDT (none for an LWA token). */
interface Access {
  dataElements: ReadonlySet<DataElement>;
}

type SellerHandler = (request: SandboxRequest, seller: AmazonSeller, access: Access) => SandboxResponse | Promise<SandboxResponse>;

const NO_PII: Access = { dataElements: new Set() };

/**
 * Who calls, with what: an LWA access token (any operation but the restricted-only ones, no PII)
 * or a Restricted Data Token (only the resources it names, with their data elements).
 */
function authenticate(
  state: State,
  request: SandboxRequest,
  restrictedOnly: boolean,
): { sellerId: string; access: Access } | UnauthorizedReason {
  const token = headerValue(request, 'x-amz-access-token');
  if (RestrictedDataTokens.isRestrictedDataToken(token)) {
    const check = state.rdt.check(token, request.method, request.path);
    return check.ok ? { sellerId: check.sellerId, access: { dataElements: check.dataElements } } : check.reason;
  }
  const check = state.lwa.check(token);
  if (!check.ok) return check.expired ? 'expired' : 'invalid';
  return restrictedOnly ? 'restricted' : { sellerId: check.sellerId, access: NO_PII };
}

/** Authentication, the operation's bucket and the response headers every SP-API operation shares. */
function spApi(
  state: State,
  operation: Operation,
  handler: SellerHandler,
  options: { restrictedOnly?: boolean } = {},
): (request: SandboxRequest) => Promise<SandboxResponse> {
  return async (request) => {
    advance(state, state.now());
    const caller = authenticate(state, request, options.restrictedOnly ?? false);
    if (typeof caller === 'string') return unauthorized(caller);
    const seller = state.sellers.get(caller.sellerId);
    if (!seller) return unauthorized('invalid');
    const rate = state.plans.plan(operation).rate;
    if (!state.plans.tryTake(seller.sellerId, operation)) return quotaExceeded(rate);
    const response = await handler(request, seller, caller.access);
    return { ...response, headers: { ...spApiHeaders(rate), ...response.headers } };
  };
}

// ---- Tokens 2021-03-01 ----

function addTokensRoutes(router: Router, state: State): void {
  router.add(
    'POST',
    RESTRICTED_DATA_TOKEN_PATH,
    spApi(state, 'createRestrictedDataToken', (request, seller) => {
      const body = parseJsonBody(request);
      if (!body.ok) return invalidInput('Request has missing or invalid parameters and cannot be parsed.');
      const result = state.rdt.issue(seller.sellerId, body.value);
      if (!result.ok) return spApiError(400, result.code, result.message, result.details);
      return jsonResponse(200, result.token);
    }),
  );
}

// ---- Orders v0 ----

interface OrdersQuery {
  marketplaceIds: string[];
  field: 'LastUpdateDate' | 'PurchaseDate';
  after: number;
  before: number;
  /** Whether the query named its upper bound (else `before` is the time of its first page). */
  beforeSent: boolean;
  statuses: string[];
  pageSize: number;
}

function encodeNextToken(query: OrdersQuery, offset: number): string {
  return Buffer.from(JSON.stringify({ ...query, offset })).toString('base64');
}

function decodeNextToken(token: string): (OrdersQuery & { offset: number }) | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as OrdersQuery & { offset: number };
    return Array.isArray(value.marketplaceIds) && Number.isInteger(value.offset) ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseTime(value: string | null, name: string): number | string | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) return `${name} must be an ISO 8601 date-time, got ${value}`;
  return ms;
}

function readOrdersQuery(
  request: SandboxRequest,
  seller: AmazonSeller,
  now: number,
  beforeMinAgeMs: number,
): OrdersQuery | SandboxResponse {
  const marketplaceIds = (request.query.get('MarketplaceIds') ?? '').split(',').filter((id) => id !== '');
  if (marketplaceIds.length === 0) return invalidInput('Missing required parameter: MarketplaceIds.');
  if (marketplaceIds.length > 50) return invalidInput('MarketplaceIds accepts at most 50 values.');
  const unknown = marketplaceIds.find((id) => !seller.marketplaceIds.includes(id));
  if (unknown) return invalidInput(`Invalid MarketplaceId ${unknown}: the seller does not participate in it.`);
  const times: Record<string, number | undefined> = {};
  for (const name of ['CreatedAfter', 'CreatedBefore', 'LastUpdatedAfter', 'LastUpdatedBefore']) {
    const parsed = parseTime(request.query.get(name), name);
    if (typeof parsed === 'string') return invalidInput(parsed);
    times[name] = parsed;
  }
  const created = times.CreatedAfter !== undefined || times.CreatedBefore !== undefined;
  const updated = times.LastUpdatedAfter !== undefined || times.LastUpdatedBefore !== undefined;
  if (created && updated) return invalidInput('CreatedAfter/CreatedBefore and LastUpdatedAfter/LastUpdatedBefore cannot be combined.');
  const after = created ? times.CreatedAfter : times.LastUpdatedAfter;
  if (after === undefined) return invalidInput('Either CreatedAfter or LastUpdatedAfter must be specified.');
  const explicitBefore = created ? times.CreatedBefore : times.LastUpdatedBefore;
  const beforeName = created ? 'CreatedBefore' : 'LastUpdatedBefore';
  if (explicitBefore !== undefined && explicitBefore > now - beforeMinAgeMs) {
    const minAge = beforeMinAgeMs === BEFORE_MIN_AGE_MS ? 'two minutes' : `${beforeMinAgeMs} ms (two minutes on Amazon)`;
    return invalidInput(INVALID_INPUT_MESSAGE, `${beforeName} must be at least ${minAge} before the request time.`);
  }
  if (explicitBefore !== undefined && explicitBefore < after) {
    return invalidInput(INVALID_INPUT_MESSAGE, `${beforeName} must be equal to or after ${created ? 'CreatedAfter' : 'LastUpdatedAfter'}.`);
  }
  const pageSizeParam = request.query.get('MaxResultsPerPage');
  const pageSize = pageSizeParam === null ? ORDERS_PAGE_MAX : Number(pageSizeParam);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > ORDERS_PAGE_MAX)
    return invalidInput('MaxResultsPerPage must be an integer from 1 to 100.');
  const statuses = (request.query.get('OrderStatuses') ?? '').split(',').filter((status) => status !== '');
  const badStatus = statuses.find((status) => !(ORDER_STATUSES as readonly string[]).includes(status));
  if (badStatus) return invalidInput(`Invalid OrderStatuses value ${badStatus}.`);
  return {
    marketplaceIds,
    field: created ? 'PurchaseDate' : 'LastUpdateDate',
    after,
    before: explicitBefore ?? now,
    beforeSent: explicitBefore !== undefined,
    statuses,
    pageSize,
  };
}

function addOrdersRoutes(router: Router, state: State): void {
  const sellerOrder = (request: SandboxRequest, seller: AmazonSeller): StoredOrder | undefined => {
    const order = state.orders.get(request.params.orderId);
    return order?.sellerId === seller.sellerId ? order : undefined;
  };

  router.add(
    'GET',
    '/orders/v0/orders',
    spApi(state, 'getOrders', (request, seller, access) => {
      const nextToken = request.query.get('NextToken');
      let query: OrdersQuery;
      let offset = 0;
      if (nextToken !== null) {
        const decoded = decodeNextToken(nextToken);
        if (!decoded) return invalidInput('Invalid NextToken.');
        ({ offset, ...query } = decoded);
      } else {
        const read = readOrdersQuery(request, seller, state.now(), state.orderListing.beforeMinAgeMs);
        if ('status' in read) return read;
        query = read;
      }
      // Amazon's index lag: an update shows in the list (not in getOrder) only orderListLagMs after it.
      const listedUpTo = state.now() - state.orderListing.orderListLagMs;
      const matching = state.orders
        .list()
        .filter((order) => order.sellerId === seller.sellerId && query.marketplaceIds.includes(order.marketplaceId))
        .filter((order) => order.updatedAtMs <= listedUpTo)
        .filter((order) => query.statuses.length === 0 || query.statuses.includes(order.status))
        .filter((order) => {
          const at = Date.parse(query.field === 'PurchaseDate' ? order.purchaseDate : order.lastUpdateDate);
          return at >= query.after && at <= query.before;
        })
        .sort((a, b) => a[fieldKey(query.field)].localeCompare(b[fieldKey(query.field)]) || a.amazonOrderId.localeCompare(b.amazonOrderId));
      const page = matching.slice(offset, offset + query.pageSize);
      const payload: Record<string, unknown> = { Orders: page.map((order) => orderView(order, access.dataElements)) };
      if (offset + query.pageSize < matching.length) payload.NextToken = encodeNextToken(query, offset + query.pageSize);
      payload[query.field === 'PurchaseDate' ? 'CreatedBefore' : 'LastUpdatedBefore'] = amazonTime(query.before);
      recordOrderPage(state, {
        sellerId: seller.sellerId,
        field: query.field,
        after: new Date(query.after).toISOString(),
        before: new Date(query.before).toISOString(),
        beforeSent: query.beforeSent,
        offset,
        amazonOrderIds: page.map((order) => order.amazonOrderId),
      });
      return jsonResponse(200, { payload });
    }),
  );

  router.add(
    'GET',
    '/orders/v0/orders/:orderId',
    spApi(state, 'getOrder', (request, seller, access) => {
      const order = sellerOrder(request, seller);
      return order
        ? jsonResponse(200, { payload: orderView(order, access.dataElements) })
        : notFound(`Order ${request.params.orderId} is not found.`);
    }),
  );

  router.add(
    'GET',
    '/orders/v0/orders/:orderId/address',
    spApi(
      state,
      'getOrderAddress',
      (request, seller) => {
        const order = sellerOrder(request, seller);
        return order ? jsonResponse(200, { payload: orderAddressView(order) }) : notFound(`Order ${request.params.orderId} is not found.`);
      },
      { restrictedOnly: true },
    ),
  );

  // Finances v0: what an order's order adjustments refunded, as RefundEventList (the seller's view:
  // refunded charges negative, a promotion taken back positive; CurrencyAmount is a number here).
  router.add(
    'GET',
    '/finances/v0/orders/:orderId/financialEvents',
    spApi(state, 'listFinancialEventsByOrderId', (request, seller) => {
      const order = sellerOrder(request, seller);
      const FinancialEvents = { RefundEventList: order ? refundEvents(order) : [] };
      return jsonResponse(200, { payload: { FinancialEvents } });
    }),
  );

  router.add(
    'GET',
    '/orders/v0/orders/:orderId/orderItems',
    spApi(state, 'getOrderItems', (request, seller) => {
      const order = sellerOrder(request, seller);
      if (!order) return notFound(`Order ${request.params.orderId} is not found.`);
      const nextToken = request.query.get('NextToken');
      const offset =
        nextToken === null
          ? 0
          : Number(
              Buffer.from(nextToken, 'base64')
                .toString('utf8')
                .replace(/^items:/, ''),
            );
      if (!Number.isInteger(offset) || offset < 0) return invalidInput('Invalid NextToken.');
      const items = order.items.slice(offset, offset + ORDER_ITEMS_PAGE_SIZE);
      const payload: Record<string, unknown> = {
        AmazonOrderId: order.amazonOrderId,
        OrderItems: items.map((item) => orderItemView(order, item)),
      };
      if (offset + ORDER_ITEMS_PAGE_SIZE < order.items.length) {
        payload.NextToken = Buffer.from(`items:${offset + ORDER_ITEMS_PAGE_SIZE}`).toString('base64');
      }
      return jsonResponse(200, { payload });
    }),
  );

  router.add(
    'POST',
    '/orders/v0/orders/:orderId/shipmentConfirmation',
    spApi(state, 'confirmShipment', (request, seller) => {
      const order = sellerOrder(request, seller);
      if (!order) return notFound(`Order ${request.params.orderId} is not found.`);
      const body = parseJsonBody(request);
      if (!body.ok || !isRecord(body.value)) return invalidInput('The request body is not a JSON object.');
      const problem = checkShipmentConfirmation(order, body.value, seller);
      if (typeof problem === 'string') return invalidInput(problem);
      if (state.dropConfirmations.remaining > 0) {
        // Accepted but never applied: the adapter's read-back must notice.
        state.dropConfirmations.remaining -= 1;
        order.droppedConfirmations += 1;
        return noContent();
      }
      order.shipments.push({ ...problem, confirmedAt: new Date(state.now()).toISOString() });
      state.orders.ship(order, problem.items);
      return noContent();
    }),
  );
}

function recordOrderPage(state: State, page: Omit<OrderPage, 'seq' | 'at'>): void {
  state.orderPages.push({ seq: state.nextOrderPage.seq++, at: new Date(state.now()).toISOString(), ...page });
  if (state.orderPages.length > ORDER_PAGES_KEPT) state.orderPages.shift();
}

function fieldKey(field: OrdersQuery['field']): 'purchaseDate' | 'lastUpdateDate' {
  return field === 'PurchaseDate' ? 'purchaseDate' : 'lastUpdateDate';
}

function checkShipmentConfirmation(
  order: StoredOrder,
  body: Record<string, unknown>,
  seller: AmazonSeller,
): string | Omit<StoredOrder['shipments'][number], 'confirmedAt'> {
  if (typeof body.marketplaceId !== 'string' || !seller.marketplaceIds.includes(body.marketplaceId))
    return 'marketplaceId is missing or invalid.';
  const detail = body.packageDetail;
  if (!isRecord(detail)) return 'packageDetail is required.';
  const { packageReferenceId, carrierCode, carrierName, shippingMethod, trackingNumber, shipDate, orderItems } = detail;
  if (typeof packageReferenceId !== 'string' || packageReferenceId === '') return 'packageDetail.packageReferenceId is required.';
  if (typeof carrierCode !== 'string' || carrierCode === '') return 'packageDetail.carrierCode is required.';
  if (carrierCode === 'Other' && (typeof carrierName !== 'string' || carrierName === ''))
    return 'packageDetail.carrierName is required when carrierCode is Other.';
  if (typeof trackingNumber !== 'string' || trackingNumber === '') return 'packageDetail.trackingNumber is required.';
  if (
    typeof shipDate !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(shipDate) ||
    Number.isNaN(Date.parse(shipDate))
  ) {
    return 'packageDetail.shipDate must be an ISO 8601 date-time.';
  }
  if (order.fulfillmentChannel === 'AFN')
    return `Order ${order.amazonOrderId} is fulfilled by Amazon: the seller cannot confirm its shipment.`;
  if (order.status !== 'Unshipped' && order.status !== 'PartiallyShipped')
    return `Order ${order.amazonOrderId} is ${order.status}: it cannot be confirmed as shipped.`;
  if (!Array.isArray(orderItems) || orderItems.length === 0) return 'packageDetail.orderItems must name at least one item.';
  const items = itemsToShip(order, orderItems);
  if (typeof items === 'string') return items;
  return {
    packageReferenceId,
    carrierCode,
    carrierName: typeof carrierName === 'string' ? carrierName : null,
    shippingMethod: typeof shippingMethod === 'string' ? shippingMethod : null,
    trackingNumber,
    shipDate,
    items,
  };
}

// ---- Feeds 2021-06-30 ----

function addFeedsRoutes(router: Router, state: State): void {
  router.add(
    'POST',
    '/feeds/2021-06-30/documents',
    spApi(state, 'createFeedDocument', (request, seller) => {
      const body = parseJsonBody(request);
      const contentType = body.ok && isRecord(body.value) ? body.value.contentType : undefined;
      if (typeof contentType !== 'string' || contentType === '') return invalidInput('contentType is required.');
      const document = state.feeds.createDocument(seller.sellerId, contentType);
      return jsonResponse(201, {
        feedDocumentId: document.feedDocumentId,
        url: state.feeds.presignedUrl(baseUrlOf(request), document, 'PUT'),
      });
    }),
  );

  router.add(
    'GET',
    '/feeds/2021-06-30/documents/:feedDocumentId',
    spApi(state, 'getFeedDocument', (request, seller) => {
      const document = state.feeds.document(request.params.feedDocumentId);
      if (!document || document.sellerId !== seller.sellerId)
        return notFound(`Feed document ${request.params.feedDocumentId} is not found.`);
      return jsonResponse(200, {
        feedDocumentId: document.feedDocumentId,
        url: state.feeds.presignedUrl(baseUrlOf(request), document, 'GET'),
      });
    }),
  );

  router.add(
    'POST',
    '/feeds/2021-06-30/feeds',
    spApi(state, 'createFeed', (request, seller) => {
      const body = parseJsonBody(request);
      if (!body.ok || !isRecord(body.value)) return invalidInput('The request body is not a JSON object.');
      const { feedType, marketplaceIds, inputFeedDocumentId } = body.value;
      if (typeof feedType !== 'string' || !isKnownFeedType(feedType)) return invalidInput(`Invalid feedType ${String(feedType)}.`);
      if (
        !Array.isArray(marketplaceIds) ||
        marketplaceIds.length === 0 ||
        marketplaceIds.some((id) => !seller.marketplaceIds.includes(id))
      ) {
        return invalidInput('marketplaceIds must list marketplaces the seller participates in.');
      }
      const document = typeof inputFeedDocumentId === 'string' ? state.feeds.document(inputFeedDocumentId) : undefined;
      if (!document || document.sellerId !== seller.sellerId)
        return invalidInput('inputFeedDocumentId is not a feed document of this seller.');
      if (document.content === null) return invalidInput('The feed document has not been uploaded.');
      const createdAt = state.now();
      const feed = state.feeds.createFeed({
        sellerId: seller.sellerId,
        feedType,
        marketplaceIds: marketplaceIds as string[],
        inputFeedDocumentId: document.feedDocumentId,
        createdAt,
        startAt: createdAt + state.timing.feedQueuedMs,
        doneAt: createdAt + state.timing.feedQueuedMs + state.timing.feedProcessingMs,
        sequence: state.sequence.next++,
      });
      return jsonResponse(202, { feedId: feed.feedId });
    }),
  );

  router.add(
    'GET',
    '/feeds/2021-06-30/feeds/:feedId',
    spApi(state, 'getFeed', (request, seller) => {
      const feed = state.feeds.feed(request.params.feedId);
      return feed && feed.sellerId === seller.sellerId
        ? jsonResponse(200, feedView(feed))
        : notFound(`Feed ${request.params.feedId} is not found.`);
    }),
  );

  router.add(
    'DELETE',
    '/feeds/2021-06-30/feeds/:feedId',
    spApi(state, 'cancelFeed', (request, seller) => {
      const feed = state.feeds.feed(request.params.feedId);
      if (!feed || feed.sellerId !== seller.sellerId) return notFound(`Feed ${request.params.feedId} is not found.`);
      if (feed.processingStatus !== 'IN_QUEUE') return invalidInput('Only feeds with processingStatus IN_QUEUE can be cancelled.');
      feed.processingStatus = 'CANCELLED';
      return { status: 200 };
    }),
  );
}

function addDocumentRoutes(router: Router, state: State): void {
  const s3Error = (status: number, code: string, message: string): SandboxResponse => ({
    status,
    headers: { 'content-type': 'application/xml' },
    text: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  });
  const documentPath = `${DOCUMENT_PATH_PREFIX}:feedDocumentId`;
  router.add('PUT', documentPath, (request) => {
    const document = state.feeds.document(request.params.feedDocumentId);
    if (!document) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const refused = state.feeds.checkPresigned('PUT', document, request.query);
    if (refused) return s3Error(403, refused.code, refused.message);
    // The Content-Type is signed: an upload must use exactly the one given to createFeedDocument.
    if (headerValue(request, 'content-type') !== document.contentType) {
      return s3Error(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.');
    }
    document.content = request.rawBody;
    return { status: 200, headers: { etag: `"${document.feedDocumentId.slice(-12)}"` } };
  });
  router.add('GET', documentPath, (request) => {
    const document = state.feeds.document(request.params.feedDocumentId);
    if (!document || document.content === null) return s3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const refused = state.feeds.checkPresigned('GET', document, request.query);
    if (refused) return s3Error(403, refused.code, refused.message);
    return { status: 200, headers: { 'content-type': document.contentType }, text: document.content };
  });
}

// ---- Listings Items 2021-08-01 ----

function listingView(listing: StoredListing, marketplaceId: string, includedData: string[]): Record<string, unknown> {
  const view: Record<string, unknown> = { sku: listing.sku };
  if (includedData.includes('summaries')) {
    view.summaries = [
      {
        marketplaceId,
        asin: listing.asin,
        productType: listing.productType,
        conditionType: 'new_new',
        status: ['BUYABLE'],
        itemName: listing.sku,
        createdDate: listing.createdAt,
        lastUpdatedDate: listing.updatedAt,
      },
    ];
  }
  if (includedData.includes('attributes')) view.attributes = listing.attributes;
  if (includedData.includes('fulfillmentAvailability')) {
    const quantity = defaultQuantity(listing);
    view.fulfillmentAvailability = quantity === null ? [] : [{ fulfillmentChannelCode: 'DEFAULT', quantity }];
  }
  if (includedData.includes('issues')) view.issues = [];
  return view;
}

function addListingsRoutes(router: Router, state: State): void {
  const path = '/listings/2021-08-01/items/:sellerId/:sku';
  const common = (request: SandboxRequest, seller: AmazonSeller): { marketplaceId: string } | SandboxResponse => {
    if (request.params.sellerId !== seller.sellerId) return unauthorized('invalid');
    const marketplaceIds = (request.query.get('marketplaceIds') ?? '').split(',').filter((id) => id !== '');
    if (marketplaceIds.length === 0) return invalidInput('Missing required parameter: marketplaceIds.');
    if (marketplaceIds.some((id) => !seller.marketplaceIds.includes(id)))
      return invalidInput('marketplaceIds must be marketplaces of the seller.');
    return { marketplaceId: marketplaceIds[0] };
  };

  router.add(
    'GET',
    path,
    spApi(state, 'getListingsItem', (request, seller) => {
      const checked = common(request, seller);
      if ('status' in checked) return checked;
      const listing = state.listings.get(seller.sellerId, request.params.sku);
      if (!listing) return spApiError(404, 'NOT_FOUND', `SKU '${request.params.sku}' not found in marketplace ${checked.marketplaceId}`);
      const includedData = (request.query.get('includedData') ?? 'summaries').split(',');
      return jsonResponse(200, listingView(listing, checked.marketplaceId, includedData));
    }),
  );

  router.add(
    'PATCH',
    path,
    spApi(state, 'patchListingsItem', (request, seller) => {
      const checked = common(request, seller);
      if ('status' in checked) return checked;
      const body = parseJsonBody(request);
      if (!body.ok || !isRecord(body.value)) return invalidInput('Request has missing or invalid parameters and cannot be parsed.');
      if (typeof body.value.productType !== 'string' || body.value.productType === '') return invalidInput('productType is required.');
      const sku = request.params.sku;
      const { patches, issues } = validatePatches(body.value.patches);
      const listing = state.listings.get(seller.sellerId, sku);
      if (!listing)
        issues.push({ code: 'NOT_FOUND', message: `SKU '${sku}' has no listing for seller ${seller.sellerId}.`, severity: 'ERROR' });
      if (issues.length > 0)
        return jsonResponse(200, { sku, status: 'INVALID', submissionId: `sub-invalid-${state.sequence.next++}`, issues });
      const submissionId = state.listings.enqueue(
        seller.sellerId,
        sku,
        patches,
        state.now() + state.timing.listingsApplyMs,
        state.sequence.next++,
      );
      return jsonResponse(200, { sku, status: 'ACCEPTED', submissionId, issues: [] });
    }),
  );
}

/** One refund event per adjustment feed of the order, an item adjustment per adjusted item. */
function refundEvents(order: StoredOrder): Array<Record<string, unknown>> {
  const amount = (minor: number) => ({ CurrencyCode: order.currency, CurrencyAmount: Number(minorToAmount(minor, order.currency).Amount) });
  const byFeed = new Map<string, typeof order.adjustments>();
  for (const adjustment of order.adjustments) byFeed.set(adjustment.feedId, [...(byFeed.get(adjustment.feedId) ?? []), adjustment]);
  return [...byFeed.values()].map((adjustments) => ({
    AmazonOrderId: order.amazonOrderId,
    MarketplaceName: 'Amazon.com',
    PostedDate: adjustments[0].at,
    ShipmentItemAdjustmentList: adjustments.map((adjustment, index) => ({
      SellerSKU: order.items.find((item) => item.orderItemId === adjustment.orderItemId)?.sku,
      OrderItemId: adjustment.orderItemId,
      // Amazon's own id of the adjusted item (the seller's MerchantAdjustmentItemID is not shown here).
      OrderAdjustmentItemId: `${adjustment.feedId}${String(index + 1).padStart(3, '0')}`,
      QuantityShipped: adjustment.quantityCancelled,
      ItemChargeAdjustmentList: [
        { ChargeType: 'Principal', ChargeAmount: amount(-adjustment.principalMinor) },
        { ChargeType: 'Tax', ChargeAmount: amount(-adjustment.taxMinor) },
      ],
      PromotionAdjustmentList:
        adjustment.promotionMinor === 0 ? [] : [{ PromotionType: 'Principal', PromotionAmount: amount(adjustment.promotionMinor) }],
    })),
  }));
}

// ---- admin ----

const ALL_DATA_ELEMENTS: ReadonlySet<DataElement> = new Set(DATA_ELEMENTS);

/** The seller's own view: everything, PII included. */
function orderAdminView(order: StoredOrder): Record<string, unknown> {
  return {
    ...orderView(order, ALL_DATA_ELEMENTS),
    SellerId: order.sellerId,
    OrderItems: order.items.map((item) => ({ ...orderItemView(order, item), QuantityCancelled: item.quantityCancelled })),
    acknowledgements: order.acknowledgements,
    shipments: order.shipments,
    cancellations: order.cancellations,
    adjustments: order.adjustments.map(({ principalMinor, taxMinor, promotionMinor, ...adjustment }) => ({
      ...adjustment,
      principal: minorToAmount(principalMinor, order.currency),
      tax: minorToAmount(taxMinor, order.currency),
      promotion: minorToAmount(promotionMinor, order.currency),
    })),
    droppedConfirmations: order.droppedConfirmations,
  };
}

function parseSeller(value: unknown): AmazonSeller | string {
  if (!isRecord(value)) return 'the body must be a JSON object';
  const { sellerId, marketplaceIds, clientId, clientSecret, refreshToken } = value;
  if (typeof sellerId !== 'string' || !/^[A-Z0-9]{6,20}$/.test(sellerId)) return 'sellerId must be 6-20 upper-case letters or digits';
  if (!Array.isArray(marketplaceIds) || marketplaceIds.length === 0 || marketplaceIds.some((id) => typeof id !== 'string' || id === ''))
    return 'marketplaceIds must be a non-empty array of strings';
  for (const [name, field] of Object.entries({ clientId, clientSecret, refreshToken })) {
    if (typeof field !== 'string' || field === '') return `${name} is required`;
  }
  return {
    sellerId,
    marketplaceIds: marketplaceIds as string[],
    clientId: clientId as string,
    clientSecret: clientSecret as string,
    refreshToken: refreshToken as string,
  };
}

function addAdminRoutes(router: Router, state: State): void {
  const defaultSeller = (): AmazonSeller | undefined => [...state.sellers.values()][0];
  const sellerOf = (sellerId: unknown): AmazonSeller | undefined =>
    typeof sellerId === 'string' ? state.sellers.get(sellerId) : state.sellers.size === 1 ? defaultSeller() : undefined;

  router.add('GET', '/_sandbox/sellers', () =>
    jsonResponse(200, {
      sellers: [...state.sellers.values()].map((seller) => ({
        ...seller,
        tokensIssued: state.lwa.issued(seller.sellerId),
        restrictedDataTokensIssued: state.rdt.issued(seller.sellerId),
      })),
    }),
  );
  router.add('POST', '/_sandbox/sellers', (request) => {
    const body = parseJsonBody(request);
    const seller = body.ok ? parseSeller(body.value) : 'the body is not JSON';
    if (typeof seller === 'string') return jsonResponse(400, { error: seller });
    state.sellers.set(seller.sellerId, seller);
    return jsonResponse(200, { seller });
  });

  router.add('POST', '/_sandbox/orders', (request) => {
    const body = parseJsonBody(request);
    if (!body.ok) return jsonResponse(400, { error: `body is not JSON: ${body.error}` });
    const seeds = (Array.isArray(body.value) ? body.value : [body.value]) as OrderSeed[];
    const created: StoredOrder[] = [];
    for (const [index, seed] of seeds.entries()) {
      const seller = sellerOf(seed?.sellerId);
      if (!seller) return jsonResponse(400, { error: `order ${index}: sellerId is unknown or required` });
      const result = state.orders.seed(seed, { sellerId: seller.sellerId, marketplaceId: seller.marketplaceIds[0] });
      if (!result.ok) return jsonResponse(400, { error: `order ${index}: ${result.error}` });
      created.push(result.order);
    }
    return jsonResponse(200, { orders: created.map(orderAdminView) });
  });
  router.add('GET', '/_sandbox/orders', (request) => {
    advance(state, state.now());
    const id = request.query.get('amazonOrderId');
    return jsonResponse(200, {
      orders: state.orders
        .list()
        .filter((order) => id === null || order.amazonOrderId === id)
        .map(orderAdminView),
    });
  });
  router.add('POST', '/_sandbox/orders/:amazonOrderId/status', (request) => {
    const order = state.orders.get(request.params.amazonOrderId);
    if (!order) return jsonResponse(404, { error: `unknown order ${request.params.amazonOrderId}` });
    const body = parseJsonBody(request);
    const value = body.ok && isRecord(body.value) ? body.value : {};
    if (!(ORDER_STATUSES as readonly string[]).includes(value.status as string))
      return jsonResponse(400, { error: `status must be one of ${ORDER_STATUSES.join(', ')}` });
    if (value.buyerCancelReason !== undefined && typeof value.buyerCancelReason !== 'string')
      return jsonResponse(400, { error: 'buyerCancelReason must be a string' });
    state.orders.setStatus(order, value.status as OrderStatus, value.buyerCancelReason as string | undefined);
    return jsonResponse(200, orderAdminView(order));
  });
  // Amazon ships an order it fulfils (AFN) from its own stock: the seller only sees the result.
  router.add('POST', '/_sandbox/orders/:amazonOrderId/shipments', (request) => {
    const order = state.orders.get(request.params.amazonOrderId);
    if (!order) return jsonResponse(404, { error: `unknown order ${request.params.amazonOrderId}` });
    const body = parseJsonBody(request);
    const value = body.ok && isRecord(body.value) ? body.value : {};
    if (order.fulfillmentChannel !== 'AFN')
      return jsonResponse(400, { error: `order ${order.amazonOrderId} is MFN: the seller ships it (confirmShipment)` });
    if (order.status !== 'Unshipped' && order.status !== 'PartiallyShipped')
      return jsonResponse(400, { error: `order ${order.amazonOrderId} is ${order.status}: nothing to ship` });
    if (value.items !== undefined && (!Array.isArray(value.items) || value.items.length === 0))
      return jsonResponse(400, { error: 'items must be a non-empty array of {orderItemId, quantity?}' });
    const open = order.items.filter((item) => item.quantityOrdered - item.quantityShipped - item.quantityCancelled > 0);
    const items = itemsToShip(order, (value.items as unknown[] | undefined) ?? open.map((item) => ({ orderItemId: item.orderItemId })));
    if (typeof items === 'string') return jsonResponse(400, { error: items });
    const at = new Date(state.now()).toISOString();
    const number = order.shipments.length + 1;
    order.shipments.push({
      packageReferenceId: `${order.amazonOrderId}-AFN-${number}`,
      carrierCode: 'Amazon',
      carrierName: 'Amazon Logistics',
      shippingMethod: null,
      trackingNumber: `TBA${order.amazonOrderId.replaceAll('-', '').slice(-9)}${String(number).padStart(3, '0')}`,
      shipDate: at,
      items,
      confirmedAt: at,
    });
    state.orders.ship(order, items);
    return jsonResponse(200, orderAdminView(order));
  });
  router.add('GET', '/_sandbox/order-listing', () => jsonResponse(200, state.orderListing));
  router.add('POST', '/_sandbox/order-listing', (request) => {
    const body = parseJsonBody(request);
    const value = body.ok && isRecord(body.value) ? body.value : undefined;
    if (!value) return jsonResponse(400, { error: 'the body must be a JSON object {orderListLagMs?, beforeMinAgeMs?}' });
    const settings = { ...state.orderListing };
    for (const name of ['orderListLagMs', 'beforeMinAgeMs'] as const) {
      const number = value[name];
      if (number === undefined) continue;
      if (typeof number !== 'number' || !Number.isFinite(number) || number < 0)
        return jsonResponse(400, { error: `${name} must be a non-negative number` });
      settings[name] = number;
    }
    state.orderListing = settings;
    return jsonResponse(200, state.orderListing);
  });
  router.add('GET', '/_sandbox/order-pages', (request) => {
    const id = request.query.get('amazonOrderId');
    return jsonResponse(200, { pages: state.orderPages.filter((page) => id === null || page.amazonOrderIds.includes(id)) });
  });
  router.add('POST', '/_sandbox/shipment-confirmations/drop', (request) => {
    const body = parseJsonBody(request);
    const count = body.ok && isRecord(body.value) ? body.value.count : undefined;
    if (!Number.isInteger(count) || (count as number) < 0) return jsonResponse(400, { error: 'count must be a non-negative integer' });
    state.dropConfirmations.remaining = count as number;
    return jsonResponse(200, { remaining: state.dropConfirmations.remaining });
  });

  router.add('POST', '/_sandbox/feeds/fatal', (request) => {
    const body = parseJsonBody(request);
    const value = body.ok && isRecord(body.value) ? body.value : {};
    if (!Number.isInteger(value.count) || (value.count as number) < 0)
      return jsonResponse(400, { error: 'count must be a non-negative integer' });
    if (value.feedType !== undefined && (typeof value.feedType !== 'string' || !isKnownFeedType(value.feedType)))
      return jsonResponse(400, { error: 'feedType must be a feed type the sandbox knows' });
    state.fatalFeeds.remaining = value.count as number;
    state.fatalFeeds.feedType = (value.feedType as string | undefined) ?? null;
    return jsonResponse(200, state.fatalFeeds);
  });

  router.add('POST', '/_sandbox/listings', (request) => {
    const body = parseJsonBody(request);
    if (!body.ok) return jsonResponse(400, { error: `body is not JSON: ${body.error}` });
    const seeds = Array.isArray(body.value) ? body.value : [body.value];
    const created: StoredListing[] = [];
    for (const [index, raw] of seeds.entries()) {
      const seed = isRecord(raw) ? raw : {};
      const seller = sellerOf(seed.sellerId);
      if (!seller) return jsonResponse(400, { error: `listing ${index}: sellerId is unknown or required` });
      if (typeof seed.sku !== 'string' || seed.sku === '') return jsonResponse(400, { error: `listing ${index}: sku is required` });
      if (seed.quantity !== undefined && (!Number.isInteger(seed.quantity) || (seed.quantity as number) < 0))
        return jsonResponse(400, { error: `listing ${index}: quantity must be a non-negative integer` });
      created.push(
        state.listings.upsert({
          sellerId: seller.sellerId,
          sku: seed.sku,
          productType: typeof seed.productType === 'string' ? seed.productType : undefined,
          quantity: seed.quantity as number | undefined,
        }),
      );
    }
    return jsonResponse(200, { listings: created.map((listing) => listingAdminView(state, listing)) });
  });
  router.add('GET', '/_sandbox/listings', (request) => {
    advance(state, state.now());
    const sku = request.query.get('sku');
    const listings = state.listings.list().filter((listing) => sku === null || listing.sku === sku);
    return jsonResponse(200, { listings: listings.map((listing) => listingAdminView(state, listing)) });
  });

  router.add('GET', '/_sandbox/feeds', () => {
    advance(state, state.now());
    return jsonResponse(200, {
      feeds: state.feeds.list().map((feed) => ({
        ...feedView(feed),
        sellerId: feed.sellerId,
        content: state.feeds.document(feed.inputFeedDocumentId)?.content ?? null,
        report: feed.resultFeedDocumentId ? (state.feeds.document(feed.resultFeedDocumentId)?.content ?? null) : null,
      })),
    });
  });
  router.add('POST', '/_sandbox/process', () => jsonResponse(200, advance(state, undefined)));

  router.add('GET', '/_sandbox/usage-plans', () => jsonResponse(200, { plans: state.plans.view() }));
  router.add('POST', '/_sandbox/usage-plans', (request) => {
    const body = parseJsonBody(request);
    const value = body.ok && isRecord(body.value) ? body.value : {};
    const { operation, rate, burst } = value;
    if (!isOperation(operation)) return jsonResponse(400, { error: 'operation must be an SP-API operation name, e.g. getOrders' });
    if (typeof rate !== 'number' || rate <= 0 || !Number.isInteger(burst) || (burst as number) < 1)
      return jsonResponse(400, { error: 'rate must be a positive number and burst a positive integer' });
    state.plans.setPlan(operation, { rate, burst: burst as number });
    return jsonResponse(200, { plans: state.plans.view() });
  });
  router.add('POST', '/_sandbox/lwa/expire-tokens', () => {
    state.lwa.expireAll();
    state.rdt.expireAll();
    return jsonResponse(200, { expired: true });
  });
}

function listingAdminView(state: State, listing: StoredListing): Record<string, unknown> {
  return {
    sellerId: listing.sellerId,
    sku: listing.sku,
    asin: listing.asin,
    productType: listing.productType,
    quantity: defaultQuantity(listing),
    attributes: listing.attributes,
    pendingSubmissions: state.listings.pending(listing.sellerId, listing.sku),
    history: listing.history,
  };
}
