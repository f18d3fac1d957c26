// What a channel account shows for a SKU: the price in the account's price list, lowered by the
// best active promotion. Pure functions over plain values.
import { assertMoney, DomainValidationError, type Money } from '@retail-mesh/domain';

export type Discount =
  { kind: 'percent_off'; basisPoints: number } | { kind: 'amount_off'; amount: Money } | { kind: 'fixed_price'; amount: Money };

export interface PromotionTerms {
  promotionId: string;
  active: boolean;
  /** Empty = every channel account. */
  channelAccountIds: readonly string[];
  /** Empty = every SKU. */
  skus: readonly string[];
  discount: Discount;
  startsAt: Date;
  /** Undefined = open-ended. */
  endsAt: Date | undefined;
  priority: number;
}

export interface ListPrice {
  priceListId: string;
  amount: Money;
  compareAtAmount: Money | undefined;
}

export interface EffectivePriceResult {
  amount: Money;
  /** The list price when a promotion lowered it, else the list's compare-at price. */
  compareAtAmount: Money | undefined;
  priceListId: string;
  /** Undefined when no promotion applies. */
  promotionId: string | undefined;
}

/** Whether `promotion` applies to `sku` on `channelAccountId` at `at` (starts inclusive, ends exclusive). */
export function promotionApplies(promotion: PromotionTerms, channelAccountId: string, sku: string, at: Date): boolean {
  if (!promotion.active) return false;
  if (at < promotion.startsAt || (promotion.endsAt !== undefined && at >= promotion.endsAt)) return false;
  if (promotion.channelAccountIds.length > 0 && !promotion.channelAccountIds.includes(channelAccountId)) return false;
  return promotion.skus.length === 0 || promotion.skus.includes(sku);
}

/** The unit price after `discount`; never below zero. Percentages round half up to the minor unit. */
export function applyDiscount(price: Money, discount: Discount): Money {
  switch (discount.kind) {
    case 'percent_off': {
      // BigInt: amount x basis points can pass 2^53 for large amounts.
      const off = Number((BigInt(price.amountMinor) * BigInt(discount.basisPoints) + 5000n) / 10000n);
      return { amountMinor: Math.max(0, price.amountMinor - off), currency: price.currency };
    }
    case 'amount_off':
      assertSameCurrency(price, discount.amount);
      return { amountMinor: Math.max(0, price.amountMinor - discount.amount.amountMinor), currency: price.currency };
    case 'fixed_price':
      assertSameCurrency(price, discount.amount);
      return { amountMinor: discount.amount.amountMinor, currency: price.currency };
  }
}

/**
 * The effective price: among the promotions that apply and lower the price, the highest
 * priority wins; ties go to the lowest price, then the smallest promotion id (so the result never
 * depends on the order promotions were loaded in). A promotion never raises a price.
 */
export function computeEffectivePrice(
  listPrice: ListPrice,
  promotions: readonly PromotionTerms[],
  target: { channelAccountId: string; sku: string; at: Date },
): EffectivePriceResult {
  let best: { promotion: PromotionTerms; amount: Money } | undefined;
  for (const promotion of promotions) {
    if (!promotionApplies(promotion, target.channelAccountId, target.sku, target.at)) continue;
    // A promotion in another currency than the list cannot apply to it.
    if (promotion.discount.kind !== 'percent_off' && promotion.discount.amount.currency !== listPrice.amount.currency) continue;
    const amount = applyDiscount(listPrice.amount, promotion.discount);
    if (amount.amountMinor >= listPrice.amount.amountMinor) continue;
    if (best === undefined || isBetter(promotion, amount, best)) best = { promotion, amount };
  }
  if (!best)
    return {
      amount: listPrice.amount,
      compareAtAmount: listPrice.compareAtAmount,
      priceListId: listPrice.priceListId,
      promotionId: undefined,
    };
  return {
    amount: best.amount,
    compareAtAmount: listPrice.amount,
    priceListId: listPrice.priceListId,
    promotionId: best.promotion.promotionId,
  };
}

function isBetter(promotion: PromotionTerms, amount: Money, best: { promotion: PromotionTerms; amount: Money }): boolean {
  if (promotion.priority !== best.promotion.priority) return promotion.priority > best.promotion.priority;
  if (amount.amountMinor !== best.amount.amountMinor) return amount.amountMinor < best.amount.amountMinor;
  return promotion.promotionId < best.promotion.promotionId;
}

/** Checks a discount's own values (not whether it fits a price list). */
export function assertDiscount(discount: Discount): void {
  if (discount.kind === 'percent_off') {
    if (!Number.isInteger(discount.basisPoints) || discount.basisPoints < 1 || discount.basisPoints > 10000) {
      throw new DomainValidationError('invalid_discount', `percent_off_basis_points must be 1..10000, got ${discount.basisPoints}`);
    }
    return;
  }
  assertMoney(discount.amount);
  const minimum = discount.kind === 'amount_off' ? 1 : 0;
  if (discount.amount.amountMinor < minimum) {
    throw new DomainValidationError(
      'invalid_discount',
      `${discount.kind} must be at least ${minimum} minor units, got ${discount.amount.amountMinor}`,
    );
  }
}

/** Checks a price: a known currency, not negative, a compare-at price in the same currency above it. */
export function assertListPrice(amount: Money, compareAtAmount: Money | undefined, priceListCurrency: string): void {
  assertMoney(amount);
  if (amount.currency !== priceListCurrency) {
    throw new DomainValidationError('currency_mismatch', `price is in ${amount.currency} but the price list is in ${priceListCurrency}`);
  }
  if (amount.amountMinor < 0) throw new DomainValidationError('invalid_amount', `a price cannot be negative, got ${amount.amountMinor}`);
  if (compareAtAmount === undefined) return;
  assertMoney(compareAtAmount);
  assertSameCurrency(amount, compareAtAmount);
  if (compareAtAmount.amountMinor <= amount.amountMinor) {
    throw new DomainValidationError(
      'invalid_compare_at',
      `compare-at price ${compareAtAmount.amountMinor} must be above the price ${amount.amountMinor}`,
    );
  }
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new DomainValidationError('currency_mismatch', `cannot combine ${a.currency} and ${b.currency}`);
}
