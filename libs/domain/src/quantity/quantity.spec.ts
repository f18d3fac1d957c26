import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../domain-validation.error.js';
import { assertQuantity, assertSignedQuantity, isQuantity } from './quantity.js';

describe('quantities', () => {
  it('accepts non-negative safe integers', () => {
    for (const good of [0, 1, 250, Number.MAX_SAFE_INTEGER]) expect(isQuantity(good)).toBe(true);
  });

  it('rejects negatives, fractions, NaN, unsafe integers and non-numbers', () => {
    for (const bad of [-1, 0.5, NaN, Infinity, Number.MAX_SAFE_INTEGER + 1, '3', null, undefined]) {
      expect(isQuantity(bad), String(bad)).toBe(false);
    }
  });

  it('names the field in the error', () => {
    expect(() => assertQuantity(-2, 'safetyStock')).toThrow(/safetyStock must be a non-negative integer, got -2/);
    expect(() => assertQuantity(NaN, 'maxQuantity')).toThrow(/got NaN/);
    expect(() => assertQuantity('3', 'quantity')).toThrow(/got "3"/);
    expect(() => assertQuantity(1.5, 'quantity')).toThrow(DomainValidationError);
  });

  it('allows negative integers where a signed quantity is meant', () => {
    expect(() => assertSignedQuantity(-5, 'delta')).not.toThrow();
    expect(() => assertSignedQuantity(-0.5, 'delta')).toThrow(/delta must be an integer/);
  });
});
