// Which units of a Shopify order a partial cancellation still has to cancel (ADR 0006). Pure.
// Shopify cancels units of unfulfilled lines with a refund whose line items have the restock type
// CANCEL; the refunds on the order are how the adapter reads back what is cancelled already.
// - A cancellation from the mesh (orders.order_cancelled): the mesh's order (as it is after the
//   change) says how many units of each line are cancelled in all; Shopify must reach that, and
//   this change adds at most its own units, so a redelivery, or a retry after a lost answer, sends
//   nothing twice.
// - A CancelOrder request naming lines: the request only names units to cancel now, so it is the
//   refund that carries the request's key in its note: a repeat finds it and sends nothing.
import type { ordersV1 } from '@retail-mesh/contracts';

/** What Shopify shows of a line item: units still to fulfil, units cancelled by refunds (restock type CANCEL). */
export interface ShopifyLineUnits {
  lineItemId: string;
  unfulfilledQuantity: number;
  cancelledQuantity: number;
}

/** A refund Shopify shows on the order. */
export interface ShopifyRefundView {
  note: string | null;
  createdAt: Date | null;
}

/** What Shopify shows of an order's cancellations: cancelled whole, units per line item, its refunds. */
export interface CancelledUnits {
  cancelledAt: Date | null;
  lines: ShopifyLineUnits[];
  refunds: ShopifyRefundView[];
}

export interface UnitsToCancel {
  /** A Shopify LineItem gid. */
  lineItemId: string;
  quantity: number;
}

export type UnitCancellationPlan =
  /** Shopify shows every unit of the change cancelled. */
  | { kind: 'done' }
  | { kind: 'cancel'; lines: UnitsToCancel[] }
  /** It can never apply as it is (an unknown line, units fulfilled meanwhile). */
  | { kind: 'impossible'; reason: string };

export function planUnitCancellation(
  order: Pick<ordersV1.Order, 'lines'>,
  changes: readonly ordersV1.LineQuantity[],
  shopify: readonly ShopifyLineUnits[],
): UnitCancellationPlan {
  const lines: UnitsToCancel[] = [];
  for (const change of changes) {
    const line = order.lines.find((candidate) => candidate.lineId === change.lineId);
    if (!line) return { kind: 'impossible', reason: `cancelled line ${change.lineId} is not in the order` };
    const onShopify = shopify.find((candidate) => candidate.lineItemId === line.channelLineId);
    if (!onShopify)
      return { kind: 'impossible', reason: `line ${line.lineId} (${line.channelLineId || 'no line item id'}) is not on the Shopify order` };
    const missing = Math.min(change.quantity, line.cancelledQuantity - onShopify.cancelledQuantity);
    if (missing <= 0) continue;
    if (missing > onShopify.unfulfilledQuantity) {
      return {
        kind: 'impossible',
        reason: `line ${line.lineId}: ${missing} units to cancel, but Shopify has ${onShopify.unfulfilledQuantity} unfulfilled`,
      };
    }
    lines.push({ lineItemId: onShopify.lineItemId, quantity: missing });
  }
  return lines.length === 0 ? { kind: 'done' } : { kind: 'cancel', lines };
}

/** The note of a cancellation's refund: the reason for the merchant, and the key the adapter finds the refund by. */
export function refundNote(reason: string, key: string): string {
  return `retail-mesh: ${reason} [${key}]`;
}

/** The refund a cancellation made (its note carries the cancellation's key), if Shopify shows one. */
export function refundOf(shopify: CancelledUnits, key: string): ShopifyRefundView | undefined {
  return shopify.refunds.find((refund) => refund.note?.endsWith(`[${key}]`) === true);
}

/**
 * What a CancelOrder request naming lines (Shopify line item gids and units) still has to cancel:
 * nothing once a refund carries the request's key, else all its units, which Shopify must still
 * have unfulfilled.
 */
export function planRequestedCancellation(
  key: string,
  requested: readonly { channelLineId: string; quantity: number }[],
  shopify: CancelledUnits,
): UnitCancellationPlan {
  if (refundOf(shopify, key)) return { kind: 'done' };
  const quantities = new Map<string, number>();
  for (const line of requested) quantities.set(line.channelLineId, (quantities.get(line.channelLineId) ?? 0) + line.quantity);
  const lines: UnitsToCancel[] = [];
  for (const [lineItemId, quantity] of quantities) {
    const onShopify = shopify.lines.find((candidate) => candidate.lineItemId === lineItemId);
    if (!onShopify) return { kind: 'impossible', reason: `line item ${lineItemId} is not on the Shopify order` };
    if (quantity > onShopify.unfulfilledQuantity) {
      return {
        kind: 'impossible',
        reason: `line item ${lineItemId}: ${quantity} units to cancel, but Shopify has ${onShopify.unfulfilledQuantity} unfulfilled`,
      };
    }
    lines.push({ lineItemId, quantity });
  }
  return lines.length === 0 ? { kind: 'done' } : { kind: 'cancel', lines };
}
