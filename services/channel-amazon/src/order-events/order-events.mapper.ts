// Pure checks and planning for the order outcomes the adapter carries to Amazon: which order an
// event is about, which items a cancellation cancels (Amazon cancels whole items only) and whether
// Amazon shows them cancelled, how a shipment becomes a confirmShipment, and whether Amazon
// already shows it (read-back).
import { ordersV1, type ordersEventsV1 } from '@retail-mesh/contracts';
import { AMAZON_CHANNEL } from '../amazon/amazon-channel.js';
import type { AmazonOrderItem } from '../amazon/sp-api.types.js';
import type { CancelItem } from '../order-feeds/order-feed-action.entity.js';

const AMAZON_ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;

export interface OrderRef {
  channelAccountId: string;
  amazonOrderId: string;
  orderId: string;
}

export type Checked<T> = ({ ok: true } & T) | { ok: false; reason: string };

/** The Amazon order an orders.* event is about, or why the adapter can never act on it. */
export function orderRefOf(
  order: ordersV1.Order | null | undefined,
  envelopeChannelAccountId: string,
  isServedAccount: (channelAccountId: string) => boolean,
): Checked<{ ref: OrderRef }> {
  if (!order) return { ok: false, reason: 'the event has no order' };
  if (order.channel !== AMAZON_CHANNEL) return { ok: false, reason: `channel is "${order.channel}", not "${AMAZON_CHANNEL}"` };
  if (envelopeChannelAccountId !== '' && envelopeChannelAccountId !== order.channelAccountId) {
    return {
      ok: false,
      reason: `envelope channel account "${envelopeChannelAccountId}" differs from the order's "${order.channelAccountId}"`,
    };
  }
  if (!isServedAccount(order.channelAccountId)) return { ok: false, reason: `unknown Amazon channel account "${order.channelAccountId}"` };
  if (!AMAZON_ORDER_ID.test(order.channelOrderId))
    return { ok: false, reason: `channel_order_id "${order.channelOrderId}" is not an Amazon order id (3-7-7)` };
  if (order.orderId === '') return { ok: false, reason: 'order_id is empty' };
  return { ok: true, ref: { channelAccountId: order.channelAccountId, amazonOrderId: order.channelOrderId, orderId: order.orderId } };
}

/** Amazon's cancellation reason codes for the canonical reasons. */
export function amazonCancelReason(reason: ordersV1.CancelReason): string {
  switch (reason) {
    case ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST:
      return 'BuyerCanceled';
    case ordersV1.CancelReason.CANCEL_REASON_OUT_OF_STOCK:
      return 'NoInventory';
    case ordersV1.CancelReason.CANCEL_REASON_FRAUD:
      return 'RiskAssessmentInformationNotValid';
    default:
      return 'GeneralAdjustment';
  }
}

/** Units of an order line the mesh cancelled while the line keeps units to ship: Amazon refunds them with an order adjustment. */
export interface UnitsOfLine {
  lineId: string;
  orderItemId: string;
  /** Units this change cancelled. */
  quantity: number;
  /** Units of the line the mesh has cancelled in all after the change. */
  cancelledInAll: number;
}

export type CancellationPlan =
  | { ok: true; fromChannel: true }
  | { ok: true; fromChannel: false; items: CancelItem[]; units: UnitsOfLine[] }
  | { ok: false; reason: string };

/**
 * The Amazon items an OrderCancelled cancels. A cancellation that came from Amazon is not sent
 * back, and one of an order Amazon fulfils (AFN) cannot be: Amazon ships it. Amazon cancels whole
 * items (their unshipped units): the event's order is as it is after the change, so a cancelled
 * line with nothing left to ship is an item to cancel (Failure acknowledgement), while units of a
 * line that still has some to ship (`units`) are cancelled and refunded with an order adjustment
 * (ADR 0006): Amazon has no cancellation of part of an item's quantity.
 */
export function cancellationItems(
  event: Pick<ordersEventsV1.OrderCancelled, 'order' | 'reason' | 'lines' | 'fullyCancelled'>,
): CancellationPlan {
  if (event.reason === ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED) return { ok: true, fromChannel: true };
  const order = event.order;
  if (!order) return { ok: false, reason: 'the event has no order' };
  if (order.fulfilledByChannel)
    return { ok: false, reason: `Amazon fulfils order ${order.channelOrderId} (AFN): a seller cannot cancel it through the order feeds` };
  const reason = amazonCancelReason(event.reason);
  const open = (line: ordersV1.OrderLine) => line.quantity - line.shippedQuantity - line.cancelledQuantity;
  const changes =
    event.lines.length === 0
      ? order.lines.filter((line) => line.quantity > line.shippedQuantity).map((line) => ({ line, quantity: line.cancelledQuantity }))
      : event.lines.map((change) => ({ line: order.lines.find((line) => line.lineId === change.lineId), quantity: change.quantity }));
  const items: CancelItem[] = [];
  const units: UnitsOfLine[] = [];
  for (const [index, { line, quantity }] of changes.entries()) {
    if (!line) return { ok: false, reason: `cancelled line ${event.lines[index]?.lineId ?? index} is not in the order` };
    if (line.channelLineId === '') return { ok: false, reason: `line ${line.lineId} has no Amazon order item id` };
    if (open(line) > 0) {
      if (quantity > 0)
        units.push({ lineId: line.lineId, orderItemId: line.channelLineId, quantity, cancelledInAll: line.cancelledQuantity });
    } else items.push({ orderItemId: line.channelLineId, reason });
  }
  if (items.length === 0 && units.length === 0) return { ok: false, reason: 'nothing unshipped is left to cancel' };
  return { ok: true, fromChannel: false, items, units };
}

