import { catalogV1, toTimestamp } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { normalizePriceInputs, normalizePriceListInput, normalizePromotionInput } from './pricing-input.js';

const { PromotionStatus } = catalogV1;
const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

describe('normalizePriceListInput', () => {
  it('accepts a list with its accounts', () => {
    const input = normalizePriceListInput(
      catalogV1.PriceList.fromPartial({ priceListId: 'us-retail', name: 'US retail', currency: 'USD', channelAccountIds: ['shopify-us'] }),
    );
    expect(input).toEqual({ priceListId: 'us-retail', name: 'US retail', currency: 'USD', channelAccountIds: ['shopify-us'] });
  });

  it.each([
    ['missing_price_list', null],
    ['invalid_price_list_id', { priceListId: 'us retail', name: 'x', currency: 'USD' }],
    ['invalid_name', { priceListId: 'us', name: '', currency: 'USD' }],
    ['invalid_currency', { priceListId: 'us', name: 'x', currency: 'usd' }],
    ['duplicate_channel_account_id', { priceListId: 'us', name: 'x', currency: 'USD', channelAccountIds: ['a', 'a'] }],
  ])('rejects with %s', (reason, priceList) => {
    expect(() => normalizePriceListInput(priceList && catalogV1.PriceList.fromPartial(priceList))).toThrow(
      expect.objectContaining({ reason }),
    );
  });
});

describe('normalizePriceInputs', () => {
  it('reads amounts in the list currency', () => {
    const prices = [catalogV1.Price.fromPartial({ sku: 'TEE-M', amount: usd(1999), compareAtAmount: usd(2499) })];
    expect(normalizePriceInputs(prices, 'USD')).toEqual([{ sku: 'TEE-M', amount: usd(1999), compareAtAmount: usd(2499) }]);
  });

  it.each([
    ['missing_amount', [{ sku: 'TEE-M' }]],
    [
      'duplicate_sku',
      [
        { sku: 'A', amount: usd(1) },
        { sku: 'A', amount: usd(2) },
      ],
    ],
    ['currency_mismatch', [{ sku: 'A', amount: { amountMinor: 1, currency: 'EUR' } }]],
    ['invalid_sku', [{ sku: 'a b', amount: usd(1) }]],
  ])('rejects with %s', (reason, prices) => {
    expect(() =>
      normalizePriceInputs(
        prices.map((price) => catalogV1.Price.fromPartial(price)),
        'USD',
      ),
    ).toThrow(expect.objectContaining({ reason }));
  });
});

describe('normalizePromotionInput', () => {
  const base = {
    promotionId: 'summer',
    name: 'Summer sale',
    percentOffBasisPoints: 1500,
    startsAt: toTimestamp(new Date('2025-06-01T00:00:00Z')),
  };

  it('reads the discount and window, defaulting the status to DRAFT', () => {
    expect(normalizePromotionInput(catalogV1.Promotion.fromPartial(base))).toEqual({
      promotionId: 'summer',
      name: 'Summer sale',
      status: PromotionStatus.PROMOTION_STATUS_DRAFT,
      channelAccountIds: [],
      skus: [],
      discount: { kind: 'percent_off', basisPoints: 1500 },
      startsAt: new Date('2025-06-01T00:00:00Z'),
      endsAt: undefined,
      priority: 0,
    });
    const fixed = normalizePromotionInput(
      catalogV1.Promotion.fromPartial({ ...base, percentOffBasisPoints: undefined, fixedPrice: usd(999) }),
    );
    expect(fixed.discount).toEqual({ kind: 'fixed_price', amount: usd(999) });
  });

  it.each([
    ['missing_promotion', null],
    ['invalid_discount', { ...base, percentOffBasisPoints: undefined }],
    ['invalid_discount', { ...base, amountOff: usd(100) }],
    ['invalid_discount', { ...base, percentOffBasisPoints: 20000 }],
    ['missing_starts_at', { ...base, startsAt: undefined }],
    ['invalid_window', { ...base, endsAt: toTimestamp(new Date('2025-05-01T00:00:00Z')) }],
    ['invalid_status', { ...base, status: 7 as catalogV1.PromotionStatus }],
    ['duplicate_sku', { ...base, skus: ['A', 'A'] }],
  ])('rejects with %s', (reason, promotion) => {
    expect(() => normalizePromotionInput(promotion && catalogV1.Promotion.fromPartial(promotion))).toThrow(
      expect.objectContaining({ reason }),
    );
  });
});
