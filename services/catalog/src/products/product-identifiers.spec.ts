import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import {
  assertChannelAccountId,
  assertGtin,
  assertIdentifier,
  assertProductId,
  assertSku,
  gtinCheckDigit,
  isValidGtin,
  isValidSku,
} from './product-identifiers.js';

describe('SKU', () => {
  it.each(['TSHIRT-RED-M', 'a', 'SKU_1.2/3', 'X'.repeat(64)])('accepts %s', (sku) => {
    expect(isValidSku(sku)).toBe(true);
  });

  it.each(['', ' SKU', 'SKU 1', '-SKU', 'X'.repeat(65), 'SKÜ', 'SKU#1'])('rejects %j', (sku) => {
    expect(isValidSku(sku)).toBe(false);
    expect(() => assertSku(sku)).toThrow(DomainValidationError);
  });

  it('rejects with the invalid_sku reason', () => {
    expect(() => assertSku('bad sku')).toThrow(expect.objectContaining({ reason: 'invalid_sku' }));
  });
});

describe('product id', () => {
  it('accepts ERP-style ids and rejects blanks', () => {
    expect(() => assertProductId('erp:PRD-0001')).not.toThrow();
    expect(() => assertProductId('')).toThrow(expect.objectContaining({ reason: 'invalid_product_id' }));
  });
});

describe('identifiers', () => {
  it('names the field in the reason', () => {
    expect(() => assertIdentifier('us retail', 'price_list_id')).toThrow(expect.objectContaining({ reason: 'invalid_price_list_id' }));
    expect(() => assertIdentifier('us-retail', 'price_list_id')).not.toThrow();
  });

  it('accepts channel account ids up to 100 characters', () => {
    expect(() => assertChannelAccountId('shopify:b2c-eu')).not.toThrow();
    expect(() => assertChannelAccountId('a'.repeat(101))).toThrow(expect.objectContaining({ reason: 'invalid_channel_account_id' }));
    expect(() => assertChannelAccountId('')).toThrow(expect.objectContaining({ reason: 'invalid_channel_account_id' }));
  });
});

describe('GTIN', () => {
  // Published example codes: an EAN-13, a UPC-A, an EAN-8 and a GTIN-14.
  it.each(['4006381333931', '036000291452', '96385074', '10012345678902'])('accepts %s', (gtin) => {
    expect(isValidGtin(gtin)).toBe(true);
    expect(() => assertGtin(gtin)).not.toThrow();
  });

  it('computes the GS1 check digit', () => {
    expect(gtinCheckDigit('400638133393')).toBe(1);
    expect(gtinCheckDigit('03600029145')).toBe(2);
    expect(gtinCheckDigit('9638507')).toBe(4);
    expect(gtinCheckDigit('0000000')).toBe(0);
  });

  it('names the expected check digit when it is wrong', () => {
    expect(() => assertGtin('4006381333932')).toThrow('GTIN 4006381333932 has check digit 2, expected 1');
  });

  it.each(['400638133393', '40063813339311', 'ABCDEFGHIJKLM', '4006-38133393', ''])('rejects %j', (gtin) => {
    expect(isValidGtin(gtin)).toBe(false);
    expect(() => assertGtin(gtin)).toThrow(expect.objectContaining({ reason: 'invalid_gtin' }));
  });
});
