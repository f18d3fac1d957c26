// Which units of a Shopify order a partial cancellation still has to cancel (ADR 0006). Pure.
// Shopify cancels units of unfulfilled lines with a refund whose line items have the restock type
// CANCEL; the refunds on the order are how the adapter reads back what is cancelled already. The
// mesh's order (as it is after the change) says how many units of each line are cancelled in all;
// Shopify must reach that, and this change adds at most its own units, so a redelivery, or a
// retry after a lost answer, sends nothing twice.
import type { ordersV1 } from '@retail-mesh/contracts';

/** What Shopify shows of a line item: units still to fulfil, units cancelled by refunds (restock type CANCEL). */
export interface ShopifyLineUnits {
  lineItemId: string;
  unfulfilledQuantity: number;
  cancelledQuantity: number;
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
