import { DomainValidationError, describeValue } from '../domain-validation.error.js';
import { assertQuantity, assertSignedQuantity } from '../quantity/quantity.js';

/** On-hand stock of one SKU at one location, as the ERP/WMS reports it (it may be negative). */
export interface StockPosition {
  locationId: string;
  onHandQuantity: number;
}

/**
 * Units of one SKU held for open orders. Without `locationId` the reservation is not yet
 * assigned to a location and is held against every channel's pool, whichever locations it
 * draws from: the conservative reading, since it will be shipped from somewhere.
 */
export interface StockReservation {
  locationId?: string;
  quantity: number;
}

/** How much of the sellable pool a channel may offer. Percent rounds down: never more than the share. */
export type AllocationRule = { kind: 'none' } | { kind: 'percent'; basisPoints: number } | { kind: 'fixed'; quantity: number };

export interface ChannelAvailabilityPolicy {
  /** Units held back from the channel, e.g. for shrinkage or store sales not yet booked. */
  safetyStock: number;
  allocation: AllocationRule;
  /** Upper bound on what the channel shows; absent = no cap. */
  maxQuantity?: number;
  /**
   * Locations whose stock the channel may sell. Explicit by design: an empty list means the
   * channel gets nothing, so a policy that forgot its locations can never oversell.
   */
  eligibleLocationIds: readonly string[];
}

export interface LocationAvailability {
  locationId: string;
  eligible: boolean;
  onHandQuantity: number;
  reservedQuantity: number;
}

export type AvailabilityStepName = 'eligible_on_hand' | 'reserved' | 'safety_stock' | 'pool' | 'allocation' | 'cap';

export interface AvailabilityStep {
  step: AvailabilityStepName;
  /** The quantity this step contributes (inputs) or results in (pool, allocation, cap). */
  quantity: number;
  /** One human-readable line, e.g. `pool = max(0, 12 - 3 - 2) = 7`. */
  detail: string;
}

export interface AvailabilityExplanation {
  /** Every location seen in positions or reservations, in input order (positions first). */
  locations: LocationAvailability[];
  /** Reserved units not assigned to any location. */
  unassignedReservedQuantity: number;
  steps: AvailabilityStep[];
}

export interface AvailabilityResult {
  availableQuantity: number;
  explanation: AvailabilityExplanation;
}

/**
 * What one channel may show for one SKU. Order of steps:
 * 1. sum on-hand over the policy's eligible locations;
 * 2. subtract reservations at those locations and unassigned reservations;
 * 3. subtract safety stock; floor at 0: this is the pool that can be shipped;
 * 4. apply the allocation (percent rounds down, fixed = min(fixed, pool));
 * 5. apply the cap (`maxQuantity`).
 * The result is never negative and never more than the pool. Reserved units beyond one
 * location's stock still reduce the pool: they will be shipped from another location.
 */
