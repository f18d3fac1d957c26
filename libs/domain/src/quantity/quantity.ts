import { DomainValidationError, describeValue } from '../domain-validation.error.js';

/** True for a stock quantity: a non-negative safe integer. */
export function isQuantity(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Throws `DomainValidationError` (`invalid_quantity`) naming the field unless `value` is a non-negative integer. */
export function assertQuantity(value: unknown, field: string): asserts value is number {
  if (!isQuantity(value)) {
    throw new DomainValidationError('invalid_quantity', `${field} must be a non-negative integer, got ${describeValue(value)}`);
  }
}

/** Like `assertQuantity` but allows negatives: for deltas and for on-hand figures an ERP may report below zero. */
export function assertSignedQuantity(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new DomainValidationError('invalid_quantity', `${field} must be an integer, got ${describeValue(value)}`);
  }
}
