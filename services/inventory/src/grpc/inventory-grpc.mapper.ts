import { fromTimestamp, inventoryV1, toTimestamp } from '@retail-mesh/contracts';
import type { AllocationRule } from '@retail-mesh/domain';
import { InvalidArgumentError } from '@retail-mesh/service-kit';
import type { PublishedAvailabilityEntity } from '../availability/published-availability.entity.js';
import type { ChannelPolicy, ChannelPolicyInput } from '../channel-policy/channel-policy.js';
import type { ConsumeRequest, LineOperationRequest, ReserveRequest } from '../reservations/reservation-request.js';
import type { ReservationKey } from '../reservations/reservation.service.js';
import type { LineQuantity, Reservation, ReservationStatus, Shortage } from '../reservations/reservation.js';
import type { StockChange } from '../stock/stock-change.js';
import type { StockPositionEntity } from '../stock/stock-position.entity.js';

// Between the contract's messages and the service's own types. Range and format checks are the
// domain's (assertChannelPolicyInput, assertStockChange); only the message shape is checked here.

export function toChannelPolicyInput(message: inventoryV1.ChannelPolicy | null | undefined): ChannelPolicyInput {
  if (!message) throw new InvalidArgumentError('missing_policy', 'policy is required');
  return {
    channelAccountId: message.channelAccountId,
    channel: message.channel,
    safetyStock: message.safetyStock,
    allocation: toAllocationRule(message),
    maxQuantity: message.maxQuantity ?? undefined,
    eligibleLocationIds: message.eligibleLocationIds,
  };
}

function toAllocationRule(message: inventoryV1.ChannelPolicy): AllocationRule {
  const basisPoints = message.allocationBasisPoints ?? undefined;
  const fixed = message.allocationFixedQuantity ?? undefined;
  if (basisPoints !== undefined && fixed !== undefined) {
    throw new InvalidArgumentError('invalid_policy', 'set allocation_basis_points or allocation_fixed_quantity, not both');
  }
  if (basisPoints !== undefined) return { kind: 'percent', basisPoints };
  if (fixed !== undefined) return { kind: 'fixed', quantity: fixed };
  return { kind: 'none' };
}

export function toChannelPolicyMessage(policy: ChannelPolicy): inventoryV1.ChannelPolicy {
  return {
    channelAccountId: policy.channelAccountId,
    channel: policy.channel,
    safetyStock: policy.safetyStock,
    allocationBasisPoints: policy.allocation.kind === 'percent' ? policy.allocation.basisPoints : undefined,
    allocationFixedQuantity: policy.allocation.kind === 'fixed' ? policy.allocation.quantity : undefined,
    maxQuantity: policy.maxQuantity,
    eligibleLocationIds: policy.eligibleLocationIds,
    version: policy.version,
    updatedAt: toTimestamp(policy.updatedAt),
  };
}

export function toStockChange(request: inventoryV1.SetStockPositionRequest): StockChange {
  return {
    sku: request.sku,
    locationId: request.locationId,
    onHand: request.onHand,
    version: request.version,
    changedAt: request.changedAt ? fromTimestamp(request.changedAt) : null,
  };
}

/** `reserved`: the units active reservations hold at the position. */
export function toStockPositionMessage(position: StockPositionEntity, reserved: number): inventoryV1.StockPosition {
  return {
    sku: position.sku,
    locationId: position.locationId,
    onHand: position.onHand,
    reserved,
    version: position.erpVersion,
    updatedAt: toTimestamp(position.updatedAt),
  };
}

/** A published availability, without explanation (ListAvailability). */
export function toAvailabilityMessage(row: PublishedAvailabilityEntity): inventoryV1.Availability {
  return {
    channelAccountId: row.channelAccountId,
    channel: row.channel,
    sku: row.sku,
    availableQuantity: row.availableQuantity,
    version: row.version,
    computedAt: toTimestamp(row.computedAt),
    explanation: undefined,
  };
}

export function toReserveRequest(request: inventoryV1.ReserveStockRequest): ReserveRequest {
  return {
    idempotencyKey: request.idempotencyKey,
    orderId: request.orderId,
    channelAccountId: request.channelAccountId,
    channel: request.channel,
    lines: request.lines.map((line) => ({ lineId: line.lineId, sku: line.sku, quantity: line.quantity })),
    requestedLocationId: request.requestedLocationId === '' ? null : request.requestedLocationId,
  };
}

/** ReleaseReservation (operation id = release_id) or ConsumeReservation (shipment_id); an empty id is none. */
export function toLineOperationRequest(
  request: { reservationId: string; lines: inventoryV1.ReservationLineQuantity[] },
  operationId: string,
  reason: string,
): LineOperationRequest {
  return {
    reservationId: request.reservationId,
    lines: request.lines.map((line): LineQuantity => ({ lineId: line.lineId, quantity: line.quantity })),
    operationId: operationId === '' ? null : operationId,
    reason,
  };
}

/** ConsumeReservation: the shipment's ERP version travels with it (0 = unknown; checked by the domain). */
export function toConsumeRequest(request: inventoryV1.ConsumeReservationRequest): ConsumeRequest {
  return { ...toLineOperationRequest(request, request.shipmentId, ''), erpVersion: request.erpVersion };
}

export function toReservationKey(request: inventoryV1.GetReservationRequest): ReservationKey {
  // oneof key: an unset member is absent (or null), a member set to "" is present.
  if (request.reservationId !== undefined && request.reservationId !== null) return { reservationId: request.reservationId };
  if (request.orderId !== undefined && request.orderId !== null) return { orderId: request.orderId };
  throw new InvalidArgumentError('missing_key', 'reservation_id or order_id is required');
}

const RESERVATION_STATUSES: Record<ReservationStatus, inventoryV1.ReservationStatus> = {
  active: inventoryV1.ReservationStatus.RESERVATION_STATUS_ACTIVE,
  released: inventoryV1.ReservationStatus.RESERVATION_STATUS_RELEASED,
  consumed: inventoryV1.ReservationStatus.RESERVATION_STATUS_CONSUMED,
  rejected: inventoryV1.ReservationStatus.RESERVATION_STATUS_REJECTED,
};

export function toReservationMessage(reservation: Reservation): inventoryV1.Reservation {
  return {
    reservationId: reservation.reservationId,
    orderId: reservation.orderId,
    channelAccountId: reservation.channelAccountId,
    channel: reservation.channel,
    status: RESERVATION_STATUSES[reservation.status],
    lines: reservation.lines.map((line) => ({
      lineId: line.lineId,
      sku: line.sku,
      locationId: line.locationId,
      quantity: line.quantity,
      releasedQuantity: line.releasedQuantity,
      consumedQuantity: line.consumedQuantity,
    })),
    version: reservation.version,
    createdAt: toTimestamp(reservation.createdAt),
    updatedAt: toTimestamp(reservation.updatedAt),
  };
}

export function toShortageMessage(shortage: Shortage): inventoryV1.ReservationShortage {
  return {
    lineId: shortage.lineId,
    sku: shortage.sku,
    requestedQuantity: shortage.requestedQuantity,
    reservableQuantity: shortage.reservableQuantity,
  };
}
