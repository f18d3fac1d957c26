import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../domain-validation.error.js';
import type { Money } from '../money/money.js';
import type { HoldReason } from './order-state.js';
import { assertOrderShape, holdFor, validateOrderContent, type OrderContent, type ValidationContext } from './order-validation.js';

const usd = (amountMinor: number): Money => ({ amountMinor, currency: 'USD' });

/**
 * Two lines (2 x 19.99 with 5.00 off and 3.19 tax; 1 x 10.00 with 0.80 tax), shipping 5.00 with
 * 0.40 tax: subtotal 49.98, discounts 5.00, shipping 5.00, tax 4.39, grand total 54.37.
 */
function order(overrides: Partial<OrderContent> = {}): OrderContent {
  return {
    currency: 'USD',
    taxesIncluded: false,
    lines: [
      { lineId: 'L1', sku: 'SKU-1', quantity: 2, unitPrice: usd(1999), discounts: [usd(500)], taxes: [usd(319)] },
      { lineId: 'L2', sku: 'SKU-2', quantity: 1, unitPrice: usd(1000), discounts: [], taxes: [usd(80)] },
    ],
    shipping: { price: usd(500), discounts: [], taxes: [usd(40)] },
    totals: { subtotal: usd(4998), discountTotal: usd(500), taxTotal: usd(439), shippingTotal: usd(500), grandTotal: usd(5437) },
    shippingAddress: {
      name: 'Ada Lovelace',
      company: '',
      line1: '1 Main St',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      countryCode: 'US',
    },
    fulfilledByChannel: false,
    paymentStatus: 'PAID',
    fraudSignals: [],
    placedAt: new Date('2026-11-27T10:00:00Z'),
    ...overrides,
  };
}

const clean: ValidationContext = { unknownSkus: new Set(), unlistedSkus: new Set(), waived: new Set() };

function reasons(content: OrderContent, context: Partial<ValidationContext> = {}): HoldReason[] {
  return validateOrderContent(content, { ...clean, ...context }).map((issue) => issue.reason);
}

function shapeProblem(content: OrderContent): string {
  try {
    assertOrderShape(content);
  } catch (error) {
    if (error instanceof DomainValidationError && error.reason === 'invalid_order') return error.message;
    throw error;
  }
  throw new Error('expected invalid_order');
}

describe('assertOrderShape', () => {
  it('accepts a complete order', () => {
    expect(() => assertOrderShape(order())).not.toThrow();
  });

  it('names the field that makes an order impossible to record', () => {
    const base = order();
    const [first, second] = base.lines;
    expect(shapeProblem(order({ lines: [] }))).toBe('an order needs at least one line');
    expect(shapeProblem(order({ currency: 'usd' }))).toMatch(/currency "usd" is not an ISO 4217 code/);
    expect(shapeProblem(order({ lines: [first!, { ...second!, lineId: 'L1' }] }))).toMatch(/lines\[1\]\.line_id "L1" appears twice/);
    expect(shapeProblem(order({ lines: [{ ...first!, sku: ' ' }] }))).toMatch(/lines\[0\]\.sku is required/);
    expect(shapeProblem(order({ lines: [{ ...first!, quantity: 0 }] }))).toMatch(/lines\[0\]\.quantity must be a positive integer, got 0/);
    expect(shapeProblem(order({ lines: [{ ...first!, quantity: 1.5 }] }))).toMatch(/quantity must be a positive integer/);
    expect(shapeProblem(order({ lines: [{ ...first!, unitPrice: null }] }))).toMatch(/lines\[0\]\.unit_price is required/);
    expect(shapeProblem(order({ lines: [{ ...first!, unitPrice: usd(-1) }] }))).toMatch(/unit_price must be a non-negative integer/);
    expect(shapeProblem(order({ lines: [{ ...first!, unitPrice: usd(19.99) }] }))).toMatch(/unit_price must be a non-negative integer/);
    expect(shapeProblem(order({ lines: [{ ...first!, taxes: [{ amountMinor: 1, currency: 'EUR' }] }] }))).toMatch(
      /lines\[0\]\.taxes\[0\] is in "EUR", the order is in USD/,
    );
    expect(shapeProblem(order({ totals: null }))).toBe('totals are required');
    expect(shapeProblem(order({ totals: { ...base.totals!, grandTotal: null } }))).toBe('totals.grand_total is required');
    expect(shapeProblem(order({ placedAt: null }))).toBe('placed_at is required');
  });

  it('takes absent totals other than the grand total as zero', () => {
    const noDiscounts = order({
      lines: [{ lineId: 'L1', sku: 'SKU-1', quantity: 1, unitPrice: usd(1000), discounts: [], taxes: [] }],
      shipping: null,
      totals: { subtotal: usd(1000), discountTotal: null, taxTotal: null, shippingTotal: null, grandTotal: usd(1000) },
    });
    expect(() => assertOrderShape(noDiscounts)).not.toThrow();
    expect(reasons(noDiscounts)).toEqual([]);
  });
});

