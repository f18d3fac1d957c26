// Checks of a canonical order, in two kinds:
// - its shape (assertOrderShape): what SubmitOrder refuses outright with INVALID_ARGUMENT,
//   because the order cannot even be recorded meaningfully (no lines, a negative price, amounts in
//   another currency, no totals);
// - its content (validateOrderContent): what puts a recorded order on hold with a reason code
//   an operator can act on (unknown or unlisted SKUs, totals and taxes that do not add up, an
//   incomplete address, payment not authorised, fraud).
// All money is integer minor units of the order's currency (libs/domain money helpers).
import { DomainValidationError, describeValue } from '../domain-validation.error.js';
import { isCurrencyCode } from '../money/currency.js';
import { addMoney, multiplyMoney, subtractMoney, sumMoney, type Money } from '../money/money.js';
import type { HoldReason } from './order-state.js';

export const PAYMENT_STATUSES = [
  'UNSPECIFIED',
  'PENDING',
  'AUTHORIZED',
  'PAID',
  'PARTIALLY_REFUNDED',
  'REFUNDED',
  'VOIDED',
  'FAILED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const FRAUD_RISK_LEVELS = ['UNSPECIFIED', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type FraudRiskLevel = (typeof FRAUD_RISK_LEVELS)[number];

export interface OrderLineContent {
  lineId: string;
  sku: string;
  quantity: number;
  /** One unit, before discounts and taxes. */
  unitPrice: Money | null;
  /** Positive amounts taken off the line. */
  discounts: readonly Money[];
  taxes: readonly Money[];
}

export interface ShippingContent {
  price: Money | null;
  discounts: readonly Money[];
  taxes: readonly Money[];
}

export interface OrderTotalsContent {
  subtotal: Money | null;
  discountTotal: Money | null;
  taxTotal: Money | null;
  shippingTotal: Money | null;
  grandTotal: Money | null;
}

export interface AddressContent {
  name: string;
  company: string;
  line1: string;
  city: string;
  region: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2. */
  countryCode: string;
}

export interface FraudSignalContent {
  source: string;
  code: string;
  riskLevel: FraudRiskLevel;
}

/** What validation reads of an order. */
export interface OrderContent {
  currency: string;
  /** Prices include tax: the grand total does not add the tax total. */
  taxesIncluded: boolean;
  lines: readonly OrderLineContent[];
  shipping: ShippingContent | null;
  totals: OrderTotalsContent | null;
  shippingAddress: AddressContent | null;
  /** The channel ships the order itself (Amazon FBA): the seller needs no shipping address. */
  fulfilledByChannel: boolean;
  paymentStatus: PaymentStatus;
  fraudSignals: readonly FraudSignalContent[];
  placedAt: Date | null;
}

/** One reason to hold an order, with what exactly is wrong. */
export interface ValidationIssue {
  reason: HoldReason;
  detail: string;
}

export interface ValidationContext {
  /** SKUs the catalog does not know. */
  unknownSkus: ReadonlySet<string>;
  /** SKUs the catalog knows but that have no listing on the order's channel account. */
  unlistedSkus: ReadonlySet<string>;
  /** Hold reasons an operator waived by releasing a hold (see WAIVABLE_HOLD_REASONS). */
  waived: ReadonlySet<HoldReason>;
}

/** The hold for a list of issues: the first one's reason, every issue's detail. Undefined when there is none. */
export function holdFor(issues: readonly ValidationIssue[]): ValidationIssue | undefined {
  if (issues.length === 0) return undefined;
  return { reason: issues[0]!.reason, detail: issues.map((issue) => issue.detail).join('; ') };
}

/**
 * Throws DomainValidationError (`invalid_order`) naming the first field that makes the order
 * impossible to record: no lines, a line without SKU or with a quantity below 1, duplicate line
 * ids, an amount that is negative, not a safe integer or not in the order's currency, missing
 * totals or placed-at.
 */
export function assertOrderShape(order: OrderContent): void {
  if (!isCurrencyCode(order.currency)) invalid(`currency ${describeValue(order.currency)} is not an ISO 4217 code`);
  if (order.lines.length === 0) invalid('an order needs at least one line');
  const lineIds = new Set<string>();
  order.lines.forEach((line, index) => {
    const field = `lines[${index}]`;
    if (line.lineId !== '') {
      if (lineIds.has(line.lineId)) invalid(`${field}.line_id ${describeValue(line.lineId)} appears twice`);
      lineIds.add(line.lineId);
    }
    if (line.sku.trim() === '') invalid(`${field}.sku is required`);
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      invalid(`${field}.quantity must be a positive integer, got ${describeValue(line.quantity)}`);
    }
    assertAmount(line.unitPrice, `${field}.unit_price`, order.currency, true);
    line.discounts.forEach((discount, position) => assertAmount(discount, `${field}.discounts[${position}]`, order.currency, true));
    line.taxes.forEach((tax, position) => assertAmount(tax, `${field}.taxes[${position}]`, order.currency, true));
  });
  if (order.shipping) {
    assertAmount(order.shipping.price, 'shipping.price', order.currency, false);
    order.shipping.discounts.forEach((discount, position) =>
      assertAmount(discount, `shipping.discounts[${position}]`, order.currency, true),
    );
    order.shipping.taxes.forEach((tax, position) => assertAmount(tax, `shipping.taxes[${position}]`, order.currency, true));
  }
  if (!order.totals) invalid('totals are required');
  // Absent totals other than the grand total count as zero (a channel may leave out a zero discount total).
  for (const [name, amount] of Object.entries(order.totals)) {
    assertAmount(amount, `totals.${snakeCase(name)}`, order.currency, name === 'grandTotal');
  }
  if (order.placedAt === null) invalid('placed_at is required');
}

