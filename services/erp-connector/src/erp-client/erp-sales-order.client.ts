import { Inject, Injectable } from '@nestjs/common';
import { ERP_CONNECTOR_SETTINGS, type ErpConnectorSettings } from '../erp-connector.config.js';
import { ErpConnectorMetrics } from '../erp-connector.metrics.js';
import { ErpHttpClient, ErpMalformedResponseError, isErpTransientError } from './erp-http.client.js';
import { isDuplicateRecord, isIdempotencyConflict, isPermanentRejection } from './netsuite-error.js';

// NetSuite's sales order record over the REST record API:
//   PUT   /services/rest/record/v1/salesOrder/eid:<externalId>   upsert (+ X-NetSuite-Idempotency-Key) → 204, Location
//   POST  /services/rest/record/v1/salesOrder                    create → 204, Location
//   GET   /services/rest/record/v1/salesOrder?q=externalId IS "<externalId>"   find by external id
//   GET   /services/rest/record/v1/salesOrder/<id>?expandSubResources=true     read with its lines
//   PATCH /services/rest/record/v1/salesOrder/<id>               update lines (close, lower quantity) → 204
//   POST  /services/rest/record/v1/salesOrder/<id>/!transform/itemFulfillment   record a shipment (+ X-NetSuite-Idempotency-Key) → 204, Location

export const SALES_ORDER_PATH = '/services/rest/record/v1/salesOrder';

/** A sales order line as the connector needs it back from the ERP. */
export interface ErpSalesOrderLine {
  line: number;
  /** The item's name (the SKU), from the reference's refName. */
  sku: string;
  quantity: number;
  quantityFulfilled: number;
  isClosed: boolean;
  /** The mesh order line id the connector put on the line, when it is there. */
  orderLineId: string | null;
}

export interface ErpSalesOrder {
  id: string;
  lines: ErpSalesOrderLine[];
}

export type ErpLineChange = { line: number; isClosed: true } | { line: number; quantity: number };

/** The ERP's internal id of a record of `recordType` from a `Location` header (`…/salesOrder/5001`). */
export function recordIdFromLocation(location: string | null | undefined, recordType: string): string | undefined {
  if (!location) return undefined;
  const path = new URL(location, 'http://erp.invalid').pathname;
  return new RegExp(`/${recordType}/(\\d+)/?$`).exec(path)?.[1];
}

/** The ERP's internal id of a sales order from a `Location` header (`…/salesOrder/5001`). */
export function salesOrderIdFromLocation(location: string | null | undefined): string | undefined {
  return recordIdFromLocation(location, 'salesOrder');
}

/**
 * How a transform into an item fulfillment ended: created now, `replayed` (the ERP knew the
 * idempotency key: an earlier attempt went through, its answer lost) or `existing` (a fulfillment
 * with the external id is there already: the ERP forgot the key, not the shipment). The id is
 * null when the ERP did not name it.
 */
export interface ItemFulfillmentResult {
  outcome: 'created' | 'replayed' | 'existing';
  itemFulfillmentId: string | null;
}

type Operation =
  'upsert_sales_order' | 'create_sales_order' | 'find_sales_order' | 'get_sales_order' | 'update_sales_order' | 'fulfill_sales_order';

@Injectable()
export class ErpSalesOrderClient {
  constructor(
    private readonly http: ErpHttpClient,
    private readonly metrics: ErpConnectorMetrics,
    @Inject(ERP_CONNECTOR_SETTINGS) private readonly settings: ErpConnectorSettings,
  ) {}

  /**
   * NetSuite's way: upsert by external id with an idempotency key. A repeat of the key (a retry
   * after a lost answer) is answered 400 IDEMPOTENCY_ERROR pointing at the first result, which is
   * the sales order.
   */
  async upsert(externalId: string, body: Record<string, unknown>, idempotencyKey: string): Promise<string> {
    const path = `${SALES_ORDER_PATH}/eid:${encodeURIComponent(externalId)}`;
    try {
      const response = await this.call('upsert_sales_order', () =>
        this.http.request('PUT', path, {
          body,
          headers: { 'x-netsuite-idempotency-key': idempotencyKey },
          retries: this.settings.orderRequestRetries,
        }),
      );
      return this.idFromLocation(response.headers.get('location'), 'PUT salesOrder');
    } catch (error) {
      if (!isIdempotencyConflict(error)) throw error;
      // The first request with this key went through: its result is the sales order.
      return salesOrderIdFromLocation(error.header('location')) ?? (await this.requireByExternalId(externalId));
    }
  }

