import { DomainValidationError, describeValue } from '../domain-validation.error.js';
import { assertCurrencyCode, currencyExponent } from './currency.js';

/** An amount in integer minor units (cents, yen, fils) of an ISO 4217 currency. Never a float. */
export interface Money {
  amountMinor: number;
  currency: string;
}

/** Throws `DomainValidationError` unless `money` has a safe-integer amount and a known currency. */
export function assertMoney(money: Money): void {
  assertCurrencyCode(money.currency);
  assertSafeAmount(money.amountMinor, money.currency);
}

/** A validated Money value. */
export function createMoney(amountMinor: number, currency: string): Money {
  const money = { amountMinor, currency };
  assertMoney(money);
  return money;
}

export function zeroMoney(currency: string): Money {
  return createMoney(0, currency);
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return createMoney(a.amountMinor + b.amountMinor, a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return createMoney(a.amountMinor - b.amountMinor, a.currency);
}

export function negateMoney(money: Money): Money {
  assertMoney(money);
  // `0 - 0` rather than `-0`, so that a negated zero still compares and serialises as 0.
  return createMoney(0 - money.amountMinor, money.currency);
}

/** Sums amounts of one currency; the currency is explicit so that an empty list has a total. */
export function sumMoney(items: readonly Money[], currency: string): Money {
  let total = zeroMoney(currency);
  for (const item of items) total = addMoney(total, item);
  return total;
}

/** Unit price × quantity (a line total). `quantity` must be an integer. */
export function multiplyMoney(money: Money, quantity: number): Money {
  assertMoney(money);
  if (!Number.isSafeInteger(quantity)) {
    throw new DomainValidationError('invalid_quantity', `money can only be multiplied by an integer, got ${quantity}`);
  }
  return createMoney(money.amountMinor * quantity + 0, money.currency);
}

export function moneyEquals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMinor === b.amountMinor;
}

/**
 * Splits `total` across parts in proportion to `weights` (e.g. an order discount across its
 * lines, weighted by line amount) so that the parts add up to the total exactly: each part
 * gets the floor of its share, and the minor units left over go one each to the parts with the
 * largest remainders (the earlier part on a tie). A negative total is split like its absolute value.
 */
export function allocateMoney(total: Money, weights: readonly number[]): Money[] {
  assertMoney(total);
  if (weights.length === 0) throw new DomainValidationError('invalid_allocation', 'cannot allocate across zero parts');
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight) || weight < 0) {
      throw new DomainValidationError('invalid_allocation', `allocation weights must be non-negative integers, got ${weight}`);
    }
  }
  const weightSum = weights.reduce((sum, weight) => sum + BigInt(weight), 0n);
  if (weightSum === 0n) throw new DomainValidationError('invalid_allocation', 'allocation weights must not all be zero');

  // BigInt: amount × weight can exceed 2^53 even when both fit.
  const sign = total.amountMinor < 0 ? -1n : 1n;
  const amount = BigInt(total.amountMinor) * sign;
  const shares = weights.map((weight, index) => {
    const numerator = amount * BigInt(weight);
    return { index, share: numerator / weightSum, remainder: numerator % weightSum };
  });
  let leftOver = amount - shares.reduce((sum, part) => sum + part.share, 0n);
  const byRemainder = [...shares].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const part of byRemainder) {
    if (leftOver === 0n) break;
    part.share += 1n;
    leftOver -= 1n;
  }
  return shares.map((part) => createMoney(Number(part.share * sign), total.currency));
}

const decimalPattern = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a channel's decimal amount string ("19.99" from Shopify, "15.00" from Amazon) into
 * exact minor units with string arithmetic, never through a float. Accepted: an optional `-`,
 * digits, optionally `.` and digits. Rejected: exponents ("1e3"), `+`, spaces, thousands
 * separators, a bare "." or ".5", and digits beyond the currency's minor unit unless they are
 * zeros (Shopify prints JPY 1500 as "1500.0": zeros lose nothing; "1.001" USD would).
 */
export function parseMoney(decimal: string, currency: string): Money {
  const exponent = currencyExponent(currency);
  const match = typeof decimal === 'string' ? decimalPattern.exec(decimal) : null;
  if (!match) throw new DomainValidationError('invalid_amount', `not a decimal amount: ${describeValue(decimal)}`);
  const [, minus, integerDigits, fractionDigits = ''] = match;
  const significantFraction = fractionDigits.slice(0, exponent);
  if (/[^0]/.test(fractionDigits.slice(exponent))) {
    throw new DomainValidationError(
      'invalid_amount',
      `${JSON.stringify(decimal)} has more decimal places than ${currency} allows (${exponent})`,
    );
  }
  const minorDigits = integerDigits + significantFraction.padEnd(exponent, '0');
  const magnitude = BigInt(minorDigits);
  if (magnitude > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DomainValidationError('invalid_amount', `${JSON.stringify(decimal)} ${currency} is too large to represent exactly`);
  }
  const amountMinor = minus && magnitude !== 0n ? -Number(magnitude) : Number(magnitude);
  return createMoney(amountMinor, currency);
}

/** The decimal string channels expect ("19.99", JPY "1500", KWD "1.250", "-3.50"). Not locale formatting. */
export function formatMoney(money: Money): string {
  assertMoney(money);
  const exponent = currencyExponent(money.currency);
  const digits = Math.abs(money.amountMinor)
    .toString()
    .padStart(exponent + 1, '0');
  const sign = money.amountMinor < 0 ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

function assertSameCurrency(a: Money, b: Money): void {
  assertMoney(a);
  assertMoney(b);
  if (a.currency !== b.currency) {
    throw new DomainValidationError('currency_mismatch', `cannot combine ${a.currency} with ${b.currency}`);
  }
}

function assertSafeAmount(amountMinor: number, currency: string): void {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new DomainValidationError('invalid_amount', `amountMinor must be a safe integer, got ${amountMinor} ${currency}`);
  }
}
