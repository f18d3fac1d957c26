// Shipments the channel made itself (Amazon FBA) told to the ERP: orders.order_shipped of an order
// the channel fulfils becomes NetSuite's transform of the sales order into an item fulfillment.
// Pure: which events are for the ERP, the request body, its idempotency key and external id, and
// how the change feed's report of such a fulfillment is recognised as the connector's own.
import { fromTimestamp, type ordersEventsV1, type ordersV1 } from '@retail-mesh/contracts';
import { eventIdFromName } from '@retail-mesh/messaging';
import type { ErpSalesOrderLine } from '../erp-client/erp-sales-order.client.js';
import { matchErpLines, remaining } from '../order-cancellations/erp-line-changes.js';

/**
 * External ids of the item fulfillments the connector creates: this prefix and the mesh shipment
 * id (a UUID, so only letters, digits and `-`, as NetSuite requires). A fulfillment made in the ERP
 * (the warehouse, a user) has none, or the ERP's own.
 */
export const CHANNEL_FULFILLMENT_EXTERNAL_ID_PREFIX = 'rm-shipment-';

export function channelFulfillmentExternalId(shipmentId: string): string {
  return `${CHANNEL_FULFILLMENT_EXTERNAL_ID_PREFIX}${shipmentId}`;
}

/** The idempotency key of a shipment's transform: the same for every delivery of it, and for any event that repeats it. */
export function channelFulfillmentIdempotencyKey(shipmentId: string): string {
  return eventIdFromName(`erp-item-fulfillment:${shipmentId}`);
}

/**
 * True for a change feed record reporting an item fulfillment the connector created itself (its
 * external id has the connector's prefix): the mesh recorded that shipment before the ERP did, so
 * publishing it as erp.shipment_created would ship the units a second time in orders.
 */
export function isOwnFulfillmentRecord(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'itemFulfillment') return false;
  const fulfillment = (raw as { itemFulfillment?: unknown }).itemFulfillment;
  const externalId =
    typeof fulfillment === 'object' && fulfillment !== null ? (fulfillment as { externalId?: unknown }).externalId : undefined;
  return typeof externalId === 'string' && externalId.startsWith(CHANNEL_FULFILLMENT_EXTERNAL_ID_PREFIX);
}

export type ChannelShipmentDecision =
  | { kind: 'record'; order: ordersV1.Order; shipment: ordersV1.Shipment }
  | { kind: 'skip'; reason: string }
  | { kind: 'invalid'; reason: string };

/**
 * Whether an orders.order_shipped is one the ERP must be told of: a shipment the ERP did not
 * create (no erp_shipment_id: every shipment from the ERP's feed carries the ERP's id, and the ERP
 * knows those already) of an order the channel fulfils. The ERP's own shipments are skipped; so
 * is a shipment without an ERP id of an order the seller ships (no such source exists today; the
 * warehouse would have to record it in the ERP itself).
 */
export function channelShipmentDecision(event: ordersEventsV1.OrderShipped): ChannelShipmentDecision {
  const { order, shipment } = event;
  if (!order || order.orderId === '') return { kind: 'invalid', reason: 'orders.order_shipped without an order id' };
  if (!shipment || shipment.shipmentId === '')
    return { kind: 'invalid', reason: `orders.order_shipped of ${order.orderId} without a shipment id` };
  if (shipment.erpShipmentId !== '') return { kind: 'skip', reason: `shipped by the ERP (item fulfillment ${shipment.erpShipmentId})` };
  if (!order.fulfilledByChannel) return { kind: 'skip', reason: 'not an order the channel fulfils' };
  if (shipment.lines.length === 0) return { kind: 'invalid', reason: `shipment ${shipment.shipmentId} of ${order.orderId} has no lines` };
  return { kind: 'record', order, shipment };
}

/** One line of the transform's item sublist: fulfil `quantity` units of the sales order line, or leave it out. */
export type ItemFulfillmentLine = { orderLine: number; itemReceive: true; quantity: number } | { orderLine: number; itemReceive: false };

/**
 * The item sublist: each shipped line's units on its ERP line (matched by the mesh line id the
 * line carries, else by SKU), and every other line with something left marked `itemReceive:
 * false`, because NetSuite starts a fulfillment with everything left to ship. `unmatched`: mesh
 * line ids without an ERP line.
 */
export function itemFulfillmentLines(
  order: ordersV1.Order,
  shipment: ordersV1.Shipment,
  erpLines: readonly ErpSalesOrderLine[],
): { lines: ItemFulfillmentLine[]; unmatched: string[] } {
  const matched = matchErpLines(order.lines, erpLines);
  const units = new Map<number, number>();
  const unmatched: string[] = [];
  for (const shipped of shipment.lines) {
    const erpLine = matched.get(shipped.lineId);
    if (!erpLine) {
      unmatched.push(shipped.lineId);
      continue;
    }
    units.set(erpLine.line, (units.get(erpLine.line) ?? 0) + shipped.quantity);
  }
  const lines: ItemFulfillmentLine[] = [];
  for (const erpLine of erpLines) {
    const quantity = units.get(erpLine.line);
    if (quantity !== undefined) lines.push({ orderLine: erpLine.line, itemReceive: true, quantity });
    else if (remaining(erpLine) > 0) lines.push({ orderLine: erpLine.line, itemReceive: false });
  }
  return { lines, unmatched };
}

/**
 * The transform's body: shipped (shipStatus C), dated the day the channel shipped, with a memo
 * and custom fields naming the channel, its order and the mesh shipment, and the connector's
 * external id (which also makes a second fulfillment of the shipment a DUP_RCRD).
 */
export function toItemFulfillmentBody(
  order: ordersV1.Order,
  shipment: ordersV1.Shipment,
  lines: readonly ItemFulfillmentLine[],
  shippedAt: Date,
): Record<string, unknown> {
  const channelOrder = order.channelOrderNumber !== '' ? order.channelOrderNumber : order.channelOrderId;
  return {
    externalId: channelFulfillmentExternalId(shipment.shipmentId),
    tranDate: shippedAt.toISOString().slice(0, 10),
    shipStatus: { id: 'C' },
    memo: `Shipped by ${order.channel} (fulfilled by the channel): ${order.channel} order ${channelOrder}, mesh shipment ${shipment.shipmentId}`,
    custbody_rm_order_id: order.orderId,
    custbody_rm_shipment_id: shipment.shipmentId,
    custbody_rm_channel: order.channel,
    custbody_rm_channel_order_id: order.channelOrderId,
    item: { items: lines },
  };
}

/** When the channel shipped: the shipment's time, else the event's. */
export function shippedAtOf(shipment: ordersV1.Shipment, eventTime: Date): Date {
  return shipment.shippedAt ? fromTimestamp(shipment.shippedAt) : eventTime;
}
