// The ERP sandbox: NetSuite's REST surface as the erp-connector sees it. OAuth 2.0 token endpoint,
// bearer-protected REST record API (sales orders, credit memos, journal entries) and the stock
// change feed RESTlet, plus the admin routes that seed stock and inspect documents.
import { invalidLogin, netSuiteError, oauthError, restletError } from './netsuite-errors.js';
import { DEFAULT_ERP_CLIENT, OAuthTokens, TOKEN_PATH, type OAuthClient } from './auth/oauth-tokens.js';
import {
  isRecordType,
  parseRecordQuery,
  RecordStore,
  recordRepresentation,
  type RecordType,
  type StoredRecord,
  type WriteResult,
} from './records/record-store.js';
import { StockLedger, validateStockChange, type StockChangeInput } from './stock/stock-ledger.js';
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

export const ERP_SANDBOX_DEFAULT_PORT = 7000;
export const RESTLET_PATH = '/app/site/hosting/restlet.nl';
export const STOCK_FEED_SCRIPT = 'customscript_rm_stock_feed';
export const STOCK_FEED_DEPLOYMENTS = ['1', 'customdeploy_rm_stock_feed'];
const RECORD_BASE = '/services/rest/record/v1';
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
  stock: StockLedger;
  records: RecordStore;
  oauth: OAuthTokens;
}

const ADMIN_DOCUMENT_ROUTES: Array<{ path: string; type: RecordType; key: string }> = [
  { path: '/_sandbox/sales-orders', type: 'salesOrder', key: 'salesOrders' },
  { path: '/_sandbox/credit-memos', type: 'creditMemo', key: 'creditMemos' },
  { path: '/_sandbox/journals', type: 'journalEntry', key: 'journals' },
];

export async function startErpSandbox(options: ErpSandboxOptions): Promise<ErpSandbox> {
  const now = options.now ?? Date.now;
  const stock = new StockLedger(now);
  const records = new RecordStore(now);
  const oauth = new OAuthTokens(options.clients ?? [DEFAULT_ERP_CLIENT], options.tokenTtlSeconds ?? 3600, now);

  const router = new Router();
  addTokenRoute(router, oauth);
  addStockFeedRoute(router, oauth, stock);
  addRecordRoutes(router, oauth, records);
  addAdminRoutes(router, { stock, records, oauth });

  const running = await startSandboxServer(
    {
      name: 'erp',
      router,
      reset: () => {
        stock.clear();
        records.clear();
        oauth.resetClients();
      },
      rateLimitResponse,
      serverErrorResponse,
      notFoundResponse: (request) => netSuiteError(404, 'NONEXISTENT_ID', `The requested resource ${request.path} does not exist.`),
    },
    { port: options.port, host: options.host, requestLogCapacity: options.requestLogCapacity, now },
  );
  return { ...running, stock, records, oauth };
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

function addStockFeedRoute(router: Router, oauth: OAuthTokens, stock: StockLedger): void {
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
    return jsonResponse(200, stock.read(Number(after), limit));
  });
}

function recordUrl(request: SandboxRequest, record: StoredRecord): string {
  return `${baseUrlOf(request)}${RECORD_BASE}/${record.recordType}/${record.id}`;
}

function writeOutcome(request: SandboxRequest, result: WriteResult): SandboxResponse {
  if (result.ok) return noContent({ location: recordUrl(request, result.record) });
  switch (result.kind) {
    case 'idempotency-conflict':
      // NetSuite answers a repeated key with 400 "Conflict" and points at the earlier result.
      return netSuiteError(
        400,
        'IDEMPOTENCY_ERROR',
        'A request with the same idempotency key is already submitted. See the "Location" header for a link to the previously submitted result.',
        {
          title: 'Conflict',
          type: 'https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.10',
          headers: { location: recordUrl(request, result.record) },
        },
      );
    case 'duplicate-external-id':
      return netSuiteError(
        400,
        'DUP_RCRD',
        `Error while accessing resource: This record already exists. A record with external ID ${result.record.externalId} exists.`,
        {
          extras: { 'o:errorPath': 'externalId' },
        },
      );
    case 'invalid':
      return netSuiteError(400, 'USER_ERROR', result.detail, {
        extras: result.errorPath === undefined ? undefined : { 'o:errorPath': result.errorPath },
      });
  }
}

