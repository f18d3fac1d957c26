// The identifiers every other system keys products by. Pure functions; a bad value throws
// DomainValidationError, which the gRPC layer maps to INVALID_ARGUMENT with the reason.
import { DomainValidationError } from '@retail-mesh/domain';

// Letters, digits and - _ . / (what ERPs and channels accept alike), 1-64 characters, starting
// with a letter or digit. No spaces: several channel APIs trim or reject them.
const SKU = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const CHANNEL_ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const GTIN_LENGTHS = new Set([8, 12, 13, 14]);

export function isValidSku(sku: string): boolean {
  return SKU.test(sku);
}

export function assertSku(sku: string): void {
  if (!isValidSku(sku)) {
    throw new DomainValidationError(
      'invalid_sku',
      `SKU ${JSON.stringify(sku)} must be 1-64 letters, digits or - _ . /, starting with a letter or digit`,
    );
  }
}

/** An id the catalog keys things by (product, price list, promotion): 1-64 letters, digits or - _ . : */
export function assertIdentifier(value: string, field: string): void {
  if (!IDENTIFIER.test(value)) {
    throw new DomainValidationError(
      `invalid_${field}`,
      `${field} ${JSON.stringify(value)} must be 1-64 letters, digits or - _ . :, starting with a letter or digit`,
    );
  }
}

export function assertProductId(productId: string): void {
  assertIdentifier(productId, 'product_id');
}

/** A channel account id (a store or marketplace account): 1-100 letters, digits or - _ . : */
export function assertChannelAccountId(channelAccountId: string): void {
  if (!CHANNEL_ACCOUNT_ID.test(channelAccountId)) {
    throw new DomainValidationError(
      'invalid_channel_account_id',
      `channel_account_id ${JSON.stringify(channelAccountId)} must be 1-100 letters, digits or - _ . :`,
    );
  }
}

/**
 * The GS1 check digit for the digits before it: weights 3 and 1 alternate from the rightmost
 * digit, and the check digit brings the weighted sum up to a multiple of 10.
 */
export function gtinCheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  for (let index = 0; index < digitsWithoutCheck.length; index += 1) {
    const fromRight = digitsWithoutCheck.length - 1 - index;
    sum += Number(digitsWithoutCheck[index]) * (fromRight % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** GTIN-8, -12 (UPC-A), -13 (EAN) or -14: digits only, with a valid check digit. */
export function isValidGtin(gtin: string): boolean {
  if (!/^\d+$/.test(gtin) || !GTIN_LENGTHS.has(gtin.length)) return false;
  return gtinCheckDigit(gtin.slice(0, -1)) === Number(gtin.at(-1));
}

export function assertGtin(gtin: string): void {
  if (!/^\d+$/.test(gtin) || !GTIN_LENGTHS.has(gtin.length)) {
    throw new DomainValidationError('invalid_gtin', `GTIN ${JSON.stringify(gtin)} must be 8, 12, 13 or 14 digits`);
  }
  if (!isValidGtin(gtin)) {
    const expected = gtinCheckDigit(gtin.slice(0, -1));
    throw new DomainValidationError('invalid_gtin', `GTIN ${gtin} has check digit ${gtin.at(-1)}, expected ${expected}`);
  }
}
