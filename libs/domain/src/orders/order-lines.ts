import { DomainValidationError, describeValue } from '../domain-validation.error.js';

/** Where one order line stands: ordered, shipped and cancelled units. */
export interface LineQuantities {
  lineId: string;
  quantity: number;
  shippedQuantity: number;
  cancelledQuantity: number;
}

/** Units of one order line (shipped by a shipment, cancelled by a cancellation). */
export interface LineQuantity {
  lineId: string;
  quantity: number;
}

/** Units of a line still to ship: neither shipped nor cancelled. */
export function remainingQuantity(line: LineQuantities): number {
  return line.quantity - line.shippedQuantity - line.cancelledQuantity;
}

/** True when every unit of every line is shipped or cancelled. */
export function isFullyResolved(lines: readonly LineQuantities[]): boolean {
  return lines.every((line) => remainingQuantity(line) === 0);
}

/** The units still to ship, per line with any left (what to reserve, or what "cancel all" cancels). */
export function remainingLines(lines: readonly LineQuantities[]): LineQuantity[] {
  return lines.filter((line) => remainingQuantity(line) > 0).map((line) => ({ lineId: line.lineId, quantity: remainingQuantity(line) }));
}

/** Units cancelled over all lines. */
export function cancelledUnits(lines: readonly LineQuantities[]): number {
  return lines.reduce((sum, line) => sum + line.cancelledQuantity, 0);
}

export type LineChangeKind = 'ship' | 'cancel';

/**
 * Ships or cancels `changes` (each line at most once, a positive quantity no larger than what
 * the line has left) and returns the lines after the change. Throws DomainValidationError:
 * `unknown_line`, `duplicate_line`, `invalid_quantity` or `exceeds_remaining`.
 */
export function applyLineChanges(
  lines: readonly LineQuantities[],
  changes: readonly LineQuantity[],
  kind: LineChangeKind,
): LineQuantities[] {
  const byId = new Map(lines.map((line) => [line.lineId, { ...line }]));
  const seen = new Set<string>();
  for (const change of changes) {
    const line = byId.get(change.lineId);
    if (!line) throw new DomainValidationError('unknown_line', `the order has no line ${describeValue(change.lineId)}`);
    if (seen.has(change.lineId)) throw new DomainValidationError('duplicate_line', `line ${describeValue(change.lineId)} appears twice`);
    seen.add(change.lineId);
    if (!Number.isSafeInteger(change.quantity) || change.quantity < 1) {
      throw new DomainValidationError(
        'invalid_quantity',
        `the quantity to ${kind} of line ${describeValue(change.lineId)} must be a positive integer, got ${describeValue(change.quantity)}`,
      );
    }
    const left = remainingQuantity(line);
    if (change.quantity > left) {
      throw new DomainValidationError(
        'exceeds_remaining',
        `cannot ${kind} ${change.quantity} of line ${describeValue(change.lineId)}: ${left} left to ship`,
      );
    }
    if (kind === 'ship') line.shippedQuantity += change.quantity;
    else line.cancelledQuantity += change.quantity;
  }
  return lines.map((line) => byId.get(line.lineId)!);
}
