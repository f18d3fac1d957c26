import { describe, expect, it } from 'vitest';
import {
  applyDiscount,
  assertDiscount,
  assertListPrice,
  computeEffectivePrice,
  promotionApplies,
  type PromotionTerms,
} from './effective-price.js';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
const listPrice = { priceListId: 'us-retail', amount: usd(2000), compareAtAmount: undefined };
const at = new Date('2025-06-01T12:00:00Z');
const target = { channelAccountId: 'shopify-us', sku: 'TEE-M', at };

function promotion(overrides: Partial<PromotionTerms> = {}): PromotionTerms {
  return {
    promotionId: 'summer',
    active: true,
    channelAccountIds: [],
    skus: [],
    discount: { kind: 'percent_off', basisPoints: 1500 },
    startsAt: new Date('2025-05-01T00:00:00Z'),
    endsAt: new Date('2025-07-01T00:00:00Z'),
    priority: 0,
    ...overrides,
  };
}

describe('applyDiscount', () => {
  it('takes a percentage off, rounding the discount half up', () => {
    expect(applyDiscount(usd(2000), { kind: 'percent_off', basisPoints: 1500 })).toEqual(usd(1700));
    expect(applyDiscount(usd(999), { kind: 'percent_off', basisPoints: 1250 })).toEqual(usd(874)); // 124.875 off -> 125
    expect(applyDiscount(usd(Number.MAX_SAFE_INTEGER), { kind: 'percent_off', basisPoints: 10000 })).toEqual(usd(0));
  });

  it('takes an amount off, never below zero, and sets a fixed price', () => {
    expect(applyDiscount(usd(2000), { kind: 'amount_off', amount: usd(500) })).toEqual(usd(1500));
    expect(applyDiscount(usd(400), { kind: 'amount_off', amount: usd(500) })).toEqual(usd(0));
    expect(applyDiscount(usd(2000), { kind: 'fixed_price', amount: usd(999) })).toEqual(usd(999));
  });

  it('refuses to mix currencies', () => {
    expect(() => applyDiscount(usd(2000), { kind: 'amount_off', amount: { amountMinor: 1, currency: 'EUR' } })).toThrow(
      expect.objectContaining({ reason: 'currency_mismatch' }),
    );
  });
});

describe('promotionApplies', () => {
  it('applies inside its window, from start inclusive to end exclusive', () => {
    expect(promotionApplies(promotion(), 'a', 'sku', new Date('2025-05-01T00:00:00Z'))).toBe(true);
    expect(promotionApplies(promotion(), 'a', 'sku', new Date('2025-07-01T00:00:00Z'))).toBe(false);
    expect(promotionApplies(promotion(), 'a', 'sku', new Date('2025-04-30T23:59:59Z'))).toBe(false);
    expect(promotionApplies(promotion({ endsAt: undefined }), 'a', 'sku', new Date('2030-01-01T00:00:00Z'))).toBe(true);
  });

  it('applies only to its accounts and SKUs when it lists them, and only when active', () => {
    expect(promotionApplies(promotion({ channelAccountIds: ['shopify-us'] }), 'shopify-eu', 'TEE-M', at)).toBe(false);
    expect(promotionApplies(promotion({ skus: ['TEE-S'] }), 'shopify-us', 'TEE-M', at)).toBe(false);
    expect(promotionApplies(promotion({ skus: ['TEE-M'], channelAccountIds: ['shopify-us'] }), 'shopify-us', 'TEE-M', at)).toBe(true);
    expect(promotionApplies(promotion({ active: false }), 'shopify-us', 'TEE-M', at)).toBe(false);
  });
});

describe('computeEffectivePrice', () => {
  it('is the list price with its compare-at price when no promotion applies', () => {
    const withCompareAt = { ...listPrice, compareAtAmount: usd(2500) };
    expect(computeEffectivePrice(withCompareAt, [promotion({ active: false })], target)).toEqual({
      amount: usd(2000),
      compareAtAmount: usd(2500),
      priceListId: 'us-retail',
      promotionId: undefined,
    });
  });

  it('shows the list price struck through when a promotion lowers it', () => {
    expect(computeEffectivePrice(listPrice, [promotion()], target)).toEqual({
      amount: usd(1700),
      compareAtAmount: usd(2000),
      priceListId: 'us-retail',
      promotionId: 'summer',
    });
  });

  it('takes the highest priority, then the lowest price, then the smallest id, whatever the order', () => {
    const promotions = [
      promotion({ promotionId: 'b-deep', discount: { kind: 'percent_off', basisPoints: 5000 }, priority: 1 }),
      promotion({ promotionId: 'a-priority', discount: { kind: 'amount_off', amount: usd(100) }, priority: 2 }),
      promotion({ promotionId: 'c-same-priority-cheaper', discount: { kind: 'fixed_price', amount: usd(1800) }, priority: 2 }),
      promotion({ promotionId: 'd-same-price', discount: { kind: 'fixed_price', amount: usd(1800) }, priority: 2 }),
    ];
    for (const order of [promotions, [...promotions].reverse()]) {
      expect(computeEffectivePrice(listPrice, order, target).promotionId).toBe('c-same-priority-cheaper');
    }
  });

  it('ignores promotions that would not lower the price or are in another currency', () => {
    const promotions = [
      promotion({ promotionId: 'higher', discount: { kind: 'fixed_price', amount: usd(2500) }, priority: 9 }),
      promotion({ promotionId: 'euro', discount: { kind: 'amount_off', amount: { amountMinor: 100, currency: 'EUR' } }, priority: 9 }),
    ];
    expect(computeEffectivePrice(listPrice, promotions, target).promotionId).toBeUndefined();
  });
});

describe('validation', () => {
  it('accepts sensible discounts and rejects the rest with invalid_discount', () => {
    expect(() => assertDiscount({ kind: 'percent_off', basisPoints: 10000 })).not.toThrow();
    expect(() => assertDiscount({ kind: 'fixed_price', amount: usd(0) })).not.toThrow();
    for (const discount of [
      { kind: 'percent_off', basisPoints: 0 },
      { kind: 'percent_off', basisPoints: 10001 },
      { kind: 'percent_off', basisPoints: 12.5 },
      { kind: 'amount_off', amount: usd(0) },
      { kind: 'fixed_price', amount: usd(-1) },
    ] as const) {
      expect(() => assertDiscount(discount)).toThrow(expect.objectContaining({ reason: 'invalid_discount' }));
    }
    expect(() => assertDiscount({ kind: 'amount_off', amount: { amountMinor: 1, currency: 'XXY' } })).toThrow(
      expect.objectContaining({ reason: 'invalid_currency' }),
    );
  });

  it('checks a list price against its price list', () => {
    expect(() => assertListPrice(usd(1999), usd(2499), 'USD')).not.toThrow();
    expect(() => assertListPrice(usd(1999), undefined, 'EUR')).toThrow(expect.objectContaining({ reason: 'currency_mismatch' }));
    expect(() => assertListPrice(usd(-1), undefined, 'USD')).toThrow(expect.objectContaining({ reason: 'invalid_amount' }));
    expect(() => assertListPrice(usd(19.99), undefined, 'USD')).toThrow(expect.objectContaining({ reason: 'invalid_amount' }));
    expect(() => assertListPrice(usd(1999), usd(1999), 'USD')).toThrow(expect.objectContaining({ reason: 'invalid_compare_at' }));
  });
});
