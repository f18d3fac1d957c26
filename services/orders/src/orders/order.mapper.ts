// Between the contract's messages, the stored rows and the domain's names. Enums are stored and
// handled by name (`RECEIVED`, `FRAUD_REVIEW`), the contract's enum name without its prefix.
import { commonV1, fromTimestamp, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import {
  CANCEL_REASONS,
  FRAUD_RISK_LEVELS,
  HOLD_REASONS,
  ORDER_STATES,
  PAYMENT_STATUSES,
  type AddressContent,
  type CancelReason,
  type HoldReason,
  type LineQuantities,
  type Money,
  type OrderContent,
  type OrderState,
  type PaymentStatus,
} from '@retail-mesh/domain';
import type { OrderHistoryEntity } from './order-history.entity.js';
import type { OrderLineEntity } from './order-line.entity.js';
import type { MessageJson, OrderDetails, OrderEntity } from './order.entity.js';

/** The domain name of a contract enum value (`ORDER_STATE_RECEIVED` -> `RECEIVED`); undefined for UNSPECIFIED or unknown values. */
function nameOf<T extends string>(json: string, prefix: string, names: readonly T[]): T | undefined {
  const name = json.startsWith(prefix) ? json.slice(prefix.length) : '';
  return (names as readonly string[]).includes(name) ? (name as T) : undefined;
}

export const stateName = (value: ordersV1.OrderState): OrderState | undefined =>
  nameOf(ordersV1.orderStateToJSON(value), 'ORDER_STATE_', ORDER_STATES);
export const holdReasonName = (value: ordersV1.HoldReason): HoldReason | undefined =>
  nameOf(ordersV1.holdReasonToJSON(value), 'HOLD_REASON_', HOLD_REASONS);
export const cancelReasonName = (value: ordersV1.CancelReason): CancelReason | undefined =>
  nameOf(ordersV1.cancelReasonToJSON(value), 'CANCEL_REASON_', CANCEL_REASONS);
const paymentStatusName = (value: ordersV1.PaymentStatus): PaymentStatus =>
  nameOf(ordersV1.paymentStatusToJSON(value), 'PAYMENT_STATUS_', PAYMENT_STATUSES) ?? 'UNSPECIFIED';

export const stateValue = (state: OrderState): ordersV1.OrderState => ordersV1.orderStateFromJSON(`ORDER_STATE_${state}`);
export const holdReasonValue = (reason: HoldReason | null): ordersV1.HoldReason =>
  reason === null ? ordersV1.HoldReason.HOLD_REASON_UNSPECIFIED : ordersV1.holdReasonFromJSON(`HOLD_REASON_${reason}`);
export const cancelReasonValue = (reason: CancelReason | null): ordersV1.CancelReason =>
  reason === null ? ordersV1.CancelReason.CANCEL_REASON_UNSPECIFIED : ordersV1.cancelReasonFromJSON(`CANCEL_REASON_${reason}`);
const paymentStatusValue = (status: PaymentStatus): ordersV1.PaymentStatus => ordersV1.paymentStatusFromJSON(`PAYMENT_STATUS_${status}`);

/** What validation reads of an order message. */
export function toOrderContent(order: ordersV1.Order): OrderContent {
  const money = (value: { amountMinor: number; currency: string } | null | undefined): Money | null =>
    value ? { amountMinor: value.amountMinor, currency: value.currency } : null;
  const amounts = (values: ReadonlyArray<{ amount?: { amountMinor: number; currency: string } | null }>): Money[] =>
    values.map((value) => money(value.amount) ?? { amountMinor: 0, currency: order.currency });
  const totals = order.totals;
  return {
    currency: order.currency,
    taxesIncluded: order.taxesIncluded,
    lines: order.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: money(line.unitPrice),
      discounts: amounts(line.discounts),
      taxes: amounts(line.taxes),
    })),
    shipping: order.shipping
      ? { price: money(order.shipping.price), discounts: amounts(order.shipping.discounts), taxes: amounts(order.shipping.taxes) }
      : null,
    totals: totals
      ? {
          subtotal: money(totals.subtotal),
          discountTotal: money(totals.discountTotal),
          taxTotal: money(totals.taxTotal),
          shippingTotal: money(totals.shippingTotal),
          grandTotal: money(totals.grandTotal),
        }
      : null,
    shippingAddress: order.shippingAddress ? toAddressContent(order.shippingAddress) : null,
    fulfilledByChannel: order.fulfilledByChannel,
    paymentStatus: paymentStatusName(order.paymentStatus),
    fraudSignals: order.fraudSignals.map((signal) => ({
      source: signal.source,
      code: signal.code,
      riskLevel: nameOf(ordersV1.fraudRiskLevelToJSON(signal.riskLevel), 'FRAUD_RISK_LEVEL_', FRAUD_RISK_LEVELS) ?? 'UNSPECIFIED',
    })),
    placedAt: order.placedAt ? fromTimestamp(order.placedAt) : null,
  };
}

