// Checks and normalises price list, price and promotion requests. Pure.
import { catalogV1, fromTimestamp } from '@retail-mesh/contracts';
import { assertCurrencyCode, DomainValidationError, type Money } from '@retail-mesh/domain';
import { assertChannelAccountId, assertIdentifier, assertSku } from '../products/product-identifiers.js';
import { assertDiscount, assertListPrice, type Discount } from './effective-price.js';

const { PromotionStatus } = catalogV1;

export interface PriceListInput {
  priceListId: string;
  name: string;
  currency: string;
  channelAccountIds: string[];
}

export interface PriceInput {
  sku: string;
  amount: Money;
  compareAtAmount: Money | undefined;
}

export interface PromotionInput {
  promotionId: string;
  name: string;
  status: catalogV1.PromotionStatus;
  channelAccountIds: string[];
  skus: string[];
  discount: Discount;
  startsAt: Date;
  endsAt: Date | undefined;
  priority: number;
}

export function normalizePriceListInput(priceList: catalogV1.PriceList | null | undefined): PriceListInput {
  if (!priceList) throw new DomainValidationError('missing_price_list', 'price_list is required');
  assertIdentifier(priceList.priceListId, 'price_list_id');
  assertName(priceList.name);
  assertCurrencyCode(priceList.currency);
  const channelAccountIds = distinct(priceList.channelAccountIds, 'duplicate_channel_account_id', 'channel account');
  channelAccountIds.forEach(assertChannelAccountId);
  return { priceListId: priceList.priceListId, name: priceList.name, currency: priceList.currency, channelAccountIds };
}

export function normalizePriceInputs(prices: readonly catalogV1.Price[], currency: string): PriceInput[] {
  distinct(
    prices.map((price) => price.sku),
    'duplicate_sku',
    'SKU',
  );
  return prices.map((price) => {
    assertSku(price.sku);
    if (!price.amount) throw new DomainValidationError('missing_amount', `price of ${price.sku} has no amount`);
    const amount = { amountMinor: price.amount.amountMinor, currency: price.amount.currency };
    const compareAtAmount = price.compareAtAmount
      ? { amountMinor: price.compareAtAmount.amountMinor, currency: price.compareAtAmount.currency }
      : undefined;
    assertListPrice(amount, compareAtAmount, currency);
    return { sku: price.sku, amount, compareAtAmount };
  });
}

/** An unspecified status means DRAFT (does not apply). Exactly one discount; a start time; an end after it. */
export function normalizePromotionInput(promotion: catalogV1.Promotion | null | undefined): PromotionInput {
  if (!promotion) throw new DomainValidationError('missing_promotion', 'promotion is required');
  assertIdentifier(promotion.promotionId, 'promotion_id');
  assertName(promotion.name);
  const status =
    promotion.status === PromotionStatus.PROMOTION_STATUS_UNSPECIFIED ? PromotionStatus.PROMOTION_STATUS_DRAFT : promotion.status;
  if (
    ![PromotionStatus.PROMOTION_STATUS_DRAFT, PromotionStatus.PROMOTION_STATUS_ACTIVE, PromotionStatus.PROMOTION_STATUS_ENDED].includes(
      status,
    )
  ) {
    throw new DomainValidationError('invalid_status', `unknown promotion status ${promotion.status}`);
  }
  const channelAccountIds = distinct(promotion.channelAccountIds, 'duplicate_channel_account_id', 'channel account');
  channelAccountIds.forEach(assertChannelAccountId);
  const skus = distinct(promotion.skus, 'duplicate_sku', 'SKU');
  skus.forEach(assertSku);

  const discount = discountOf(promotion);
  assertDiscount(discount);
  if (!promotion.startsAt) throw new DomainValidationError('missing_starts_at', 'starts_at is required');
  const startsAt = fromTimestamp(promotion.startsAt);
  const endsAt = promotion.endsAt ? fromTimestamp(promotion.endsAt) : undefined;
  if (endsAt !== undefined && endsAt <= startsAt) throw new DomainValidationError('invalid_window', 'ends_at must be after starts_at');
  if (!Number.isInteger(promotion.priority)) throw new DomainValidationError('invalid_priority', 'priority must be an integer');
  return {
    promotionId: promotion.promotionId,
    name: promotion.name,
    status,
    channelAccountIds,
    skus,
    discount,
    startsAt,
    endsAt,
    priority: promotion.priority,
  };
}

function discountOf(promotion: catalogV1.Promotion): Discount {
  // oneof members: absent when unset (NestJS may also hand over null for an unset message).
  const discounts: Discount[] = [];
  if (promotion.percentOffBasisPoints !== undefined && promotion.percentOffBasisPoints !== null) {
    discounts.push({ kind: 'percent_off', basisPoints: promotion.percentOffBasisPoints });
  }
  if (promotion.amountOff) discounts.push({ kind: 'amount_off', amount: { ...promotion.amountOff } });
  if (promotion.fixedPrice) discounts.push({ kind: 'fixed_price', amount: { ...promotion.fixedPrice } });
  if (discounts.length !== 1) {
    throw new DomainValidationError('invalid_discount', 'set exactly one of percent_off_basis_points, amount_off, fixed_price');
  }
  return discounts[0];
}

function assertName(name: string): void {
  if (name.trim().length === 0 || name.length > 200) throw new DomainValidationError('invalid_name', 'name must be 1-200 characters');
}

function distinct(values: readonly string[], reason: string, what: string): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new DomainValidationError(reason, `${what} ${value} appears twice`);
    seen.add(value);
  }
  return [...values];
}
