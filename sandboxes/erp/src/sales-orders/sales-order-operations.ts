// What happens to a sales order inside the ERP after the integration created it: the warehouse
// fulfils it (an item fulfillment record, lower on-hand at the location) and users close or cancel
// it. Each becomes an entry of the change feed. Changes the integration itself makes through the
// REST API (closing lines with PATCH) are not recorded by default: change-log scripts usually
// filter on the execution context so that an integration does not read its own writes back as
// news. `recordIntegrationChanges` imitates a change log without that filter.
import { isRecord } from '@retail-mesh/sandbox-kit';
import type { ChangeFeed, FeedRecordBase } from '../feed/change-feed.js';
import { ORDER_STATUS, remainingQuantity, type ItemLine } from '../records/item-lines.js';
import { invalidFieldValue, type Invalid } from '../records/record-errors.js';
import { EXTERNAL_ID_PATTERN, sublistLines, type RecordStore, type StoredRecord, type WriteResult } from '../records/record-store.js';
import type { StockFeedRecord, StockLedger } from '../stock/stock-ledger.js';
import { planFulfillment, shipStatusOf, type PlannedLine } from './item-fulfillment-transform.js';

/** Custom body field carrying the integration's own order id (set by the connector). */
export const ORDER_REFERENCE_FIELD = 'custbody_rm_order_id';
/** Custom column field carrying the integration's order line id on each item line. */
export const ORDER_LINE_REFERENCE_FIELD = 'custcol_rm_order_line_id';

export interface SalesOrderReference {
  id: string;
  tranId: string;
  externalId: string | null;
  [ORDER_REFERENCE_FIELD]: string | null;
}

export interface FeedLine {
  /** The sales order line. */
  orderLine: number;
  /** The item's name/number: the SKU. */
  item: string;
  quantity: number;
  [ORDER_LINE_REFERENCE_FIELD]: string | null;
}

/** An item fulfillment (shipment) as the change feed reports it. */
export interface FulfillmentFeedRecord extends FeedRecordBase {
  type: 'itemFulfillment';
  /** `externalId`: set when the integration created it (transform with an external id), else null. */
  itemFulfillment: { id: string; tranId: string; externalId: string | null };
  salesOrder: SalesOrderReference;
  location: string;
  shipCarrier: string;
  shipMethod: string;
  trackingNumber: string;
  trackingUrl: string;
  shippedAt: string;
  lines: FeedLine[];
}

/** Lines of a sales order closed or cancelled in the ERP; `lines` empty = the whole order. */
export interface CancellationFeedRecord extends FeedRecordBase {
  type: 'salesOrderCancellation';
  salesOrder: SalesOrderReference;
  reason: string;
  cancelledAt: string;
  lines: FeedLine[];
}

export interface LineSelector {
  /** The sales order line number, or … */
  line?: number;
  /** … the first open line of this SKU. */
  sku?: string;
  /** Units; omitted = everything left on the line. */
  quantity?: number;
}

export interface ShipmentInput {
  /** Omitted = everything left to ship. */
  lines?: LineSelector[];
  location: string;
  shipCarrier: string;
  shipMethod: string;
  trackingNumber: string;
  trackingUrl: string;
}

export interface CancellationInput {
  /** Omitted = the whole order. */
  lines?: LineSelector[];
  reason: string;
}

export type OperationResult<T> = { ok: true; value: T } | { ok: false; status: number; error: string };

function fail<T>(status: number, error: string): OperationResult<T> {
  return { ok: false, status, error };
}

export class SalesOrderOperations {
  /**
   * The change log also records the integration's own changes (no execution-context filter): a
   * PATCH that closes lines or lowers their quantity is reported as a cancellation like a user's.
   */
  recordIntegrationChanges = false;

  constructor(
    private readonly now: () => number,
    private readonly records: RecordStore,
    private readonly stock: StockLedger,
    private readonly feed: ChangeFeed,
  ) {}

