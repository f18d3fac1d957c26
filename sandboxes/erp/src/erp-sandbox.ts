// The ERP sandbox: NetSuite's REST surface as the erp-connector sees it. OAuth 2.0 token endpoint,
// bearer-protected REST record API (sales orders, credit memos, journal entries, item
// fulfillments) and the change feed RESTlet, plus the admin routes that seed stock, drive the
// warehouse, take the ERP down and inspect documents.
import { addAdminRoutes } from './admin/admin-routes.js';
import { Outage } from './admin/outage.js';
import { DEFAULT_ERP_CLIENT, OAuthTokens, TOKEN_PATH, type OAuthClient } from './auth/oauth-tokens.js';
import { ChangeFeed } from './feed/change-feed.js';
import { ItemCatalog } from './items/item-catalog.js';
import { netSuiteError, oauthError, restletError } from './netsuite-errors.js';
import { addRecordRoutes } from './records/record-routes.js';
import { RecordStore } from './records/record-store.js';
import { SalesOrderOperations } from './sales-orders/sales-order-operations.js';
import { StockLedger } from './stock/stock-ledger.js';
import {
  headerValue,
  jsonResponse,
  Router,
  startSandboxServer,
  type FaultInjector,
  type FaultRule,
  type RunningSandbox,
  type SandboxRequest,
  type SandboxResponse,
} from '@retail-mesh/sandbox-kit';

export const ERP_SANDBOX_DEFAULT_PORT = 7000;
export const RESTLET_PATH = '/app/site/hosting/restlet.nl';
/** The change feed RESTlet (its script id predates the order records it now also carries). */
export const STOCK_FEED_SCRIPT = 'customscript_rm_stock_feed';
export const STOCK_FEED_DEPLOYMENTS = ['1', 'customdeploy_rm_stock_feed'];
const DEFAULT_FEED_LIMIT = 100;
const MAX_FEED_LIMIT = 1000;

export interface ErpSandboxOptions {
  port: number;
  host?: string;
  /** OAuth clients accepted by the token endpoint (default: DEFAULT_ERP_CLIENT). */
  clients?: OAuthClient[];
  /** Access token lifetime (default 3600, NetSuite's 60 minutes). */
  tokenTtlSeconds?: number;
  requestLogCapacity?: number;
  /** Clock for tokens, timestamps and time-bound faults. */
  now?: () => number;
}

export interface ErpSandbox extends RunningSandbox {
  /** In-process access for embedded mode and tests; the admin routes drive the same objects. */
  feed: ChangeFeed;
  stock: StockLedger;
  items: ItemCatalog;
  records: RecordStore;
  salesOrders: SalesOrderOperations;
  outage: Outage;
  oauth: OAuthTokens;
}

export async function startErpSandbox(options: ErpSandboxOptions): Promise<ErpSandbox> {
  const now = options.now ?? Date.now;
  const feed = new ChangeFeed();
  const items = new ItemCatalog();
  const stock = new StockLedger(now, feed, items);
  const records = new RecordStore(now, items);
  const salesOrders = new SalesOrderOperations(now, records, stock, feed);
  const oauth = new OAuthTokens(options.clients ?? [DEFAULT_ERP_CLIENT], options.tokenTtlSeconds ?? 3600, now);
  // The fault injector exists once the server runs; the outage routes only need it then.
  const server: { faults?: FaultInjector } = {};
  const outage = new Outage(() => server.faults!, now);

  const router = new Router();
  addTokenRoute(router, oauth);
  addChangeFeedRoute(router, oauth, feed);
  addRecordRoutes(router, oauth, records, {
    onUpdated: (record, fieldsBefore) => salesOrders.integrationUpdated(record, fieldsBefore),
    transforms: {
      salesOrder: { itemFulfillment: (id, body, key) => salesOrders.transformToFulfillment(id, body, key) },
    },
  });
  addAdminRoutes(router, { stock, feed, items, records, salesOrders, oauth, outage });

  const running = await startSandboxServer(
    {
      name: 'erp',
      router,
      reset: () => {
        feed.clear();
        stock.clear();
        items.clear();
        records.clear();
        salesOrders.recordIntegrationChanges = false;
        oauth.resetClients();
      },
      rateLimitResponse,
      serverErrorResponse,
      notFoundResponse: (request) => netSuiteError(404, 'NONEXISTENT_ID', `The requested resource ${request.path} does not exist.`),
    },
    { port: options.port, host: options.host, requestLogCapacity: options.requestLogCapacity, now },
  );
  server.faults = running.faults;
  return { ...running, feed, stock, items, records, salesOrders, outage, oauth };
}