function addRecordRoutes(router: Router, oauth: OAuthTokens, records: RecordStore): void {
  // Every record route: bearer token first (NetSuite rejects before looking at the URL), then a known record type.
  const guarded =
    (handler: (request: SandboxRequest, type: RecordType) => SandboxResponse) =>
    (request: SandboxRequest): SandboxResponse => {
      if (!oauth.verify(headerValue(request, 'authorization'))) return invalidLogin();
      const type = request.params.type;
      if (!isRecordType(type))
        return netSuiteError(404, 'NONEXISTENT_ID', `Record type '${type}' does not exist or is not supported by the sandbox.`);
      return handler(request, type);
    };
  const jsonBody = (request: SandboxRequest): { ok: true; body: Record<string, unknown> } | { ok: false; response: SandboxResponse } => {
    const parsed = parseJsonBody(request);
    if (parsed.ok && isRecord(parsed.value)) return { ok: true, body: parsed.value };
    const response = netSuiteError(
      400,
      'INVALID_CONTENT',
      'The request could not be understood by the server due to malformed syntax. The body must be a JSON object.',
    );
    return { ok: false, response };
  };
  const idempotencyKey = (request: SandboxRequest) => headerValue(request, 'x-netsuite-idempotency-key');

  router.add(
    'POST',
    `${RECORD_BASE}/:type`,
    guarded((request, type) => {
      const parsed = jsonBody(request);
      if (!parsed.ok) return parsed.response;
      return writeOutcome(request, records.create(type, parsed.body, idempotencyKey(request)));
    }),
  );
  router.add(
    'PUT',
    `${RECORD_BASE}/:type/:reference`,
    guarded((request, type) => {
      const reference = request.params.reference;
      if (!reference.startsWith('eid:') || reference.length === 4) {
        return netSuiteError(
          400,
          'INVALID_PARAMETER',
          'PUT is the upsert operation and needs an external ID: /{recordType}/eid:{externalId}.',
          {
            extras: { 'o:errorUrl': request.path },
          },
        );
      }
      const parsed = jsonBody(request);
      if (!parsed.ok) return parsed.response;
      return writeOutcome(request, records.upsert(type, reference.slice(4), parsed.body, idempotencyKey(request)));
    }),
  );
  router.add(
    'GET',
    `${RECORD_BASE}/:type/:reference`,
    guarded((request, type) => {
      const record = records.get(type, request.params.reference);
      if (!record) return netSuiteError(404, 'NONEXISTENT_ID', 'The record instance does not exist. Provide a valid record instance ID.');
      return jsonResponse(200, recordRepresentation(record, baseUrlOf(request), request.query.get('expandSubResources') === 'true'));
    }),
  );
  router.add(
    'GET',
    `${RECORD_BASE}/:type`,
    guarded((request, type) => {
      const q = request.query.get('q');
      let matches = records.list(type);
      if (q !== null) {
        const query = parseRecordQuery(q);
        if (!query) {
          return netSuiteError(400, 'INVALID_PARAMETER', `Invalid search query: ${q}. The sandbox supports <field> IS "<value>".`, {
            extras: { 'o:errorQueryParam': 'q' },
          });
        }
        matches = records.query(type, query.field, query.value);
      }
      const limit = Number(request.query.get('limit') ?? 1000);
      const offset = Number(request.query.get('offset') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || !Number.isInteger(offset) || offset < 0) {
        return netSuiteError(400, 'INVALID_PARAMETER', 'limit must be 1..1000 and offset a non-negative integer.', {
          extras: { 'o:errorQueryParam': 'limit' },
        });
      }
      const page = matches.slice(offset, offset + limit);
      return jsonResponse(200, {
        links: [{ rel: 'self', href: `${baseUrlOf(request)}${request.path}` }],
        count: page.length,
        hasMore: offset + page.length < matches.length,
        items: page.map((record) => ({ links: [{ rel: 'self', href: recordUrl(request, record) }], id: record.id })),
        offset,
        totalResults: matches.length,
      });
    }),
  );
}