describe('validateOrderContent', () => {
  it('finds nothing wrong with a consistent, paid order to a complete address', () => {
    expect(validateOrderContent(order(), clean)).toEqual([]);
  });

  it('reports unknown and unlisted SKUs from the catalog', () => {
    const issues = validateOrderContent(order(), { ...clean, unknownSkus: new Set(['SKU-2']), unlistedSkus: new Set(['SKU-1']) });
    expect(issues).toEqual([
      { reason: 'UNKNOWN_SKU', detail: 'SKU "SKU-2" not in the catalog' },
      { reason: 'SKU_NOT_LISTED', detail: 'SKU "SKU-1" not listed on the channel account' },
    ]);
  });

  it('holds for taxes that do not add up to the order tax total', () => {
    const issues = validateOrderContent(order({ totals: { ...order().totals!, taxTotal: usd(440), grandTotal: usd(5438) } }), clean);
    expect(issues).toEqual([{ reason: 'TAX_MISMATCH', detail: 'tax total is 440 USD minor units, the lines add up to 439' }]);
    // A line tax left out of the lines is found even when the channel's totals agree with each other.
    const [first, second] = order().lines;
    expect(reasons(order({ lines: [{ ...first!, taxes: [] }, second!] }))).toEqual(['TAX_MISMATCH']);
  });

  it('holds for each total that is not what the lines say, to the minor unit', () => {
    const totals = order().totals!;
    // The grand total no longer adds up either: both are reported.
    expect(validateOrderContent(order({ totals: { ...totals, subtotal: usd(4997) } }), clean)).toEqual([
      { reason: 'PRICE_MISMATCH', detail: 'subtotal is 4997 USD minor units, the lines add up to 4998' },
      { reason: 'PRICE_MISMATCH', detail: 'grand total is 5437 USD minor units, the totals add up to 5436' },
    ]);
    expect(reasons(order({ totals: { ...totals, discountTotal: usd(0), grandTotal: usd(5937) } }))).toEqual(['PRICE_MISMATCH']);
    expect(reasons(order({ totals: { ...totals, shippingTotal: usd(0), grandTotal: usd(4937) } }))).toEqual(['PRICE_MISMATCH']);
    expect(validateOrderContent(order({ totals: { ...totals, grandTotal: usd(5436) } }), clean)).toEqual([
      { reason: 'PRICE_MISMATCH', detail: 'grand total is 5436 USD minor units, the totals add up to 5437' },
    ]);
  });

  it('counts shipping discounts in the discount total and prices with tax included in the grand total', () => {
    const discounted = order({
      shipping: { price: usd(500), discounts: [usd(500)], taxes: [usd(40)] },
      totals: { subtotal: usd(4998), discountTotal: usd(1000), taxTotal: usd(439), shippingTotal: usd(500), grandTotal: usd(4937) },
    });
    expect(reasons(discounted)).toEqual([]);
    const vat = order({ taxesIncluded: true, totals: { ...order().totals!, grandTotal: usd(4998) } });
    expect(reasons(vat)).toEqual([]);
  });

  it('holds for a discount larger than the line or shipping it discounts', () => {
    const [first, second] = order().lines;
    const overDiscounted = order({
      lines: [{ ...first!, discounts: [usd(4000)] }, second!],
      totals: { subtotal: usd(4998), discountTotal: usd(4000), taxTotal: usd(439), shippingTotal: usd(500), grandTotal: usd(1937) },
    });
    expect(validateOrderContent(overDiscounted, clean)).toEqual([
      { reason: 'PRICE_MISMATCH', detail: 'line "L1" is discounted by 4000, more than its 3998' },
    ]);
    const freeShippingTwice = order({
      shipping: { price: usd(500), discounts: [usd(600)], taxes: [usd(40)] },
      totals: { subtotal: usd(4998), discountTotal: usd(1100), taxTotal: usd(439), shippingTotal: usd(500), grandTotal: usd(4837) },
    });
    expect(reasons(freeShippingTwice)).toEqual(['PRICE_MISMATCH']);
  });

  it('holds amounts that cannot be added exactly as a price mismatch instead of failing', () => {
    const [first] = order().lines;
    const huge = order({ lines: [{ ...first!, unitPrice: usd(Number.MAX_SAFE_INTEGER), quantity: 2 }] });
    expect(validateOrderContent(huge, clean)).toEqual([
      { reason: 'PRICE_MISMATCH', detail: expect.stringMatching(/cannot be added up exactly/) },
    ]);
  });

  it('holds an incomplete shipping address, naming what is missing by country', () => {
    const address = order().shippingAddress!;
    expect(validateOrderContent(order({ shippingAddress: null }), clean)).toEqual([
      { reason: 'INVALID_ADDRESS', detail: 'the shipping address is missing' },
    ]);
    expect(validateOrderContent(order({ shippingAddress: { ...address, line1: '', region: '', postalCode: ' ' } }), clean)).toEqual([
      { reason: 'INVALID_ADDRESS', detail: 'the shipping address has no line1, region, postal_code' },
    ]);
    expect(reasons(order({ shippingAddress: { ...address, countryCode: 'usa' } }))).toEqual(['INVALID_ADDRESS']);
    expect(reasons(order({ shippingAddress: { ...address, name: '', company: 'Acme Corp' } }))).toEqual([]);
    // Germany needs a postal code but no region; Hong Kong neither.
    expect(reasons(order({ shippingAddress: { ...address, countryCode: 'DE', region: '', postalCode: '' } }))).toEqual(['INVALID_ADDRESS']);
    expect(reasons(order({ shippingAddress: { ...address, countryCode: 'DE', region: '' } }))).toEqual([]);
    expect(reasons(order({ shippingAddress: { ...address, countryCode: 'HK', region: '', postalCode: '' } }))).toEqual([]);
  });

  it('needs no shipping address for an order the channel fulfils (Amazon gives the seller none), but checks the rest', () => {
    const address = order().shippingAddress!;
    // What Amazon shows of an FBA order without PII: city, region, postal code and country.
    const withoutRecipient = { ...address, name: '', line1: '' };
    expect(reasons(order({ fulfilledByChannel: true, shippingAddress: null }))).toEqual([]);
    expect(reasons(order({ fulfilledByChannel: true, shippingAddress: withoutRecipient }))).toEqual([]);
    expect(reasons(order({ fulfilledByChannel: false, shippingAddress: withoutRecipient }))).toEqual(['INVALID_ADDRESS']);
    expect(reasons(order({ fulfilledByChannel: true, shippingAddress: null, paymentStatus: 'PENDING' }))).toEqual(['PAYMENT_PENDING']);
  });

  it('holds until payment is authorised or captured', () => {
    for (const paymentStatus of ['AUTHORIZED', 'PAID', 'PARTIALLY_REFUNDED'] as const)
      expect(reasons(order({ paymentStatus }))).toEqual([]);
    for (const paymentStatus of ['UNSPECIFIED', 'PENDING', 'REFUNDED', 'VOIDED', 'FAILED'] as const) {
      expect(reasons(order({ paymentStatus })), paymentStatus).toEqual(['PAYMENT_PENDING']);
    }
    expect(validateOrderContent(order({ paymentStatus: 'PENDING' }), clean)[0]?.detail).toBe(
      'payment is pending, not authorised or captured',
    );
  });

  it('sends high fraud risk to review, not lower risk', () => {
    expect(reasons(order({ fraudSignals: [{ source: 'shopify', code: 'AVS', riskLevel: 'MEDIUM' }] }))).toEqual([]);
    const issues = validateOrderContent(
      order({
        fraudSignals: [
          { source: 'shopify', code: 'AVS', riskLevel: 'LOW' },
          { source: 'signifyd', code: '', riskLevel: 'HIGH' },
        ],
      }),
      clean,
    );
    expect(issues).toEqual([{ reason: 'FRAUD_REVIEW', detail: 'high fraud risk reported by signifyd' }]);
  });

  it('skips what an operator waived, and names the hold after the first remaining issue with every detail', () => {
    const risky = order({ paymentStatus: 'PENDING', fraudSignals: [{ source: 'shopify', code: 'CVV', riskLevel: 'HIGH' }] });
    expect(reasons(risky)).toEqual(['PAYMENT_PENDING', 'FRAUD_REVIEW']);
    expect(reasons(risky, { waived: new Set(['PAYMENT_PENDING']) })).toEqual(['FRAUD_REVIEW']);
    expect(holdFor(validateOrderContent(risky, clean))).toEqual({
      reason: 'PAYMENT_PENDING',
      detail: 'payment is pending, not authorised or captured; high fraud risk reported by shopify (CVV)',
    });
    expect(holdFor([])).toBeUndefined();
  });
});