  /** The warehouse ships (part of) a sales order: an item fulfillment, on-hand lowered, both in the feed. */
  ship(
    salesOrderId: string,
    input: ShipmentInput,
  ): OperationResult<{ itemFulfillment: StoredRecord; feed: Array<FulfillmentFeedRecord | StockFeedRecord> }> {
    const order = this.openOrder(salesOrderId);
    if (!order.ok) return order;
    const lines = linesOf(order.value);
    const picked = pick(lines, input.lines);
    if (!picked.ok) return picked;
    if (picked.value.length === 0) return fail(409, `sales order ${salesOrderId} has nothing left to ship`);

    const { itemFulfillment, feed } = this.recordFulfillment(
      order.value,
      picked.value.map(({ line, quantity }) => ({ line, quantity, location: input.location })),
      {
        shipCarrier: input.shipCarrier,
        shipMethod: input.shipMethod,
        package: { items: input.trackingNumber === '' ? [] : [{ packageTrackingNumber: input.trackingNumber }] },
      },
      { location: input.location, trackingNumber: input.trackingNumber, trackingUrl: input.trackingUrl },
    );
    return { ok: true, value: { itemFulfillment, feed } };
  }

  /**
   * The integration records a shipment: NetSuite's transform of the sales order into an item
   * fulfillment (`POST …/salesOrder/<id>/!transform/itemFulfillment`), with its idempotency key and
   * external id. The same effects as a warehouse shipment (fulfilled quantities, on hand lowered
   * at each line's location when the request names one, the feed record: an item fulfillment is
   * reported whoever created it).
   */
  transformToFulfillment(salesOrderId: string, body: Record<string, unknown>, idempotencyKey: string | undefined): WriteResult {
    const replay = this.records.replayOf(idempotencyKey);
    if (replay) return replay;
    const order = this.records.get('salesOrder', salesOrderId);
    if (!order) return { ok: false, kind: 'not-found' };
    const { externalId: rawExternalId, item: _item, shipStatus: _shipStatus, id: _id, ...fields } = body;
    const externalId = typeof rawExternalId === 'string' || typeof rawExternalId === 'number' ? String(rawExternalId) : null;
    if (externalId !== null && !EXTERNAL_ID_PATTERN.test(externalId)) return invalidFieldValue(externalId, 'externalId', 'externalId');
    const duplicate = externalId === null ? undefined : this.records.duplicateOf('itemFulfillment', externalId);
    if (duplicate) return duplicate;
    const status = isRecord(order.fields.orderStatus) ? order.fields.orderStatus.id : undefined;
    const lines = linesOf(order);
    // NetSuite cannot initialise a fulfillment from an order awaiting approval, cancelled, or with nothing left to ship.
    if (
      status === ORDER_STATUS.pendingApproval.id ||
      status === ORDER_STATUS.cancelled.id ||
      lines.every((line) => remainingQuantity(line) === 0)
    ) {
      return notInitialisable(order);
    }
    const shipStatus = shipStatusOf(body);
    if (!shipStatus.ok) return shipStatus;
    const plan = planFulfillment(lines, body);
    if (!plan.ok) return plan;
    const location = plan.lines.find((line) => line.location !== null)?.location ?? '';
    const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : '');
    const { itemFulfillment } = this.recordFulfillment(order, plan.lines, fields, {
      location,
      trackingNumber: '',
      trackingUrl: '',
      externalId,
      idempotencyKey,
      shipCarrier: text('shipCarrier'),
      shipMethod: text('shipMethod'),
    });
    return { ok: true, record: itemFulfillment, created: true };
  }

  /** An item fulfillment of `planned`, the order's fulfilled quantities raised, on hand lowered, both in the feed. */
  private recordFulfillment(
    order: StoredRecord,
    planned: readonly PlannedLine[],
    fields: Record<string, unknown>,
    details: {
      location: string;
      trackingNumber: string;
      trackingUrl: string;
      externalId?: string | null;
      idempotencyKey?: string;
      shipCarrier?: string;
      shipMethod?: string;
    },
  ): { itemFulfillment: StoredRecord; feed: Array<FulfillmentFeedRecord | StockFeedRecord> } {
    const timestamp = new Date(this.now()).toISOString();
    const lines = linesOf(order);
    const fulfillment = this.records.insertDocument(
      'itemFulfillment',
      {
        tranDate: timestamp.slice(0, 10),
        ...fields,
        createdFrom: { id: order.id, refName: `Sales Order #${order.tranId}` },
        entity: order.fields.entity,
        shipStatus: { id: 'C', refName: 'Shipped' },
        item: {
          items: planned.map(({ line, quantity, location }, index) => ({
            line: index + 1,
            orderLine: line.line,
            item: line.item,
            quantity,
            ...(location === null ? {} : { location: { refName: location } }),
            [ORDER_LINE_REFERENCE_FIELD]: line[ORDER_LINE_REFERENCE_FIELD] ?? null,
          })),
        },
      },
      { externalId: details.externalId ?? undefined, idempotencyKey: details.idempotencyKey },
    );
    this.records.save(order, {
      ...order.fields,
      item: {
        items: lines.map((line) => {
          const units = planned.filter((entry) => entry.line.line === line.line).reduce((sum, entry) => sum + entry.quantity, 0);
          return units === 0 ? line : { ...line, quantityFulfilled: line.quantityFulfilled + units };
        }),
      },
    });
    const record = this.feed.append<FulfillmentFeedRecord>({
      type: 'itemFulfillment',
      lastModified: timestamp,
      itemFulfillment: { id: fulfillment.id, tranId: fulfillment.tranId, externalId: fulfillment.externalId },
      salesOrder: referenceOf(order),
      location: details.location,
      shipCarrier: details.shipCarrier ?? (typeof fields.shipCarrier === 'string' ? fields.shipCarrier : ''),
      shipMethod: details.shipMethod ?? (typeof fields.shipMethod === 'string' ? fields.shipMethod : ''),
      trackingNumber: details.trackingNumber,
      trackingUrl: details.trackingUrl,
      shippedAt: timestamp,
      lines: planned.map(({ line, quantity }) => feedLine(line, quantity)),
    });
    // The fulfillment takes the units out of the location, as the real ERP's inventory does.
    const stockChanges = planned.flatMap(({ line, quantity, location }) =>
      location === null ? [] : [this.stock.adjust(line.item.refName, location, -quantity)],
    );
    return { itemFulfillment: fulfillment, feed: [record, ...stockChanges] };
  }

  /**
   * A user cancels the order (Pending Approval: status Cancelled; otherwise every open line is
   * closed) or closes lines / lowers their quantity; the change goes to the feed.
   */
  cancel(salesOrderId: string, input: CancellationInput): OperationResult<{ salesOrder: StoredRecord; feed: CancellationFeedRecord }> {
    const order = this.openOrder(salesOrderId);
    if (!order.ok) return order;
    const lines = linesOf(order.value);
    const picked = pick(lines, input.lines);
    if (!picked.ok) return picked;
    if (picked.value.length === 0) return fail(409, `sales order ${salesOrderId} has nothing left to cancel`);

    const whole = input.lines === undefined;
    const pendingApproval =
      isRecord(order.value.fields.orderStatus) && order.value.fields.orderStatus.id === ORDER_STATUS.pendingApproval.id;
    const updated = lines.map((line) => {
      const cancelled = picked.value.filter((entry) => entry.line.line === line.line).reduce((sum, entry) => sum + entry.quantity, 0);
      if (cancelled === 0) return line;
      if (whole && pendingApproval) return line;
      // Cancelling what is left closes the line; cancelling less lowers its quantity.
      return cancelled >= remainingQuantity(line) ? { ...line, isClosed: true } : { ...line, quantity: line.quantity - cancelled };
    });
    this.records.save(order.value, {
      ...order.value.fields,
      ...(whole && pendingApproval ? { orderStatus: ORDER_STATUS.cancelled } : {}),
      item: { items: updated },
    });
    const timestamp = new Date(this.now()).toISOString();
    const record = this.feed.append<CancellationFeedRecord>({
      type: 'salesOrderCancellation',
      lastModified: timestamp,
      salesOrder: referenceOf(order.value),
      reason: input.reason,
      cancelledAt: timestamp,
      lines: whole ? [] : picked.value.map(({ line, quantity }) => feedLine(line, quantity)),
    });
    return { ok: true, value: { salesOrder: order.value, feed: record } };
  }

  /**
   * After the integration updated a sales order through the REST API (`before`: its fields until
   * then): with `recordIntegrationChanges`, the units its lines lost (closed, or quantity lowered)
   * go to the feed as a cancellation without a reason.
   */
  integrationUpdated(order: StoredRecord, before: Record<string, unknown>): CancellationFeedRecord | undefined {
    if (!this.recordIntegrationChanges || order.recordType !== 'salesOrder') return undefined;
    const previous = (sublistLines(before.item) ?? []) as ItemLine[];
    const cancelled = linesOf(order).flatMap((line) => {
      const was = previous.find((candidate) => candidate.line === line.line);
      const quantity = was === undefined ? 0 : remainingQuantity(was) - remainingQuantity(line);
      return quantity > 0 ? [{ line, quantity }] : [];
    });
    if (cancelled.length === 0) return undefined;
    const timestamp = new Date(this.now()).toISOString();
    return this.feed.append<CancellationFeedRecord>({
      type: 'salesOrderCancellation',
      lastModified: timestamp,
      salesOrder: referenceOf(order),
      reason: '',
      cancelledAt: timestamp,
      lines: cancelled.map(({ line, quantity }) => feedLine(line, quantity)),
    });
  }

  /** The sales order, unless it is unknown (404) or cancelled (409). */
  private openOrder(salesOrderId: string): OperationResult<StoredRecord> {
    const order = this.records.get('salesOrder', salesOrderId);
    if (!order) return fail(404, `no sales order ${salesOrderId}`);
    const status = order.fields.orderStatus;
    if (isRecord(status) && status.id === ORDER_STATUS.cancelled.id) return fail(409, `sales order ${salesOrderId} is cancelled`);
    return { ok: true, value: order };
  }
}