function toAddressContent(address: NonNullable<ordersV1.Order['shippingAddress']>): AddressContent {
  return {
    name: address.name,
    company: address.company,
    line1: address.line1,
    city: address.city,
    region: address.region,
    postalCode: address.postalCode,
    countryCode: address.countryCode,
  };
}

/** The rows of a newly submitted order (already checked by readSubmittedOrder). */
export function toNewOrderRows(
  order: ordersV1.Order,
  ids: { orderId: string; idempotencyKey: string },
  now: Date,
): { order: OrderEntity; lines: OrderLineEntity[] } {
  const details: OrderDetails = {
    shipping: order.shipping ? json(ordersV1.Shipping.toJSON(order.shipping)) : undefined,
    shippingAddress: order.shippingAddress ? json(commonV1.PostalAddress.toJSON(order.shippingAddress)) : undefined,
    billingAddress: order.billingAddress ? json(commonV1.PostalAddress.toJSON(order.billingAddress)) : undefined,
    customer: order.customer ? json(ordersV1.Customer.toJSON(order.customer)) : undefined,
    fraudSignals: order.fraudSignals.map((signal) => json(ordersV1.FraudSignal.toJSON(signal))),
    totals: order.totals ? json(ordersV1.OrderTotals.toJSON(order.totals)) : undefined,
  };
  const entity: OrderEntity = {
    orderId: ids.orderId,
    channelAccountId: order.channelAccountId,
    channel: order.channel,
    channelOrderId: order.channelOrderId,
    channelOrderNumber: order.channelOrderNumber,
    idempotencyKey: ids.idempotencyKey,
    state: 'RECEIVED',
    holdReason: null,
    holdDetail: '',
    cancelReason: null,
    waivedHoldReasons: [],
    paymentStatus: paymentStatusName(order.paymentStatus),
    currency: order.currency,
    taxesIncluded: order.taxesIncluded,
    fulfilledByChannel: order.fulfilledByChannel,
    requestedLocationId: order.requestedLocationId,
    purchaseOrderNumber: order.purchaseOrderNumber,
    placedAt: fromTimestamp(order.placedAt!),
    details,
    erpOrderId: null,
    erpAttempt: 1,
    reservationId: null,
    version: 1,
    createdAt: now,
    updatedAt: now,
    acceptedAt: null,
    workDueAt: now,
    workAttempts: 0,
    lastError: null,
    claimToken: null,
    claimedUntil: null,
  };
  const lines = order.lines.map((line, position): OrderLineEntity => ({
    orderId: ids.orderId,
    lineId: line.lineId,
    position,
    channelLineId: line.channelLineId,
    sku: line.sku,
    title: line.title,
    quantity: line.quantity,
    unitPriceMinor: line.unitPrice!.amountMinor,
    discounts: line.discounts.map((discount) => json(ordersV1.Discount.toJSON(discount))),
    taxes: line.taxes.map((tax) => json(ordersV1.TaxLine.toJSON(tax))),
    shippedQuantity: 0,
    cancelledQuantity: 0,
    locationId: null,
  }));
  return { order: entity, lines };
}