  /** Internal ids of the sales orders carrying this external id (more than one only in an ERP that lets duplicates in). */
  async findByExternalId(externalId: string): Promise<string[]> {
    const q = `externalId IS "${externalId}"`;
    const response = await this.call('find_sales_order', () =>
      this.http.request('GET', `${SALES_ORDER_PATH}?${new URLSearchParams({ q, limit: '1000' })}`, {
        retries: this.settings.orderRequestRetries,
      }),
    );
    const items = (response.body as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(items)) throw new ErpMalformedResponseError('sales order query answer has no items array');
    return items.map((item) => {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || id === '') throw new ErpMalformedResponseError('sales order query answer has an item without id');
      return id;
    });
  }

  /** A plain create. Never retried here: without idempotency a repeat could create a second order (lookup first). */
  async create(body: Record<string, unknown>): Promise<string> {
    const response = await this.call('create_sales_order', () => this.http.request('POST', SALES_ORDER_PATH, { body, retries: 0 }));
    return this.idFromLocation(response.headers.get('location'), 'POST salesOrder');
  }

  async get(erpOrderId: string): Promise<ErpSalesOrder> {
    const response = await this.call('get_sales_order', () =>
      this.http.request('GET', `${SALES_ORDER_PATH}/${encodeURIComponent(erpOrderId)}?expandSubResources=true`),
    );
    return parseSalesOrder(response.body);
  }

  /** Closes lines or lowers their quantity (absolute values, so a repeat changes nothing). */
  async updateLines(erpOrderId: string, changes: readonly ErpLineChange[]): Promise<void> {
    await this.call('update_sales_order', () =>
      this.http.request('PATCH', `${SALES_ORDER_PATH}/${encodeURIComponent(erpOrderId)}`, { body: { item: { items: changes } } }),
    );
  }

  /**
   * NetSuite's transform of the sales order into an item fulfillment, with an idempotency key:
   * transient failures are retried with the same key, and a repeat of a request that went
   * through is answered 400 IDEMPOTENCY_ERROR pointing at the fulfillment it created.
   */
  async transformToItemFulfillment(
    erpOrderId: string,
    body: Record<string, unknown>,
    idempotencyKey: string,
  ): Promise<ItemFulfillmentResult> {
    const path = `${SALES_ORDER_PATH}/${encodeURIComponent(erpOrderId)}/!transform/itemFulfillment`;
    try {
      const response = await this.call('fulfill_sales_order', () =>
        this.http.request('POST', path, { body, headers: { 'x-netsuite-idempotency-key': idempotencyKey } }),
      );
      const id = recordIdFromLocation(response.headers.get('location'), 'itemFulfillment');
      if (id === undefined) throw new ErpMalformedResponseError(`POST ${path} answered without an item fulfillment Location`);
      return { outcome: 'created', itemFulfillmentId: id };
    } catch (error) {
      if (isIdempotencyConflict(error)) {
        return { outcome: 'replayed', itemFulfillmentId: recordIdFromLocation(error.header('location'), 'itemFulfillment') ?? null };
      }
      if (isDuplicateRecord(error)) return { outcome: 'existing', itemFulfillmentId: null };
      throw error;
    }
  }

  private async requireByExternalId(externalId: string): Promise<string> {
    const [id] = await this.findByExternalId(externalId);
    if (id === undefined) throw new ErpMalformedResponseError(`the ERP reported a conflict for ${externalId} but has no such sales order`);
    return id;
  }

  private idFromLocation(location: string | null, what: string): string {
    const id = salesOrderIdFromLocation(location);
    if (id === undefined) throw new ErpMalformedResponseError(`${what} answered without a sales order Location (${location ?? 'none'})`);
    return id;
  }

  /** Counts the call by operation and outcome. */
  private async call<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.metrics.erpCall(operation, 'ok');
      return result;
    } catch (error) {
      const outcome = isIdempotencyConflict(error)
        ? 'replayed'
        : isPermanentRejection(error)
          ? 'rejected'
          : isErpTransientError(error)
            ? 'unavailable'
            : 'failed';
      this.metrics.erpCall(operation, outcome);
      throw error;
    }
  }
}

function parseSalesOrder(body: unknown): ErpSalesOrder {
  const record = body as { id?: unknown; item?: { items?: unknown } } | undefined;
  if (typeof record?.id !== 'string' || !Array.isArray(record.item?.items)) {
    throw new ErpMalformedResponseError('sales order answer lacks id or expanded item lines');
  }
  const lines = record.item.items.map((raw, index): ErpSalesOrderLine => {
    const line = raw as Record<string, unknown>;
    const item = line.item as { refName?: unknown } | undefined;
    const reference = line.custcol_rm_order_line_id;
    if (
      typeof line.line !== 'number' ||
      typeof item?.refName !== 'string' ||
      typeof line.quantity !== 'number' ||
      (line.quantityFulfilled !== undefined && typeof line.quantityFulfilled !== 'number')
    ) {
      throw new ErpMalformedResponseError(`sales order ${record.id as string} line ${index} lacks line, item or quantity`);
    }
    return {
      line: line.line,
      sku: item.refName,
      quantity: line.quantity,
      quantityFulfilled: (line.quantityFulfilled as number | undefined) ?? 0,
      isClosed: line.isClosed === true,
      orderLineId: typeof reference === 'string' && reference !== '' ? reference : null,
    };
  });
  return { id: record.id, lines };
}
