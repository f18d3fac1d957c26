// Pure planning of the order adjustments that refund units Amazon cannot cancel (ADR 0006).
// Amazon cancels whole items only (a Failure acknowledgement); units of an item that keeps units
// to ship are cancelled and refunded with an `OrderAdjustment` (POST_PAYMENT_ADJUSTMENT_DATA) with
// `QuantityCancelled` and reason NoInventory or CustomerCancel, which cancels them without a refund
// holdback. The amounts are what the buyer paid for those units, from the item as getOrderItems
// shows it, in integer minor units:
// - each unit's share of an item amount (ItemPrice, ItemTax, PromotionDiscount) is the amount
//   divided by the item's quantity, rounded down; the minor units left over stay on the units that
//   remain, the last unit carries them (it never goes in an adjustment: it ships, or the whole item
//   is cancelled). So n units refund n x floor(amount / quantity);
// - ItemPrice must divide exactly (it is unit price x quantity);
// - Principal and Tax are positive (a refund to the buyer; Amazon refuses a negative Principal),
//   the promotion the buyer did not pay is taken back as a negative PromotionAdjustments amount.
import { ordersV1 } from '@retail-mesh/contracts';
import { parseMoney } from '@retail-mesh/domain';
import type { AmazonOrderItem } from '../amazon/sp-api.types.js';
import type { Checked } from '../order-events/order-events.mapper.js';

export const PAYMENT_ADJUSTMENT_FEED_TYPE = 'POST_PAYMENT_ADJUSTMENT_DATA';

/** Units of one Amazon order item cancelled and refunded through an order adjustment. */
export interface AdjustItem {
  orderItemId: string;
  /** Amazon's AdjustmentReason: NoInventory or CustomerCancel (the two that cancel units). */
  reason: string;
  quantityCancelled: number;
  currency: string;
  /** Refunded to the buyer (positive). */
  principalMinor: number;
  taxMinor: number;
  /** The promotion discount of those units, taken back (sent negative); 0 when none. */
  promotionMinor: number;
}

/** Units of an item to cancel by adjustment (the item keeps units to ship). */
export interface UnitsToCancel {
  orderItemId: string;
  quantity: number;
}

/** The AdjustmentReason for cancelled units: the buyer asked, else the seller has no stock to send. */
export function adjustmentReason(reason: ordersV1.CancelReason): string {
  return reason === ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST ? 'CustomerCancel' : 'NoInventory';
}

/** `units` units' share of `totalMinor` spread over `quantity` units: floor(total / quantity) each, the remainder stays on the last unit. */
export function unitsShare(totalMinor: number, quantity: number, units: number): number {
  if (!Number.isSafeInteger(totalMinor) || totalMinor < 0) throw new RangeError(`amount ${totalMinor} must be a non-negative integer`);
  if (!Number.isInteger(quantity) || !Number.isInteger(units) || units < 1 || units >= quantity) {
    throw new RangeError(`${units} of ${quantity} units: an adjustment takes at least one unit and leaves the last one`);
  }
  return Math.floor(totalMinor / quantity) * units;
}

/**
 * The adjustment of each item's units, from the items as Amazon shows them now. Refused (never
 * sendable) when Amazon does not know the item, shows no prices, or has no more units to ship
 * than are to be cancelled (then they are not "some units of an item": the item would be
 * cancelled whole).
 */
export function planAdjustments(
  units: readonly UnitsToCancel[],
  amazonItems: readonly AmazonOrderItem[],
  reason: string,
): Checked<{ items: AdjustItem[] }> {
  const items: AdjustItem[] = [];
  for (const { orderItemId, quantity } of units) {
    const item = amazonItems.find((candidate) => candidate.OrderItemId === orderItemId);
    if (!item) return { ok: false, reason: `Amazon order has no item ${orderItemId}` };
    if (!Number.isInteger(quantity) || quantity < 1) return { ok: false, reason: `item ${orderItemId}: ${quantity} units to cancel` };
    const open = item.QuantityOrdered - (item.QuantityShipped ?? 0);
    if (open <= quantity) {
      return {
        ok: false,
        reason: `Amazon shows ${open} units of item ${orderItemId} to ship: cancelling ${quantity} by adjustment must leave some`,
      };
    }
    if (!item.ItemPrice) return { ok: false, reason: `Amazon shows no ItemPrice for item ${orderItemId}` };
    const currency = item.ItemPrice.CurrencyCode;
    const amount = (money: AmazonOrderItem['ItemPrice']): number => {
      if (!money) return 0;
      if (money.CurrencyCode !== currency) throw new RangeError(`item ${orderItemId} mixes ${currency} and ${money.CurrencyCode}`);
      return parseMoney(money.Amount, currency).amountMinor;
    };
    let price: number;
    let tax: number;
    let promotion: number;
    try {
      [price, tax, promotion] = [amount(item.ItemPrice), amount(item.ItemTax), amount(item.PromotionDiscount)];
    } catch (error) {
      return { ok: false, reason: `item ${orderItemId}: ${(error as Error).message}` };
    }
    if (price % item.QuantityOrdered !== 0) {
      return { ok: false, reason: `item ${orderItemId}: ItemPrice ${price} is not ${item.QuantityOrdered} equal unit prices` };
    }
    items.push({
      orderItemId,
      reason,
      quantityCancelled: quantity,
      currency,
      principalMinor: unitsShare(price, item.QuantityOrdered, quantity),
      taxMinor: unitsShare(tax, item.QuantityOrdered, quantity),
      promotionMinor: unitsShare(Math.abs(promotion), item.QuantityOrdered, quantity),
    });
  }
  return { ok: true, items };
}
