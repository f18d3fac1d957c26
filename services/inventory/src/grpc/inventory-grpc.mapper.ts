import { fromTimestamp, toTimestamp, type inventoryV1 } from '@retail-mesh/contracts';
import type { AllocationRule } from '@retail-mesh/domain';
import { InvalidArgumentError } from '@retail-mesh/service-kit';
import type { PublishedAvailabilityEntity } from '../availability/published-availability.entity.js';
import type { ChannelPolicy, ChannelPolicyInput } from '../channel-policy/channel-policy.js';
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

export function toStockPositionMessage(position: StockPositionEntity): inventoryV1.StockPosition {
  return {
    sku: position.sku,
    locationId: position.locationId,
    onHand: position.onHand,
    // Reservations arrive with order intake (issue 3).
    reserved: 0,
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
