import type { SkuLocationQuantity } from './reservation-allocation.js';

// A reservation as the inventory service keeps it, and the arithmetic of giving units back
// (release) or shipping them (consume). Pure: the repository and the gRPC mapper convert at the edges.

export type ReservationStatus = 'active' | 'released' | 'consumed' | 'rejected';

/** Units of an order line asked for. */
export interface RequestedLine {
  lineId: string;
  sku: string;
  quantity: number;
}

/** Units of an order line held at one location; a line split across locations has one per location. */
export interface ReservedLine {
  lineId: string;
  sku: string;
  locationId: string;
  quantity: number;
  releasedQuantity: number;
  consumedQuantity: number;
}

/** A line that could not be reserved in full. */
export interface Shortage {
  lineId: string;
  sku: string;
  requestedQuantity: number;
  reservableQuantity: number;
}

export interface Reservation {
  reservationId: string;
  idempotencyKey: string;
  orderId: string;
  channelAccountId: string;
  channel: string;
  /** The request as received: a repeat must match it, and a retry of a rejection evaluates it again. */
  requestedLines: RequestedLine[];
  requestedLocationId: string | null;
  status: ReservationStatus;
  /** Empty while rejected. */
  lines: ReservedLine[];
  /** Why it was rejected; empty otherwise. */
  shortages: Shortage[];
  /** Incremented by every change, from 1. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Units of an order line to release or consume. */
export interface LineQuantity {
  lineId: string;
  quantity: number;
}

export type LineOperation = 'release' | 'consume';

/** Units still held by a line: they count against every channel's availability. */
export function heldQuantity(line: ReservedLine): number {
  return line.quantity - line.releasedQuantity - line.consumedQuantity;
}

/** Active while a unit is held; once nothing is, consumed if any unit shipped, else released. */
export function statusOfLines(lines: readonly ReservedLine[]): ReservationStatus {
  if (lines.some((line) => heldQuantity(line) > 0)) return 'active';
  return lines.some((line) => line.consumedQuantity > 0) ? 'consumed' : 'released';
}

export type LineChange =
  { ok: true; lines: ReservedLine[]; changedSkus: string[] } | { ok: false; reason: 'unknown_line' | 'exceeds_held'; message: string };

/**
 * Releases or consumes units. `requested` empty = every unit still held; otherwise per order
 * line, taken from the line's locations in location order. Asking for more than a line holds
 * changes nothing and says so (`exceeds_held`): quantities never go negative nor beyond what was
 * reserved. `changedSkus` lists the SKUs whose held units changed (their availability must be
 * recomputed); empty when nothing changed.
 */
export function applyLineQuantities(
  reservation: Pick<Reservation, 'requestedLines' | 'lines'>,
  operation: LineOperation,
  requested: readonly LineQuantity[],
): LineChange {
  const lines = reservation.lines.map((line) => ({ ...line }));
  const wanted = new Map<string, number>();
  if (requested.length === 0) {
    for (const line of lines) wanted.set(line.lineId, (wanted.get(line.lineId) ?? 0) + heldQuantity(line));
  } else {
    const known = new Set(reservation.requestedLines.map((line) => line.lineId));
    for (const { lineId, quantity } of requested) {
      if (!known.has(lineId))
        return { ok: false, reason: 'unknown_line', message: `the reservation has no line ${JSON.stringify(lineId)}` };
      const held = lines.filter((line) => line.lineId === lineId).reduce((sum, line) => sum + heldQuantity(line), 0);
      if (quantity > held) {
        return {
          ok: false,
          reason: 'exceeds_held',
          message: `cannot ${operation} ${quantity} of line ${JSON.stringify(lineId)}: it holds ${held}`,
        };
      }
      wanted.set(lineId, quantity);
    }
  }

  const changedSkus = new Set<string>();
  const byLocation = [...lines].sort((a, b) => compareText(a.lineId, b.lineId) || compareText(a.locationId, b.locationId));
  for (const line of byLocation) {
    const left = wanted.get(line.lineId) ?? 0;
    const taken = Math.min(left, heldQuantity(line));
    if (taken === 0) continue;
    if (operation === 'release') line.releasedQuantity += taken;
    else line.consumedQuantity += taken;
    wanted.set(line.lineId, left - taken);
    changedSkus.add(line.sku);
  }
  return { ok: true, lines, changedSkus: [...changedSkus].sort(compareText) };
}

/**
 * Units shipped per SKU x location between `before` and `after` (the lines of one reservation
 * before and after a consumption), in (SKU, location) order; only where some shipped.
 */
export function consumedUnits(before: readonly ReservedLine[], after: readonly ReservedLine[]): SkuLocationQuantity[] {
  const consumedBefore = new Map(before.map((line) => [`${line.lineId}\u0000${line.locationId}`, line.consumedQuantity]));
  const units = new Map<string, SkuLocationQuantity>();
  for (const line of after) {
    const shipped = line.consumedQuantity - (consumedBefore.get(`${line.lineId}\u0000${line.locationId}`) ?? 0);
    if (shipped <= 0) continue;
    const key = `${line.sku}\u0000${line.locationId}`;
    const known = units.get(key);
    if (known === undefined) units.set(key, { sku: line.sku, locationId: line.locationId, quantity: shipped });
    else known.quantity += shipped;
  }
  return [...units.values()].sort((a, b) => compareText(a.sku, b.sku) || compareText(a.locationId, b.locationId));
}

/**
 * The ERP version units shipped at a position are recorded at: they count against availability
 * while the position's version is not above it (ADR 0005). With the shipment's feed version
 * (`shipmentVersion` > 0) that is exact whichever arrives first, since the ERP's stock change that
 * lowers on hand for the shipment comes later in its feed. Unknown (0): the position's current
 * version, so the units count until its next stock change. Undefined when the position is already
 * at a version above the shipment's: on hand reflects the shipment, nothing is left to count.
 */
export function consumedStockVersion(positionVersion: number, shipmentVersion: number): number | undefined {
  if (shipmentVersion === 0) return positionVersion;
  return positionVersion > shipmentVersion ? undefined : shipmentVersion;
}

/** Code-point order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