/**
 * Every reason to hold the order, in HOLD_REASONS order (catalog, prices, taxes, address,
 * payment, fraud), except the waived ones. Empty = the order may proceed to reservation. The
 * address is checked only for orders the seller ships (the channel does not share the
 * recipient's address for orders it fulfils). Expects an order that passed assertOrderShape.
 */
export function validateOrderContent(order: OrderContent, context: ValidationContext): ValidationIssue[] {
  const issues: ValidationIssue[] = [
    ...skuIssues(order, context.unknownSkus, 'UNKNOWN_SKU', 'not in the catalog'),
    ...skuIssues(order, context.unlistedSkus, 'SKU_NOT_LISTED', 'not listed on the channel account'),
    ...moneyIssues(order),
    ...(order.fulfilledByChannel ? [] : addressIssues(order.shippingAddress)),
    ...paymentIssues(order.paymentStatus),
    ...fraudIssues(order.fraudSignals),
  ];
  return issues.filter((issue) => !context.waived.has(issue.reason));
}

function skuIssues(order: OrderContent, skus: ReadonlySet<string>, reason: HoldReason, what: string): ValidationIssue[] {
  const found = [...new Set(order.lines.map((line) => line.sku).filter((sku) => skus.has(sku)))];
  return found.length === 0 ? [] : [{ reason, detail: `SKU ${found.map((sku) => describeValue(sku)).join(', ')} ${what}` }];
}

/**
 * The channel's totals must be what the lines say, to the minor unit:
 * subtotal = sum of unit price x quantity; discount total = line and shipping discounts;
 * shipping total = shipping price; tax total = line and shipping taxes (TAX_MISMATCH);
 * grand total = subtotal - discount total + shipping total (+ tax total unless prices include it).
 * A discount larger than what it discounts is a price mismatch too.
 */
function moneyIssues(order: OrderContent): ValidationIssue[] {
  const currency = order.currency;
  const totals = order.totals!;
  const issues: ValidationIssue[] = [];
  const mismatch = (name: string, reportedTotal: Money | null, expected: Money): void => {
    const amount = reportedTotal?.amountMinor ?? 0;
    if (amount !== expected.amountMinor) {
      issues.push({
        reason: name === 'tax total' ? 'TAX_MISMATCH' : 'PRICE_MISMATCH',
        detail: `${name} is ${amount} ${currency} minor units, the lines add up to ${expected.amountMinor}`,
      });
    }
  };
  try {
    const zero = sumMoney([], currency);
    const lineAmounts = order.lines.map((line) => multiplyMoney(line.unitPrice ?? zero, line.quantity));
    order.lines.forEach((line, index) => {
      const discount = sumMoney(line.discounts, currency);
      if (discount.amountMinor > lineAmounts[index]!.amountMinor) {
        issues.push({
          reason: 'PRICE_MISMATCH',
          detail: `line ${describeValue(line.lineId || line.sku)} is discounted by ${discount.amountMinor}, more than its ${lineAmounts[index]!.amountMinor}`,
        });
      }
    });
    const shippingPrice = order.shipping?.price ?? zero;
    const shippingDiscount = sumMoney(order.shipping?.discounts ?? [], currency);
    if (shippingDiscount.amountMinor > shippingPrice.amountMinor) {
      issues.push({
        reason: 'PRICE_MISMATCH',
        detail: `shipping is discounted by ${shippingDiscount.amountMinor}, more than its ${shippingPrice.amountMinor}`,
      });
    }
    const subtotal = sumMoney(lineAmounts, currency);
    const discountTotal = addMoney(
      sumMoney(
        order.lines.flatMap((line) => line.discounts),
        currency,
      ),
      shippingDiscount,
    );
    const taxTotal = sumMoney([...order.lines.flatMap((line) => line.taxes), ...(order.shipping?.taxes ?? [])], currency);
    mismatch('subtotal', totals.subtotal, subtotal);
    mismatch('discount total', totals.discountTotal, discountTotal);
    mismatch('shipping total', totals.shippingTotal, shippingPrice);
    mismatch('tax total', totals.taxTotal, taxTotal);
    // From the reported totals, so that one wrong total is reported once, not again in the grand total.
    const reported = (money: Money | null) => money ?? zero;
    const beforeTax = addMoney(subtractMoney(reported(totals.subtotal), reported(totals.discountTotal)), reported(totals.shippingTotal));
    const grandTotal = order.taxesIncluded ? beforeTax : addMoney(beforeTax, reported(totals.taxTotal));
    if (totals.grandTotal!.amountMinor !== grandTotal.amountMinor) {
      issues.push({
        reason: 'PRICE_MISMATCH',
        detail: `grand total is ${totals.grandTotal!.amountMinor} ${currency} minor units, the totals add up to ${grandTotal.amountMinor}`,
      });
    }
  } catch (error) {
    if (!(error instanceof DomainValidationError)) throw error;
    issues.push({ reason: 'PRICE_MISMATCH', detail: `the amounts cannot be added up exactly: ${error.message}` });
  }
  return issues;
}

