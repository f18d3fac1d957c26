import { isEligibleLocation, type ChannelPolicy } from '../channel-policy/channel-policy.js';
import { compareText, type RequestedLine, type Shortage } from './reservation.js';

// Where an order's units are reserved. Pure: the service reads (and locks) the stock positions
// and the units already held, and writes what this decides.

export interface PositionOnHand {
  sku: string;
  locationId: string;
  onHand: number;
}

/** Units of a SKU at a location held by active reservations, or reservable there. */
export interface SkuLocationQuantity {
  sku: string;
  locationId: string;
  quantity: number;
}

/** Units of an order line to hold at one location. */
export interface AllocatedLine {
  lineId: string;
  sku: string;
  locationId: string;
  quantity: number;
}

export type Allocation = { ok: true; lines: AllocatedLine[] } | { ok: false; shortages: Shortage[] };

/**
 * What an order on a channel account can reserve per SKU x location: on hand minus the units
 * active reservations hold there, at the locations the account's policy makes eligible, or only
 * at `requestedLocationId` when it is set (nothing when that location is not eligible). Safety
 * stock, allocation and cap are not applied: they shape what a channel shows, and an order the
 * channel accepted is served from physical stock (ADR 0005). May be zero or negative.
 */
export function reservableQuantities(
  policy: Pick<ChannelPolicy, 'eligibleLocationIds'>,
  positions: readonly PositionOnHand[],
  held: readonly SkuLocationQuantity[],
  requestedLocationId: string | null,
): SkuLocationQuantity[] {
  if (requestedLocationId !== null && !isEligibleLocation(policy, requestedLocationId)) return [];
  const heldAt = new Map(held.map((entry) => [keyOf(entry.sku, entry.locationId), entry.quantity]));
  return positions
    .filter((position) => isEligibleLocation(policy, position.locationId))
    .filter((position) => requestedLocationId === null || position.locationId === requestedLocationId)
    .map((position) => ({
      sku: position.sku,
      locationId: position.locationId,
      quantity: position.onHand - (heldAt.get(keyOf(position.sku, position.locationId)) ?? 0),
    }));
}

/**
 * All lines or nothing. Lines are served in request order, each from the location with the most
 * reservable units when that location can cover it alone (one shipment per line); otherwise split
 * over the locations from the most reservable down, which uses the fewest locations. Ties go to
 * the lower location id, so the same stock always gives the same answer. A line that cannot be
 * covered takes nothing and reports what was left for it after the lines before it; any such line
 * rejects the whole request.
 */
export function allocateLines(requested: readonly RequestedLine[], reservable: readonly SkuLocationQuantity[]): Allocation {
  const left = new Map<string, Map<string, number>>();
  for (const entry of reservable) {
    if (entry.quantity <= 0) continue;
    const locations = left.get(entry.sku) ?? new Map<string, number>();
    locations.set(entry.locationId, (locations.get(entry.locationId) ?? 0) + entry.quantity);
    left.set(entry.sku, locations);
  }

  const lines: AllocatedLine[] = [];
  const shortages: Shortage[] = [];
  for (const line of requested) {
    const locations = left.get(line.sku) ?? new Map<string, number>();
    const ranked = [...locations]
      .filter(([, quantity]) => quantity > 0)
      .sort(([locationA, quantityA], [locationB, quantityB]) => quantityB - quantityA || compareText(locationA, locationB));
    const total = ranked.reduce((sum, [, quantity]) => sum + quantity, 0);
    if (total < line.quantity) {
      shortages.push({ lineId: line.lineId, sku: line.sku, requestedQuantity: line.quantity, reservableQuantity: total });
      continue;
    }
    let missing = line.quantity;
    for (const [locationId, quantity] of ranked) {
      if (missing === 0) break;
      const taken = Math.min(quantity, missing);
      lines.push({ lineId: line.lineId, sku: line.sku, locationId, quantity: taken });
      locations.set(locationId, quantity - taken);
      missing -= taken;
    }
  }
  return shortages.length > 0 ? { ok: false, shortages } : { ok: true, lines };
}

function keyOf(sku: string, locationId: string): string {
  return `${sku}\u0000${locationId}`;
}