export function computeAvailability(
  positions: readonly StockPosition[],
  reservations: readonly StockReservation[],
  policy: ChannelAvailabilityPolicy,
): AvailabilityResult {
  assertPolicy(policy);
  const eligible = new Set(policy.eligibleLocationIds);
  const locations = new Map<string, LocationAvailability>();

  for (const position of positions) {
    assertLocationId(position.locationId, 'position');
    assertSignedQuantity(position.onHandQuantity, `onHandQuantity at ${position.locationId}`);
    if (locations.has(position.locationId)) {
      throw new DomainValidationError('duplicate_location', `two stock positions for location ${position.locationId}`);
    }
    locations.set(position.locationId, {
      locationId: position.locationId,
      eligible: eligible.has(position.locationId),
      onHandQuantity: position.onHandQuantity,
      reservedQuantity: 0,
    });
  }

  let unassignedReservedQuantity = 0;
  for (const reservation of reservations) {
    assertQuantity(reservation.quantity, 'reservation quantity');
    if (reservation.locationId === undefined) {
      unassignedReservedQuantity += reservation.quantity;
      continue;
    }
    assertLocationId(reservation.locationId, 'reservation');
    let location = locations.get(reservation.locationId);
    if (!location) {
      location = {
        locationId: reservation.locationId,
        eligible: eligible.has(reservation.locationId),
        onHandQuantity: 0,
        reservedQuantity: 0,
      };
      locations.set(reservation.locationId, location);
    }
    location.reservedQuantity += reservation.quantity;
  }

  const eligibleLocations = [...locations.values()].filter((location) => location.eligible);
  const ignoredLocations = [...locations.values()].filter((location) => !location.eligible);
  const onHand = eligibleLocations.reduce((sum, location) => sum + location.onHandQuantity, 0);
  const reservedAtLocations = eligibleLocations.reduce((sum, location) => sum + location.reservedQuantity, 0);
  const reserved = reservedAtLocations + unassignedReservedQuantity;
  const pool = Math.max(0, onHand - reserved - policy.safetyStock);
  const allocated = allocate(pool, policy.allocation);
  const capped = policy.maxQuantity === undefined ? allocated : Math.min(allocated, policy.maxQuantity);

  const steps: AvailabilityStep[] = [
    {
      step: 'eligible_on_hand',
      quantity: onHand,
      detail:
        `on hand at eligible locations = ${onHand} (${listLocations(eligibleLocations, 'onHandQuantity')})` +
        (ignoredLocations.length > 0 ? `; ignored, not eligible: ${listLocations(ignoredLocations, 'onHandQuantity')}` : ''),
    },
    {
      step: 'reserved',
      quantity: reserved,
      detail: `reserved = ${reserved} (${listLocations(eligibleLocations, 'reservedQuantity')}; unassigned ${unassignedReservedQuantity})`,
    },
    { step: 'safety_stock', quantity: policy.safetyStock, detail: `safety stock = ${policy.safetyStock}` },
    { step: 'pool', quantity: pool, detail: `pool = max(0, ${onHand} - ${reserved} - ${policy.safetyStock}) = ${pool}` },
    { step: 'allocation', quantity: allocated, detail: describeAllocation(policy.allocation, pool, allocated) },
    {
      step: 'cap',
      quantity: capped,
      detail: policy.maxQuantity === undefined ? `no cap: ${capped}` : `cap = min(${allocated}, ${policy.maxQuantity}) = ${capped}`,
    },
  ];

  return { availableQuantity: capped, explanation: { locations: [...locations.values()], unassignedReservedQuantity, steps } };
}

function allocate(pool: number, rule: AllocationRule): number {
  switch (rule.kind) {
    case 'none':
      return pool;
    case 'percent':
      // BigInt keeps pool × basis points exact beyond 2^53; division truncates, i.e. rounds down.
      return Number((BigInt(pool) * BigInt(rule.basisPoints)) / 10_000n);
    case 'fixed':
      return Math.min(rule.quantity, pool);
  }
}

function describeAllocation(rule: AllocationRule, pool: number, allocated: number): string {
  switch (rule.kind) {
    case 'none':
      return `no allocation rule: ${allocated}`;
    case 'percent':
      return `allocation = floor(${pool} x ${rule.basisPoints / 100}%) = ${allocated}`;
    case 'fixed':
      return `allocation = min(fixed ${rule.quantity}, ${pool}) = ${allocated}`;
  }
}

function listLocations(locations: LocationAvailability[], field: 'onHandQuantity' | 'reservedQuantity'): string {
  return locations.length === 0 ? 'no locations' : locations.map((location) => `${location.locationId}: ${location[field]}`).join(', ');
}

function assertPolicy(policy: ChannelAvailabilityPolicy): void {
  assertQuantity(policy.safetyStock, 'safetyStock');
  if (policy.maxQuantity !== undefined) assertQuantity(policy.maxQuantity, 'maxQuantity');
  for (const locationId of policy.eligibleLocationIds) assertLocationId(locationId, 'eligible location');
  const rule = policy.allocation;
  switch (rule.kind) {
    case 'none':
      return;
    case 'percent':
      assertQuantity(rule.basisPoints, 'allocation basisPoints');
      if (rule.basisPoints > 10_000) {
        throw new DomainValidationError('invalid_policy', `allocation basisPoints must be at most 10000 (100%), got ${rule.basisPoints}`);
      }
      return;
    case 'fixed':
      assertQuantity(rule.quantity, 'allocation quantity');
      return;
    default:
      throw new DomainValidationError('invalid_policy', `unknown allocation kind ${describeValue((rule as { kind: unknown }).kind)}`);
  }
}

function assertLocationId(locationId: unknown, what: string): void {
  if (typeof locationId !== 'string' || locationId === '') {
    throw new DomainValidationError('invalid_location', `${what} has no location id`);
  }
}
