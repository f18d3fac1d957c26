import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { assertStockChange, type StockChange } from './stock-change.js';

const change: StockChange = { sku: 'SKU-1', locationId: 'WH-EAST', onHand: 5, version: 3, changedAt: new Date('2026-11-27T05:00:00Z') };

describe('assertStockChange', () => {
  it('accepts a change, also a negative on-hand and an unknown change time', () => {
    expect(() => assertStockChange(change)).not.toThrow();
    expect(() => assertStockChange({ ...change, onHand: -2, changedAt: null })).not.toThrow();
  });

  it.each<[string, Partial<StockChange>, string]>([
    ['an empty SKU', { sku: '' }, 'invalid_sku'],
    ['an overlong location', { locationId: 'L'.repeat(65) }, 'invalid_location_id'],
    ['a fractional on-hand', { onHand: 1.5 }, 'invalid_quantity'],
    ['version 0', { version: 0 }, 'invalid_version'],
    ['an invalid time', { changedAt: new Date(Number.NaN) }, 'invalid_changed_at'],
  ])('rejects %s', (_case, override, reason) => {
    let caught: unknown;
    try {
      assertStockChange({ ...change, ...override });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainValidationError);
    expect((caught as DomainValidationError).reason).toBe(reason);
  });
});