type Surface = 'token' | 'restlet' | 'record';

function surfaceOf(request: SandboxRequest): Surface {
  if (request.path === TOKEN_PATH) return 'token';
  return request.path === RESTLET_PATH ? 'restlet' : 'record';
}

function rateLimitResponse(rule: FaultRule, request: SandboxRequest): SandboxResponse {
  const status = rule.status ?? 429;
  const headers = { 'retry-after': String(rule.retryAfterSeconds ?? 1) };
  switch (surfaceOf(request)) {
    case 'restlet':
      // Real RESTlets answer concurrency violations with 400 SSS_REQUEST_LIMIT_EXCEEDED: inject status 400 to imitate exactly.
      return restletError(
        status,
        'SSS_REQUEST_LIMIT_EXCEEDED',
        'The request could not be processed: the account concurrency limit was exceeded.',
        headers,
      );
    case 'token':
      return { status, headers, body: { error: 'temporarily_unavailable', error_description: 'too many requests' } };
    case 'record':
      return netSuiteError(status, 'CONCURRENCY_LIMIT_EXCEEDED', 'Concurrent request limit exceeded. Request blocked.', { headers });
  }
}

function serverErrorResponse(status: number, request: SandboxRequest): SandboxResponse {
  switch (surfaceOf(request)) {
    case 'restlet':
      return restletError(status, 'UNEXPECTED_ERROR', 'An unexpected SuiteScript error has occurred');
    case 'token':
      return oauthError(status, 'server_error');
    case 'record':
      return netSuiteError(status, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: sandbox');
  }
}

function addTokenRoute(router: Router, oauth: OAuthTokens): void {
  router.add('POST', TOKEN_PATH, (request) => {
    const result = oauth.issue(new URLSearchParams(request.rawBody), headerValue(request, 'authorization'));
    if (!result.ok) return oauthError(result.status, result.error, result.description);
    return jsonResponse(200, result.token, { 'cache-control': 'no-store' });
  });
}

function addChangeFeedRoute(router: Router, oauth: OAuthTokens, feed: ChangeFeed): void {
  router.add('GET', RESTLET_PATH, (request) => {
    if (!oauth.verify(headerValue(request, 'authorization'))) return restletError(401, 'INVALID_LOGIN_ATTEMPT', 'Invalid login attempt.');
    const script = request.query.get('script');
    const deploy = request.query.get('deploy') ?? '';
    if (script !== STOCK_FEED_SCRIPT || !STOCK_FEED_DEPLOYMENTS.includes(deploy)) {
      return restletError(400, 'SSS_INVALID_SCRIPTLET_ID', 'That Suitelet is invalid, disabled, or no longer exists.');
    }
    const after = request.query.get('after') ?? '0';
    if (!/^\d{1,15}$/.test(after))
      return restletError(400, 'INVALID_PARAMETER', `after must be a non-negative integer cursor, got ${JSON.stringify(after)}`);
    const limitParam = request.query.get('limit') ?? String(DEFAULT_FEED_LIMIT);
    const limit = Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FEED_LIMIT) {
      return restletError(
        400,
        'INVALID_PARAMETER',
        `limit must be an integer from 1 to ${MAX_FEED_LIMIT}, got ${JSON.stringify(limitParam)}`,
      );
    }
    return jsonResponse(200, feed.read(Number(after), limit));
  });
}
