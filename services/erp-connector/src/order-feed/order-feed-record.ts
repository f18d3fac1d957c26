// Validation of the order records of the ERP change feed: item fulfillments (shipments) and sales
// order cancellations. The RESTlet reports each with the sales order it belongs to (internal id,
// external id, and the mesh order id the connector wrote in a custom field) and its lines (the
// sales order line, the SKU, the units, and the mesh order line id from a custom column).
import { isPositiveInteger, isRecord, MAX_LOCATION_LENGTH, readTimestamp, SKU_PATTERN } from '../change-feed/feed-record-fields.js';

export interface OrderFeedLine {
  /** The sales order line (`orderLine`), when the record names it. */
  erpLine: number | null;
  sku: string;
  quantity: number;
  /** The mesh order line id, when the sales order line carries it. */
  orderLineId: string | null;
}

interface OrderFeedChangeBase {
  feedId: string;
  erpOrderId: string;
  /** The mesh order id written on the sales order, when it carries one. */
  orderReference: string | null;
  lines: OrderFeedLine[];
  changedAt: Date;
}

export interface ShipmentFeedChange extends OrderFeedChangeBase {
  erpShipmentId: string;
  locationId: string;
  carrier: string;
  serviceLevel: string;
  trackingNumber: string;
  trackingUrl: string;
  shippedAt: Date;
}

/** Lines cancelled in the ERP; no lines: the whole order. */
export interface CancellationFeedChange extends OrderFeedChangeBase {
  reason: string;
  cancelledAt: Date;
}

export type OrderFeedParseResult<T> = { ok: true; change: T } | { ok: false; reason: string };

const MAX_TEXT_LENGTH = 512;

function optionalText(record: Record<string, unknown>, field: string): string | { error: string } {
  const value = record[field];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return { error: `${field} ${JSON.stringify(value)} is not a string` };
  if (value.length > MAX_TEXT_LENGTH) return { error: `${field} is longer than ${MAX_TEXT_LENGTH} characters` };
  return value;
}

function readSalesOrder(raw: Record<string, unknown>): { erpOrderId: string; orderReference: string | null } | { error: string } {
  const salesOrder = raw.salesOrder;
  if (!isRecord(salesOrder) || typeof salesOrder.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(salesOrder.id)) {
    return { error: 'salesOrder.id is missing or not an ERP id' };
  }
  const reference = salesOrder.custbody_rm_order_id;
  if (reference !== undefined && reference !== null && (typeof reference !== 'string' || reference.length > 64)) {
    return { error: 'salesOrder.custbody_rm_order_id is not an order id' };
  }
  return { erpOrderId: salesOrder.id, orderReference: typeof reference === 'string' && reference !== '' ? reference : null };
}

function readLines(value: unknown, required: boolean): OrderFeedLine[] | { error: string } {
  if (!Array.isArray(value)) return { error: 'lines is not an array' };
  if (required && value.length === 0) return { error: 'lines is empty' };
  const lines: OrderFeedLine[] = [];
  for (const [index, line] of value.entries()) {
    if (!isRecord(line)) return { error: `lines[${index}] is not an object` };
    if (typeof line.item !== 'string' || !SKU_PATTERN.test(line.item))
      return { error: `lines[${index}].item ${JSON.stringify(line.item)} is not a valid SKU` };
    if (!isPositiveInteger(line.quantity))
      return { error: `lines[${index}].quantity ${JSON.stringify(line.quantity)} is not a positive integer` };
    const reference = line.custcol_rm_order_line_id;
    if (reference !== undefined && reference !== null && typeof reference !== 'string') {
      return { error: `lines[${index}].custcol_rm_order_line_id is not a string` };
    }
    if (line.orderLine !== undefined && line.orderLine !== null && !isPositiveInteger(line.orderLine))
      return { error: `lines[${index}].orderLine ${JSON.stringify(line.orderLine)} is not a line number` };
    lines.push({
      erpLine: isPositiveInteger(line.orderLine) ? line.orderLine : null,
      sku: line.item,
      quantity: line.quantity,
      orderLineId: typeof reference === 'string' && reference !== '' ? reference : null,
    });
  }
  return lines;
}

/** `{"type":"itemFulfillment", itemFulfillment:{id}, salesOrder:{id, custbody_rm_order_id}, location, shipCarrier, shipMethod, trackingNumber, trackingUrl, shippedAt, lines, lastModified}`. */
export function parseShipmentRecord(raw: Record<string, unknown>, feedId: string): OrderFeedParseResult<ShipmentFeedChange> {
  const fail = (reason: string) => ({ ok: false as const, reason });
  const fulfillment = raw.itemFulfillment;
  if (!isRecord(fulfillment) || typeof fulfillment.id !== 'string' || fulfillment.id === '') return fail('itemFulfillment.id is missing');
  const salesOrder = readSalesOrder(raw);
  if ('error' in salesOrder) return fail(salesOrder.error);
  if (typeof raw.location !== 'string' || raw.location.trim() === '') return fail('location is missing');
  if (raw.location.length > MAX_LOCATION_LENGTH) return fail(`location is longer than ${MAX_LOCATION_LENGTH} characters`);
  const texts: Record<string, string> = {};
  for (const field of ['shipCarrier', 'shipMethod', 'trackingNumber', 'trackingUrl']) {
    const text = optionalText(raw, field);
    if (typeof text !== 'string') return fail(text.error);
    texts[field] = text;
  }
  const shippedAt = readTimestamp(raw.shippedAt);
  if (!shippedAt) return fail(`shippedAt ${JSON.stringify(raw.shippedAt)} is not a timestamp`);
  const changedAt = readTimestamp(raw.lastModified) ?? shippedAt;
  const lines = readLines(raw.lines, true);
  if ('error' in lines) return fail(lines.error);
  return {
    ok: true,
    change: {
      feedId,
      ...salesOrder,
      erpShipmentId: fulfillment.id,
      locationId: raw.location,
      carrier: texts.shipCarrier,
      serviceLevel: texts.shipMethod,
      trackingNumber: texts.trackingNumber,
      trackingUrl: texts.trackingUrl,
      shippedAt,
      lines,
      changedAt,
    },
  };
}

/** `{"type":"salesOrderCancellation", salesOrder:{id, custbody_rm_order_id}, reason, cancelledAt, lines, lastModified}`. */
export function parseCancellationRecord(raw: Record<string, unknown>, feedId: string): OrderFeedParseResult<CancellationFeedChange> {
  const fail = (reason: string) => ({ ok: false as const, reason });
  const salesOrder = readSalesOrder(raw);
  if ('error' in salesOrder) return fail(salesOrder.error);
  const reason = optionalText(raw, 'reason');
  if (typeof reason !== 'string') return fail(reason.error);
  const cancelledAt = readTimestamp(raw.cancelledAt);
  if (!cancelledAt) return fail(`cancelledAt ${JSON.stringify(raw.cancelledAt)} is not a timestamp`);
  const lines = readLines(raw.lines, false);
  if ('error' in lines) return fail(lines.error);
  return {
    ok: true,
    change: { feedId, ...salesOrder, reason, cancelledAt, lines, changedAt: readTimestamp(raw.lastModified) ?? cancelledAt },
  };
}
