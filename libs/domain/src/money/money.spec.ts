import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../domain-validation.error.js';
import { assertCurrencyCode, currencyExponent, isCurrencyCode } from './currency.js';
import {
  addMoney,
  allocateMoney,
  createMoney,
  formatMoney,
  moneyEquals,
  multiplyMoney,
  negateMoney,
  parseMoney,
  subtractMoney,
  sumMoney,
  zeroMoney,
} from './money.js';

const usd = (amountMinor: number) => createMoney(amountMinor, 'USD');

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
  throw new Error('expected a DomainValidationError');
}

describe('currency codes', () => {
  it('knows the minor-unit exponent of common and exceptional currencies', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
  });

  it('accepts only known upper-case three-letter codes', () => {
    expect(isCurrencyCode('CAD')).toBe(true);
    for (const bad of ['usd', 'US', 'USDD', 'ZZZ', '', ' USD', 'XAU', 840, undefined, null]) {
      expect(isCurrencyCode(bad), String(bad)).toBe(false);
    }
    expect(reasonOf(() => assertCurrencyCode('eur'))).toBe('invalid_currency');
    expect(reasonOf(() => currencyExponent('ABC'))).toBe('invalid_currency');
  });
});

describe('Money values', () => {
  it('rejects amounts that are not safe integers', () => {
    for (const bad of [NaN, Infinity, -Infinity, 1.5, 0.1, Number.MAX_SAFE_INTEGER + 1]) {
      expect(
        reasonOf(() => createMoney(bad, 'USD')),
        String(bad),
      ).toBe('invalid_amount');
    }
    expect(createMoney(Number.MAX_SAFE_INTEGER, 'USD').amountMinor).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects an unknown currency', () => {
    expect(reasonOf(() => createMoney(100, 'usd'))).toBe('invalid_currency');
  });

  it('adds, subtracts, negates and sums within one currency', () => {
    expect(addMoney(usd(1999), usd(1))).toEqual(usd(2000));
    expect(subtractMoney(usd(500), usd(750))).toEqual(usd(-250));
    expect(negateMoney(usd(350))).toEqual(usd(-350));
    expect(Object.is(negateMoney(usd(0)).amountMinor, 0)).toBe(true);
    expect(sumMoney([usd(100), usd(250), usd(-50)], 'USD')).toEqual(usd(300));
    expect(sumMoney([], 'JPY')).toEqual(zeroMoney('JPY'));
    expect(moneyEquals(usd(5), usd(5))).toBe(true);
    expect(moneyEquals(usd(5), createMoney(5, 'CAD'))).toBe(false);
  });

  it('refuses to combine different currencies', () => {
    expect(reasonOf(() => addMoney(usd(100), createMoney(100, 'EUR')))).toBe('currency_mismatch');
    expect(reasonOf(() => subtractMoney(usd(100), createMoney(100, 'EUR')))).toBe('currency_mismatch');
    expect(reasonOf(() => sumMoney([usd(1), createMoney(1, 'CAD')], 'USD'))).toBe('currency_mismatch');
  });

  it('refuses results beyond the safe integer range', () => {
    expect(reasonOf(() => addMoney(usd(Number.MAX_SAFE_INTEGER), usd(1)))).toBe('invalid_amount');
    expect(reasonOf(() => multiplyMoney(usd(Number.MAX_SAFE_INTEGER), 2))).toBe('invalid_amount');
  });

  it('multiplies by integer quantities only', () => {
    expect(multiplyMoney(usd(1999), 3)).toEqual(usd(5997));
    expect(multiplyMoney(usd(1999), -1)).toEqual(usd(-1999));
    expect(Object.is(multiplyMoney(usd(0), -2).amountMinor, 0)).toBe(true);
    expect(reasonOf(() => multiplyMoney(usd(1999), 1.5))).toBe('invalid_quantity');
    expect(reasonOf(() => multiplyMoney(usd(1999), NaN))).toBe('invalid_quantity');
  });
});

describe('allocateMoney', () => {
  const amounts = (parts: { amountMinor: number }[]) => parts.map((part) => part.amountMinor);

  it('splits evenly divisible totals exactly by weight', () => {
    expect(amounts(allocateMoney(usd(1000), [1, 1, 2]))).toEqual([250, 250, 500]);
  });

  it('gives leftover minor units to the largest remainders so nothing is lost', () => {
    // 100 / 3 = 33.33 each: one cent left over, to the first part on the tie.
    expect(amounts(allocateMoney(usd(100), [1, 1, 1]))).toEqual([34, 33, 33]);
    // 1000 over 3333/3333/3334: exact shares 333.3, 333.3, 333.4 -> the largest remainder is the last.
    expect(amounts(allocateMoney(usd(1000), [3333, 3333, 3334]))).toEqual([333, 333, 334]);
    // 5 cents over weights 7 and 3: 3.5 and 1.5 tie on remainder, the first part wins it.
    expect(amounts(allocateMoney(usd(5), [7, 3]))).toEqual([4, 1]);
  });

  it('always sums to the total', () => {
    const weights = [1999, 2499, 10, 0, 7];
    for (const total of [0, 1, 7, 99, 1001, 123457]) {
      const parts = allocateMoney(usd(total), weights);
      expect(parts.reduce((sum, part) => sum + part.amountMinor, 0)).toBe(total);
      expect(parts[3].amountMinor).toBe(0);
    }
  });

  it('splits a negative total like its absolute value', () => {
    expect(amounts(allocateMoney(usd(-100), [1, 1, 1]))).toEqual([-34, -33, -33]);
  });

  it('keeps the currency and stays exact when total x weight exceeds 2^53', () => {
    const parts = allocateMoney(createMoney(Number.MAX_SAFE_INTEGER, 'JPY'), [Number.MAX_SAFE_INTEGER, 1]);
    expect(parts.every((part) => part.currency === 'JPY')).toBe(true);
    expect(parts[0].amountMinor + parts[1].amountMinor).toBe(Number.MAX_SAFE_INTEGER);
    expect(parts[1].amountMinor).toBe(1);
  });

  it('rejects empty, negative, fractional or all-zero weights', () => {
    expect(reasonOf(() => allocateMoney(usd(100), []))).toBe('invalid_allocation');
    expect(reasonOf(() => allocateMoney(usd(100), [1, -1]))).toBe('invalid_allocation');
    expect(reasonOf(() => allocateMoney(usd(100), [0.5, 1]))).toBe('invalid_allocation');
    expect(reasonOf(() => allocateMoney(usd(100), [0, 0]))).toBe('invalid_allocation');
  });
});