// Countries whose addresses need a region and a postal code, or a postal code, to be delivered
// (the common retail destinations of Chromium autofill's country data); elsewhere line 1, city
// and country are required.
const REGION_AND_POSTAL_CODE = new Set(['US', 'CA', 'AU', 'BR', 'MX', 'IN', 'JP']);
const POSTAL_CODE = new Set(['GB', 'DE', 'FR', 'NL', 'BE', 'LU', 'AT', 'CH', 'IT', 'ES', 'PT', 'SE', 'DK', 'NO', 'FI', 'PL', 'CZ']);

function addressIssues(address: AddressContent | null): ValidationIssue[] {
  if (!address) return [{ reason: 'INVALID_ADDRESS', detail: 'the shipping address is missing' }];
  const missing: string[] = [];
  if (address.name.trim() === '' && address.company.trim() === '') missing.push('name');
  if (address.line1.trim() === '') missing.push('line1');
  if (address.city.trim() === '') missing.push('city');
  if (!/^[A-Z]{2}$/.test(address.countryCode)) missing.push('country_code');
  if (REGION_AND_POSTAL_CODE.has(address.countryCode) && address.region.trim() === '') missing.push('region');
  const needsPostalCode = REGION_AND_POSTAL_CODE.has(address.countryCode) || POSTAL_CODE.has(address.countryCode);
  if (needsPostalCode && address.postalCode.trim() === '') missing.push('postal_code');
  return missing.length === 0 ? [] : [{ reason: 'INVALID_ADDRESS', detail: `the shipping address has no ${missing.join(', ')}` }];
}

const PAID_ENOUGH: ReadonlySet<PaymentStatus> = new Set<PaymentStatus>(['AUTHORIZED', 'PAID', 'PARTIALLY_REFUNDED']);

function paymentIssues(status: PaymentStatus): ValidationIssue[] {
  if (PAID_ENOUGH.has(status)) return [];
  return [{ reason: 'PAYMENT_PENDING', detail: `payment is ${status.toLowerCase().replaceAll('_', ' ')}, not authorised or captured` }];
}

function fraudIssues(signals: readonly FraudSignalContent[]): ValidationIssue[] {
  const high = signals.filter((signal) => signal.riskLevel === 'HIGH');
  if (high.length === 0) return [];
  const sources = high.map((signal) => `${signal.source}${signal.code ? ` (${signal.code})` : ''}`).join(', ');
  return [{ reason: 'FRAUD_REVIEW', detail: `high fraud risk reported by ${sources}` }];
}

function assertAmount(money: Money | null, field: string, currency: string, required: boolean): void {
  if (money === null) {
    if (required) invalid(`${field} is required`);
    return;
  }
  if (!Number.isSafeInteger(money.amountMinor) || money.amountMinor < 0) {
    invalid(`${field} must be a non-negative integer amount of minor units, got ${describeValue(money.amountMinor)}`);
  }
  if (money.currency !== currency) invalid(`${field} is in ${describeValue(money.currency)}, the order is in ${currency}`);
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function invalid(message: string): never {
  throw new DomainValidationError('invalid_order', message);
}