function notInitialisable(order: StoredRecord): Invalid {
  return {
    ok: false,
    kind: 'invalid',
    errorCode: 'INVALID_INITIALIZE_REF',
    detail: `You can not initialize itemfulfillment: invalid reference ${order.id}.`,
  };
}

function linesOf(order: StoredRecord): ItemLine[] {
  return (sublistLines(order.fields.item) ?? []) as ItemLine[];
}

function referenceOf(order: StoredRecord): SalesOrderReference {
  const reference = order.fields[ORDER_REFERENCE_FIELD];
  return {
    id: order.id,
    tranId: order.tranId,
    externalId: order.externalId,
    [ORDER_REFERENCE_FIELD]: typeof reference === 'string' ? reference : null,
  };
}

function feedLine(line: ItemLine, quantity: number): FeedLine {
  const reference = line[ORDER_LINE_REFERENCE_FIELD];
  return {
    orderLine: line.line,
    item: line.item.refName,
    quantity,
    [ORDER_LINE_REFERENCE_FIELD]: typeof reference === 'string' ? reference : null,
  };
}

/** The lines and units a request names (none: everything left on every open line), checked against what is left. */
function pick(
  lines: readonly ItemLine[],
  selectors: LineSelector[] | undefined,
): OperationResult<Array<{ line: ItemLine; quantity: number }>> {
  if (selectors === undefined) {
    return {
      ok: true,
      value: lines.filter((line) => remainingQuantity(line) > 0).map((line) => ({ line, quantity: remainingQuantity(line) })),
    };
  }
  const picked: Array<{ line: ItemLine; quantity: number }> = [];
  for (const [index, selector] of selectors.entries()) {
    const left = (line: ItemLine) =>
      remainingQuantity(line) - picked.filter((entry) => entry.line.line === line.line).reduce((sum, entry) => sum + entry.quantity, 0);
    const line =
      selector.line !== undefined
        ? lines.find((candidate) => candidate.line === selector.line)
        : lines.find((candidate) => candidate.item.refName === selector.sku && left(candidate) > 0);
    if (!line) return fail(400, `lines[${index}]: no open line ${selector.line ?? `for SKU ${selector.sku}`}`);
    const quantity = selector.quantity ?? left(line);
    if (quantity <= 0 || quantity > left(line)) {
      return fail(409, `lines[${index}]: line ${line.line} has ${left(line)} unit(s) left, cannot take ${quantity}`);
    }
    picked.push({ line, quantity });
  }
  return { ok: true, value: picked };
}