describe('parseMoney', () => {
  it.each([
    ['19.99', 'USD', 1999],
    ['15.00', 'USD', 1500],
    ['0.1', 'USD', 10],
    ['0.01', 'USD', 1],
    ['7', 'USD', 700],
    ['-3.50', 'USD', -350],
    ['007.50', 'EUR', 750],
    ['1500', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['0.5', 'BHD', 500],
    ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER],
  ])('parses %s %s into %d minor units', (decimal, currency, amountMinor) => {
    expect(parseMoney(decimal, currency)).toEqual({ amountMinor, currency });
  });

  it('is exact where floating point is not', () => {
    // 1.15 * 100 = 114.99999999999999 and 4.35 * 100 = 434.99999999999994 in floating point.
    expect(parseMoney('1.15', 'USD').amountMinor).toBe(115);
    expect(parseMoney('4.35', 'USD').amountMinor).toBe(435);
    expect(parseMoney('0.07', 'USD').amountMinor).toBe(7);
  });

  it('turns negative zero into zero', () => {
    expect(Object.is(parseMoney('-0.00', 'USD').amountMinor, 0)).toBe(true);
  });

  it('accepts zero padding beyond the minor unit (Shopify prints JPY 1500 as "1500.0")', () => {
    expect(parseMoney('1500.0', 'JPY').amountMinor).toBe(1500);
    expect(parseMoney('19.990', 'USD').amountMinor).toBe(1999);
  });

  it('rejects digits beyond the minor unit that would be lost', () => {
    expect(reasonOf(() => parseMoney('1.001', 'USD'))).toBe('invalid_amount');
    expect(reasonOf(() => parseMoney('1500.5', 'JPY'))).toBe('invalid_amount');
    expect(reasonOf(() => parseMoney('1.2345', 'KWD'))).toBe('invalid_amount');
  });

  it.each(['1e3', '1E3', '+1.00', ' 1.00', '1.00 ', '1,000.00', '1.', '.5', '-', '', 'NaN', 'Infinity', '0x10', '١٢'])(
    'rejects the malformed amount %j',
    (decimal) => {
      expect(reasonOf(() => parseMoney(decimal, 'USD'))).toBe('invalid_amount');
    },
  );

  it('rejects non-string input from untyped callers', () => {
    expect(reasonOf(() => parseMoney(19.99 as unknown as string, 'USD'))).toBe('invalid_amount');
  });

  it('rejects amounts too large to hold exactly', () => {
    expect(reasonOf(() => parseMoney('90071992547409.92', 'USD'))).toBe('invalid_amount');
    expect(reasonOf(() => parseMoney('99999999999999999999', 'JPY'))).toBe('invalid_amount');
  });

  it('rejects an unknown currency', () => {
    expect(reasonOf(() => parseMoney('1.00', 'XYZ'))).toBe('invalid_currency');
  });
});

describe('formatMoney', () => {
  it.each([
    [1999, 'USD', '19.99'],
    [1500, 'USD', '15.00'],
    [5, 'USD', '0.05'],
    [0, 'USD', '0.00'],
    [-350, 'USD', '-3.50'],
    [-5, 'USD', '-0.05'],
    [1500, 'JPY', '1500'],
    [-1500, 'JPY', '-1500'],
    [1250, 'KWD', '1.250'],
    [7, 'KWD', '0.007'],
  ])('formats %d %s as %s', (amountMinor, currency, decimal) => {
    expect(formatMoney({ amountMinor, currency })).toBe(decimal);
  });

  it('round-trips through parseMoney', () => {
    for (const money of [usd(1), usd(-1), usd(123456789), createMoney(42, 'JPY'), createMoney(-1001, 'BHD')]) {
      expect(parseMoney(formatMoney(money), money.currency)).toEqual(money);
    }
  });

  it('refuses invalid money', () => {
    expect(reasonOf(() => formatMoney({ amountMinor: 1.5, currency: 'USD' }))).toBe('invalid_amount');
  });
});
