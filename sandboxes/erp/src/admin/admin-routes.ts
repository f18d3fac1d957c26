// The ERP sandbox's own admin routes (besides the shared /_sandbox/health|reset|faults|requests):
// seed stock and items, drive the warehouse (shipments) and users (cancellations), take the ERP
// down, inspect documents and the change feed.
import { isRecord, jsonResponse, parseJsonBody, type Router, type SandboxResponse } from '@retail-mesh/sandbox-kit';
import type { OAuthTokens } from '../auth/oauth-tokens.js';
import type { ChangeFeed } from '../feed/change-feed.js';
import type { ItemCatalog } from '../items/item-catalog.js';
import type { RecordStore, RecordType, StoredRecord } from '../records/record-store.js';
import {
  parseCancellationInput,
  parseShipmentInput,
  type OperationResult,
  type SalesOrderOperations,
} from '../sales-orders/sales-order-operations.js';
import { validateStockChange, type StockChangeInput, type StockLedger } from '../stock/stock-ledger.js';
import type { Outage } from './outage.js';

export interface AdminState {
  stock: StockLedger;
  feed: ChangeFeed;
  items: ItemCatalog;
  records: RecordStore;
  salesOrders: SalesOrderOperations;
  oauth: OAuthTokens;
  outage: Outage;
}

const ADMIN_DOCUMENT_ROUTES: Array<{ path: string; type: RecordType; key: string }> = [
  { path: '/_sandbox/sales-orders', type: 'salesOrder', key: 'salesOrders' },
  { path: '/_sandbox/item-fulfillments', type: 'itemFulfillment', key: 'itemFulfillments' },
  { path: '/_sandbox/credit-memos', type: 'creditMemo', key: 'creditMemos' },
  { path: '/_sandbox/journals', type: 'journalEntry', key: 'journals' },
];

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

function operationResponse<T>(result: OperationResult<T>, view: (value: T) => unknown): SandboxResponse {
  return result.ok ? jsonResponse(200, view(result.value)) : jsonResponse(result.status, { error: result.error });
}

export function addAdminRoutes(router: Router, state: AdminState): void {
  const { stock, feed, items, records, salesOrders, oauth, outage } = state;
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
    return jsonResponse(200, { entry: feed.appendRaw(parsed.value) });
  });
  router.add('GET', '/_sandbox/stock-feed', () => jsonResponse(200, { entries: feed.list() }));

  router.add('GET', '/_sandbox/items', () => jsonResponse(200, { items: items.list() }));
  router.add('POST', '/_sandbox/items', (request) => {
    const parsed = parseJsonBody(request);
    const skus = parsed.ok && isRecord(parsed.value) ? parsed.value.skus : undefined;
    if (!Array.isArray(skus) || !skus.every((sku) => typeof sku === 'string' && sku.trim() !== '')) {
      return jsonResponse(400, { error: 'skus must be an array of non-empty strings' });
    }
    return jsonResponse(200, { items: skus.map((sku: string) => items.ensure(sku)) });
  });

  router.add('POST', '/_sandbox/sales-orders/:id/shipments', (request) => {
    const parsed = parseJsonBody(request);
    const input = parsed.ok ? parseShipmentInput(parsed.value) : { ok: false as const, error: 'body is not JSON' };
    if (!input.ok) return jsonResponse(400, { error: input.error });
    return operationResponse(salesOrders.ship(request.params.id, input.input), (value) => ({
      itemFulfillment: documentView(value.itemFulfillment),
      feed: value.feed,
    }));
  });
  router.add('POST', '/_sandbox/sales-orders/:id/cancel', (request) => {
    const parsed = parseJsonBody(request);
    const input = parsed.ok ? parseCancellationInput(parsed.value) : { ok: false as const, error: 'body is not JSON' };
    if (!input.ok) return jsonResponse(400, { error: input.error });
    return operationResponse(salesOrders.cancel(request.params.id, input.input), (value) => ({
      salesOrder: documentView(value.salesOrder),
      feed: value.feed,
    }));
  });

  router.add('GET', '/_sandbox/outage', () => jsonResponse(200, outage.status()));
  router.add('POST', '/_sandbox/outage', (request) => {
    const parsed = parseJsonBody(request);
    const body = parsed.ok && parsed.value !== undefined ? parsed.value : {};
    const started = outage.start(body);
    return started.ok ? jsonResponse(200, outage.status()) : jsonResponse(400, { error: started.error });
  });
  router.add('DELETE', '/_sandbox/outage', () => {
    outage.end();
    return jsonResponse(200, outage.status());
  });

  const modes = () => ({
    idempotency: records.mode,
    integrationChanges: salesOrders.recordIntegrationChanges ? 'recorded' : 'filtered',
  });
  router.add('GET', '/_sandbox/mode', () => jsonResponse(200, modes()));
  router.add('POST', '/_sandbox/mode', (request) => {
    const parsed = parseJsonBody(request);
    const body = parsed.ok && isRecord(parsed.value) ? parsed.value : {};
    const { idempotency, integrationChanges } = body;
    if (idempotency === undefined && integrationChanges === undefined)
      return jsonResponse(400, { error: 'give idempotency ("netsuite" | "none") and/or integrationChanges ("filtered" | "recorded")' });
    if (idempotency !== undefined && idempotency !== 'netsuite' && idempotency !== 'none')
      return jsonResponse(400, { error: 'idempotency must be "netsuite" or "none"' });
    if (integrationChanges !== undefined && integrationChanges !== 'filtered' && integrationChanges !== 'recorded')
      return jsonResponse(400, { error: 'integrationChanges must be "filtered" or "recorded"' });
    if (idempotency !== undefined) records.mode = idempotency;
    if (integrationChanges !== undefined) salesOrders.recordIntegrationChanges = integrationChanges === 'recorded';
    return jsonResponse(200, modes());
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