/** The cancelled items Amazon still shows with units to ship (a cancelled item has QuantityOrdered down to QuantityShipped). */
export function itemsStillOpen(
  items: readonly CancelItem[],
  amazonItems: readonly Pick<AmazonOrderItem, 'OrderItemId' | 'QuantityOrdered' | 'QuantityShipped'>[],
): string[] {
  return items
    .filter((item) => {
      const onAmazon = amazonItems.find((candidate) => candidate.OrderItemId === item.orderItemId);
      return !onAmazon || onAmazon.QuantityOrdered - (onAmazon.QuantityShipped ?? 0) > 0;
    })
    .map((item) => item.orderItemId);
}

/** Why a shipment can never be confirmed on Amazon (checked before any call), or undefined. */
export function shipmentProblem(shipment: ordersV1.Shipment): string | undefined {
  if (shipment.trackingNumber.trim() === '') return 'the shipment has no tracking number';
  if (shipment.carrier.trim() === '') return 'the shipment has no carrier';
  if (shipment.lines.length === 0) return 'the shipment has no lines';
  return undefined;
}

/** Amazon's carrierCode for a carrier name; unknown carriers go as `Other` with their name. */
export function amazonCarrier(carrier: string): { carrierCode: string; carrierName?: string } {
  const known: Record<string, string> = {
    ups: 'UPS',
    usps: 'USPS',
    fedex: 'FedEx',
    dhl: 'DHL',
    'dhl express': 'DHL',
    'dhl ecommerce': 'DHL eCommerce',
    ontrac: 'OnTrac',
    'canada post': 'Canada Post',
    'royal mail': 'Royal Mail',
    dpd: 'DPD',
    gls: 'GLS',
    hermes: 'Hermes',
    'amazon shipping': 'Amazon Shipping',
  };
  const code = known[carrier.trim().toLowerCase()];
  return code ? { carrierCode: code } : { carrierCode: 'Other', carrierName: carrier.trim() };
}

export interface ShipmentConfirmationPlan {
  /** Amazon already shows every unit of the shipment as shipped. */
  alreadyApplied: boolean;
  /** What is still missing on Amazon, per order item. */
  orderItems: Array<{ orderItemId: string; quantity: number }>;
}

/**
 * Compares a shipment with what Amazon shows. The canonical order is as it is after the shipment,
 * so each shipped line's `shipped_quantity` is what Amazon's QuantityShipped must reach; what
 * Amazon lacks (at most the shipment's own quantity) is still to confirm. Used before the call (a
 * redelivery finds it applied and sends nothing) and after it (a 204 Amazon did not apply).
 */
export function planShipmentConfirmation(
  shipment: ordersV1.Shipment,
  order: ordersV1.Order,
  amazonItems: readonly Pick<AmazonOrderItem, 'OrderItemId' | 'QuantityShipped'>[],
): Checked<{ plan: ShipmentConfirmationPlan }> {
  const problem = shipmentProblem(shipment);
  if (problem) return { ok: false, reason: problem };
  const orderItems: Array<{ orderItemId: string; quantity: number }> = [];
  for (const shipped of shipment.lines) {
    const line = order.lines.find(
      (candidate) =>
        (shipped.lineId !== '' && candidate.lineId === shipped.lineId) ||
        (shipped.channelLineId !== '' && candidate.channelLineId === shipped.channelLineId),
    );
    const orderItemId = shipped.channelLineId || line?.channelLineId || '';
    if (!line || orderItemId === '')
      return { ok: false, reason: `shipment line ${shipped.lineId || shipped.channelLineId} is not a line of the order` };
    if (!Number.isSafeInteger(shipped.quantity) || shipped.quantity < 1)
      return { ok: false, reason: `shipment line ${line.lineId} has quantity ${shipped.quantity}` };
    const item = amazonItems.find((candidate) => candidate.OrderItemId === orderItemId);
    if (!item) return { ok: false, reason: `Amazon order has no item ${orderItemId}` };
    const missing = Math.min(shipped.quantity, Math.max(line.shippedQuantity, shipped.quantity) - (item.QuantityShipped ?? 0));
    if (missing > 0) orderItems.push({ orderItemId, quantity: missing });
  }
  return { ok: true, plan: { alreadyApplied: orderItems.length === 0, orderItems } };
}
