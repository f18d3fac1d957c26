import { DomainValidationError, describeValue } from '../domain-validation.error.js';

// ISO 4217 minor-unit exponents. Exponent 2 is the common case; the exceptions are listed
// explicitly because getting one wrong silently scales amounts by 100 (JPY) or 10 (KWD).
// Codes without a minor unit (gold, SDR, test codes) are left out: they are not sale currencies.
const currenciesByExponent: ReadonlyArray<readonly [exponent: number, codes: string]> = [
  [0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'],
  [3, 'BHD IQD JOD KWD LYD OMR TND'],
  [4, 'CLF UYW'],
  [
    2,
    `
  AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP
  COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD
  KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK
  NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
  TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG`,
  ],
  // Recently withdrawn, kept so that order and settlement history in them still parses.
  [2, 'ANG HRK SLL ZWL'],
];

const exponents = new Map<string, number>();
for (const [exponent, codes] of currenciesByExponent) {
  for (const code of codes.trim().split(/\s+/)) exponents.set(code, exponent);
}

/** True for a known ISO 4217 code (three upper-case letters, listed in the table). */
export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && exponents.has(value);
}

/** Throws `DomainValidationError` (`invalid_currency`) unless `value` is a known ISO 4217 code. */
export function assertCurrencyCode(value: unknown): asserts value is string {
  if (!isCurrencyCode(value)) {
    throw new DomainValidationError('invalid_currency', `not a known ISO 4217 currency code: ${describeValue(value)}`);
  }
}

/** Number of decimal places of the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function currencyExponent(currency: string): number {
  assertCurrencyCode(currency);
  return exponents.get(currency) as number;
}
