import { assertSignedQuantity, DomainValidationError, isVersion } from '@retail-mesh/domain';

/** An absolute on-hand quantity for a SKU at a location, versioned by the ERP change feed. */
export interface StockChange {
  sku: string;
  locationId: string;
  onHand: number;
  /** ERP change-feed sequence: a change not newer than the applied one is stale. */
  version: number;
  /** When it happened in the ERP; null when the caller did not say. */
  changedAt: Date | null;
}

const MAX_KEY_LENGTH = 64;

/** A SKU or location id: 1-64 characters (the key columns' width). */
export function assertStockKey(value: string, field: string): void {
  if (value.trim() === '' || value.length > MAX_KEY_LENGTH) {
    throw new DomainValidationError(`invalid_${field}`, `${field} ${JSON.stringify(value)} must be 1-${MAX_KEY_LENGTH} characters`);
  }
}

/** Throws DomainValidationError for a change that can never be applied. On-hand may be negative (the ERP's figure). */
export function assertStockChange(change: StockChange): void {
  assertStockKey(change.sku, 'sku');
  assertStockKey(change.locationId, 'location_id');
  assertSignedQuantity(change.onHand, 'on_hand');
  if (!isVersion(change.version) || change.version < 1) {
    throw new DomainValidationError(
      'invalid_version',
      `version must be a positive integer (the ERP change-feed sequence), got ${change.version}`,
    );
  }
  if (change.changedAt !== null && Number.isNaN(change.changedAt.getTime())) {
    throw new DomainValidationError('invalid_changed_at', 'changed_at is not a valid time');
  }
}

/** A map key for a (SKU, location) position. */
export function positionKey(sku: string, locationId: string): string {
  return `${sku}\u0000${locationId}`;
}