/** The canonical order message of a stored order. */
export function toOrderMessage(order: OrderEntity, lines: readonly OrderLineEntity[]): ordersV1.Order {
  const { details } = order;
  const address = (json: unknown) => (json === undefined ? undefined : commonV1.PostalAddress.fromJSON(json));
  return {
    orderId: order.orderId,
    channelAccountId: order.channelAccountId,
    channel: order.channel,
    channelOrderId: order.channelOrderId,
    channelOrderNumber: order.channelOrderNumber,
    state: stateValue(order.state),
    holdReason: holdReasonValue(order.holdReason),
    holdDetail: order.holdDetail,
    lines: [...lines]
      .sort((a, b) => a.position - b.position)
      .map((line) => ({
        lineId: line.lineId,
        channelLineId: line.channelLineId,
        sku: line.sku,
        title: line.title,
        quantity: line.quantity,
        unitPrice: { amountMinor: line.unitPriceMinor, currency: order.currency },
        discounts: line.discounts.map((discount) => ordersV1.Discount.fromJSON(discount)),
        taxes: line.taxes.map((tax) => ordersV1.TaxLine.fromJSON(tax)),
        shippedQuantity: line.shippedQuantity,
        cancelledQuantity: line.cancelledQuantity,
        locationId: line.locationId ?? '',
      })),
    shipping: details.shipping === undefined ? undefined : ordersV1.Shipping.fromJSON(details.shipping),
    shippingAddress: address(details.shippingAddress),
    billingAddress: address(details.billingAddress),
    customer: details.customer === undefined ? undefined : ordersV1.Customer.fromJSON(details.customer),
    paymentStatus: paymentStatusValue(order.paymentStatus),
    fraudSignals: details.fraudSignals.map((signal) => ordersV1.FraudSignal.fromJSON(signal)),
    requestedLocationId: order.requestedLocationId,
    currency: order.currency,
    totals: details.totals === undefined ? undefined : ordersV1.OrderTotals.fromJSON(details.totals),
    purchaseOrderNumber: order.purchaseOrderNumber,
    placedAt: toTimestamp(order.placedAt),
    erpOrderId: order.erpOrderId ?? '',
    reservationId: order.reservationId ?? '',
    cancelReason: cancelReasonValue(order.cancelReason),
    version: order.version,
    createdAt: toTimestamp(order.createdAt),
    updatedAt: toTimestamp(order.updatedAt),
    taxesIncluded: order.taxesIncluded,
    fulfilledByChannel: order.fulfilledByChannel,
  };
}

export function toHistoryMessage(entry: OrderHistoryEntity): ordersV1.OrderHistoryEntry {
  return {
    version: entry.version,
    fromState: entry.fromState === null ? ordersV1.OrderState.ORDER_STATE_UNSPECIFIED : stateValue(entry.fromState),
    toState: stateValue(entry.toState),
    change: entry.change,
    actor: entry.actor,
    holdReason: holdReasonValue(entry.holdReason),
    cancelReason: cancelReasonValue(entry.cancelReason),
    detail: entry.detail,
    changedAt: toTimestamp(entry.changedAt),
  };
}

/** A message's JSON (ts-proto's toJSON is typed `unknown`). */
export function json(value: unknown): MessageJson {
  return value as MessageJson;
}

/** The quantities the state machine works on. */
export function toLineQuantities(lines: readonly OrderLineEntity[]): LineQuantities[] {
  return lines.map((line) => ({
    lineId: line.lineId,
    quantity: line.quantity,
    shippedQuantity: line.shippedQuantity,
    cancelledQuantity: line.cancelledQuantity,
  }));
}
