import { CHANNEL_SLUG_PATTERN } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import type { LineOperation, LineQuantity, RequestedLine, Reservation } from './reservation.js';

// The requests the reservation RPCs accept, and the rules they must pass before anything is read
// or written. Pure; DomainValidationError is answered with INVALID_ARGUMENT.

export interface ReserveRequest {
  idempotencyKey: string;
  orderId: string;
  channelAccountId: string;
  /** Channel type slug; empty = the channel account's. */
  channel: string;
  lines: RequestedLine[];
  /** Reserve only here (ship-from-store); null = any eligible location. */
  requestedLocationId: string | null;
}

export interface LineOperationRequest {
  reservationId: string;
  /** Empty = every unit still held. */
  lines: LineQuantity[];
  /** release_id or shipment_id: a repeat with the same id is a no-op. Null when not given. */
  operationId: string | null;
  /** Why (release); empty when not given. */
  reason: string;
}

/** A ConsumeReservation request. */
export interface ConsumeRequest extends LineOperationRequest {
  /** The shipment's ERP change-feed sequence (erp.shipment_created.version); 0 = unknown. */
  erpVersion: number;
}

const MAX_KEY_LENGTH = 64;
const MAX_IDEMPOTENCY_KEY_LENGTH = 128;
const MAX_REASON_LENGTH = 500;
/** More lines than any order has; bounds the work of one transaction. */
export const MAX_RESERVATION_LINES = 1000;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertReserveRequest(request: ReserveRequest): void {
  assertText(request.idempotencyKey, 'idempotency_key', MAX_IDEMPOTENCY_KEY_LENGTH);
  assertText(request.orderId, 'order_id', MAX_KEY_LENGTH);
  assertText(request.channelAccountId, 'channel_account_id', MAX_KEY_LENGTH);
  if (request.channel !== '' && !CHANNEL_SLUG_PATTERN.test(request.channel)) {
    throw new DomainValidationError(
      'invalid_channel',
      `channel ${JSON.stringify(request.channel)} must be a lower-case slug such as "shopify"`,
    );
  }
  if (request.requestedLocationId !== null) assertText(request.requestedLocationId, 'requested_location_id', MAX_KEY_LENGTH);
  assertLineCount(request.lines.length, false);
  const seen = new Set<string>();
  for (const line of request.lines) {
    assertLineId(line.lineId, seen);
    assertText(line.sku, 'sku', MAX_KEY_LENGTH);
    assertPositive(line.quantity, `quantity of line ${JSON.stringify(line.lineId)}`);
  }
}

/** A ReleaseReservation (`release`) or ConsumeReservation (`consume`) request. */
export function assertLineOperationRequest(request: LineOperationRequest, operation: LineOperation): void {
  assertReservationId(request.reservationId);
  const idField = operation === 'release' ? 'release_id' : 'shipment_id';
  // A shipment always says which one it is; a partial release repeated without an id would release twice.
  if (request.operationId === null && (operation === 'consume' || request.lines.length > 0)) {
    throw new DomainValidationError(
      `missing_${idField}`,
      operation === 'consume' ? 'shipment_id is required' : 'release_id is required when releasing part of a reservation',
    );
  }
  if (request.operationId !== null) assertText(request.operationId, idField, MAX_IDEMPOTENCY_KEY_LENGTH);
  if (request.reason.length > MAX_REASON_LENGTH) {
    throw new DomainValidationError('invalid_reason', `reason must be at most ${MAX_REASON_LENGTH} characters`);
  }
  assertLineCount(request.lines.length, true);
  const seen = new Set<string>();
  for (const line of request.lines) {
    assertLineId(line.lineId, seen);
    assertPositive(line.quantity, `quantity of line ${JSON.stringify(line.lineId)}`);
  }
}

export function assertConsumeRequest(request: ConsumeRequest): void {
  assertLineOperationRequest(request, 'consume');
  if (!Number.isSafeInteger(request.erpVersion) || request.erpVersion < 0) {
    throw new DomainValidationError(
      'invalid_erp_version',
      `erp_version must be the shipment's ERP feed sequence or 0 (unknown), got ${request.erpVersion}`,
    );
  }
}

/** Reservation ids are UUIDs (checked before a query: PostgreSQL rejects anything else in a uuid column). */
export function assertReservationId(reservationId: string): void {
  if (!UUID_PATTERN.test(reservationId)) {
    throw new DomainValidationError('invalid_reservation_id', `reservation_id ${JSON.stringify(reservationId)} is not a UUID`);
  }
}

/**
 * How a repeat of an idempotency key relates to the reservation the key created: `same` (a plain
 * repeat), `other_lines` (the same order, channel account and location, other lines: units of the
 * order were cancelled or an operator edited it) or `different` (the key reused for something else).
 */
export type RepeatedRequest = 'same' | 'other_lines' | 'different';

export function compareRepeatedRequest(reservation: Reservation, request: ReserveRequest, channel: string): RepeatedRequest {
  const sameOrder =
    reservation.orderId === request.orderId &&
    reservation.channelAccountId === request.channelAccountId &&
    reservation.channel === channel &&
    reservation.requestedLocationId === request.requestedLocationId;
  if (!sameOrder) return 'different';
  return sameLines(reservation.requestedLines, request.lines) ? 'same' : 'other_lines';
}

/** True when two line-quantity lists ask for the same units (order does not matter). */
export function sameLineQuantities(a: readonly LineQuantity[], b: readonly LineQuantity[]): boolean {
  const quantities = new Map(a.map((line) => [line.lineId, line.quantity]));
  return a.length === b.length && b.every((line) => quantities.get(line.lineId) === line.quantity);
}

function sameLines(a: readonly RequestedLine[], b: readonly RequestedLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, index) => line.lineId === b[index]?.lineId && line.sku === b[index]?.sku && line.quantity === b[index]?.quantity)
  );
}

function assertText(value: string, field: string, maxLength: number): void {
  if (value.trim() === '' || value.length > maxLength) {
    throw new DomainValidationError(`invalid_${field}`, `${field} ${JSON.stringify(value)} must be 1-${maxLength} characters`);
  }
}

function assertLineId(lineId: string, seen: Set<string>): void {
  assertText(lineId, 'line_id', MAX_KEY_LENGTH);
  if (seen.has(lineId)) throw new DomainValidationError('duplicate_line', `line ${JSON.stringify(lineId)} appears twice`);
  seen.add(lineId);
}

function assertLineCount(count: number, emptyAllowed: boolean): void {
  if (count === 0 && !emptyAllowed) throw new DomainValidationError('missing_lines', 'a reservation needs at least one line');
  if (count > MAX_RESERVATION_LINES) {
    throw new DomainValidationError('too_many_lines', `at most ${MAX_RESERVATION_LINES} lines, got ${count}`);
  }
}

function assertPositive(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DomainValidationError('invalid_quantity', `${field} must be a positive integer, got ${value}`);
  }
}