/** Validates the admin body of a line list (`[{line | sku, quantity?}]`). */
export function parseLineSelectors(value: unknown): { ok: true; lines: LineSelector[] | undefined } | { ok: false; error: string } {
  if (value === undefined) return { ok: true, lines: undefined };
  if (!Array.isArray(value) || value.length === 0) return { ok: false, error: 'lines must be a non-empty array when given' };
  const lines: LineSelector[] = [];
  for (const [index, entry] of value.entries()) {
    if (!isRecord(entry)) return { ok: false, error: `lines[${index}] must be an object` };
    const { line, sku, quantity } = entry;
    if (line !== undefined && (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1))
      return { ok: false, error: `lines[${index}].line must be a positive integer` };
    if (sku !== undefined && (typeof sku !== 'string' || sku === ''))
      return { ok: false, error: `lines[${index}].sku must be a non-empty string` };
    if ((line === undefined) === (sku === undefined)) return { ok: false, error: `lines[${index}] needs exactly one of line and sku` };
    if (quantity !== undefined && (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1))
      return { ok: false, error: `lines[${index}].quantity must be a positive integer` };
    lines.push({ line: line as number | undefined, sku: sku as string | undefined, quantity: quantity as number | undefined });
  }
  return { ok: true, lines };
}

function optionalString(body: Record<string, unknown>, field: string): string | { error: string } {
  const value = body[field];
  if (value === undefined) return '';
  return typeof value === 'string' ? value : { error: `${field} must be a string` };
}