function documentView(record: StoredRecord): Record<string, unknown> {
  return {
    id: record.id,
    externalId: record.externalId,
    tranId: record.tranId,
    createdDate: record.createdDate,
    lastModifiedDate: record.lastModifiedDate,
    idempotencyKeys: record.idempotencyKeys,
    writeCount: record.writeCount,
    fields: record.fields,
  };
}

function addAdminRoutes(router: Router, state: { stock: StockLedger; records: RecordStore; oauth: OAuthTokens }): void {
  const { stock, records, oauth } = state;
  router.add('PUT', '/_sandbox/stock', (request) => {
    const parsed = parseJsonBody(request);
    if (!parsed.ok) return jsonResponse(400, { error: `body is not JSON: ${parsed.error}` });
    const inputs = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    const changes: StockChangeInput[] = [];
    for (const [index, input] of inputs.entries()) {
      const result = validateStockChange(input);
      if (!result.ok) return jsonResponse(400, { error: `change ${index}: ${result.error}` });
      changes.push(result.change);
    }
    return jsonResponse(200, { changes: changes.map((change) => stock.setOnHand(change)) });
  });
  router.add('GET', '/_sandbox/stock', (request) =>
    jsonResponse(200, { positions: stock.listPositions(request.query.get('sku') ?? undefined) }),
  );
  router.add('POST', '/_sandbox/stock-feed/raw', (request) => {
    const parsed = parseJsonBody(request);
    if (!parsed.ok || parsed.value === undefined) return jsonResponse(400, { error: 'the body must be the JSON record to append' });
    return jsonResponse(200, { entry: stock.appendRaw(parsed.value) });
  });
  router.add('GET', '/_sandbox/stock-feed', () => jsonResponse(200, { entries: stock.entries() }));

  router.add('GET', '/_sandbox/mode', () => jsonResponse(200, { idempotency: records.mode }));
  router.add('POST', '/_sandbox/mode', (request) => {
    const parsed = parseJsonBody(request);
    const mode = parsed.ok && isRecord(parsed.value) ? parsed.value.idempotency : undefined;
    if (mode !== 'netsuite' && mode !== 'none') return jsonResponse(400, { error: 'idempotency must be "netsuite" or "none"' });
    records.mode = mode;
    return jsonResponse(200, { idempotency: records.mode });
  });

  for (const route of ADMIN_DOCUMENT_ROUTES) {
    router.add('GET', route.path, (request) => {
      const externalId = request.query.get('externalId');
      const documents = records.list(route.type).filter((record) => externalId === null || record.externalId === externalId);
      return jsonResponse(200, { [route.key]: documents.map(documentView) });
    });
  }

  router.add('GET', '/_sandbox/oauth/clients', () =>
    jsonResponse(200, { clients: oauth.listClients().map(({ clientId }) => ({ clientId })) }),
  );
  router.add('POST', '/_sandbox/oauth/clients', (request) => {
    const parsed = parseJsonBody(request);
    const body = parsed.ok && isRecord(parsed.value) ? parsed.value : {};
    if (typeof body.clientId !== 'string' || body.clientId === '') return jsonResponse(400, { error: 'clientId is required' });
    if (body.clientSecret !== undefined && typeof body.clientSecret !== 'string')
      return jsonResponse(400, { error: 'clientSecret must be a string' });
    oauth.registerClient({ clientId: body.clientId, clientSecret: body.clientSecret });
    return jsonResponse(200, { clients: oauth.listClients().map(({ clientId }) => ({ clientId })) });
  });
  router.add('POST', '/_sandbox/oauth/revoke-tokens', () => {
    oauth.revokeAll();
    return jsonResponse(200, { revoked: true });
  });
}