export function parseShipmentInput(body: unknown): { ok: true; input: ShipmentInput } | { ok: false; error: string } {
  if (!isRecord(body)) return { ok: false, error: 'the body must be a JSON object' };
  if (typeof body.location !== 'string' || body.location.trim() === '') return { ok: false, error: 'location must be a non-empty string' };
  const lines = parseLineSelectors(body.lines);
  if (!lines.ok) return lines;
  const strings: Record<string, string> = {};
  for (const field of ['shipCarrier', 'shipMethod', 'trackingNumber', 'trackingUrl']) {
    const value = optionalString(body, field);
    if (typeof value !== 'string') return { ok: false, error: value.error };
    strings[field] = value;
  }
  return {
    ok: true,
    input: {
      lines: lines.lines,
      location: body.location,
      shipCarrier: strings.shipCarrier,
      shipMethod: strings.shipMethod,
      trackingNumber: strings.trackingNumber,
      trackingUrl: strings.trackingUrl,
    },
  };
}

export function parseCancellationInput(body: unknown): { ok: true; input: CancellationInput } | { ok: false; error: string } {
  const object = body === undefined ? {} : body;
  if (!isRecord(object)) return { ok: false, error: 'the body must be a JSON object' };
  const lines = parseLineSelectors(object.lines);
  if (!lines.ok) return lines;
  const reason = optionalString(object, 'reason');
  if (typeof reason !== 'string') return { ok: false, error: reason.error };
  return { ok: true, input: { lines: lines.lines, reason } };
}
