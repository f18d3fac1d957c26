import { CHANNEL_SLUG_PATTERN } from '@retail-mesh/contracts';
import { assertQuantity, DomainValidationError, type AllocationRule, type ChannelAvailabilityPolicy } from '@retail-mesh/domain';

// A channel account's availability policy as the inventory service keeps it, and the rules an
// upsert must pass. Pure: the gRPC controller and the repository convert at their edges.

export interface ChannelPolicy {
  channelAccountId: string;
  /** Channel type slug, e.g. `shopify`: the routing key suffix of its availability events. */
  channel: string;
  safetyStock: number;
  allocation: AllocationRule;
  maxQuantity?: number;
  /** Empty = every location (the contract's reading, see README). */
  eligibleLocationIds: string[];
  /** Incremented by every upsert, from 1. */
  version: number;
  updatedAt: Date;
}

export type ChannelPolicyInput = Omit<ChannelPolicy, 'version' | 'updatedAt'>;

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,63}$/;
const MAX_LOCATION_ID_LENGTH = 64;
const MAX_CHANNEL_LENGTH = 32;

/** Throws DomainValidationError (mapped to INVALID_ARGUMENT) naming the first rule the input breaks. */
export function assertChannelPolicyInput(input: ChannelPolicyInput): void {
  if (!ID_PATTERN.test(input.channelAccountId)) {
    throw new DomainValidationError(
      'invalid_channel_account_id',
      `channel_account_id ${JSON.stringify(input.channelAccountId)} must be 1-64 letters, digits or ._:-/`,
    );
  }
  if (!CHANNEL_SLUG_PATTERN.test(input.channel) || input.channel.length > MAX_CHANNEL_LENGTH) {
    throw new DomainValidationError(
      'invalid_channel',
      `channel ${JSON.stringify(input.channel)} must be a lower-case slug such as "shopify"`,
    );
  }
  assertQuantity(input.safetyStock, 'safety_stock');
  if (input.maxQuantity !== undefined) assertQuantity(input.maxQuantity, 'max_quantity');
  const allocation = input.allocation;
  if (allocation.kind === 'percent') {
    assertQuantity(allocation.basisPoints, 'allocation_basis_points');
    if (allocation.basisPoints > 10_000) {
      throw new DomainValidationError(
        'invalid_policy',
        `allocation_basis_points must be at most 10000 (100%), got ${allocation.basisPoints}`,
      );
    }
  }
  if (allocation.kind === 'fixed') assertQuantity(allocation.quantity, 'allocation_fixed_quantity');
  const seen = new Set<string>();
  for (const locationId of input.eligibleLocationIds) {
    if (locationId.trim() === '' || locationId.length > MAX_LOCATION_ID_LENGTH) {
      throw new DomainValidationError(
        'invalid_location',
        `eligible location ${JSON.stringify(locationId)} must be 1-${MAX_LOCATION_ID_LENGTH} characters`,
      );
    }
    if (seen.has(locationId))
      throw new DomainValidationError('invalid_location', `eligible location ${JSON.stringify(locationId)} is listed twice`);
    seen.add(locationId);
  }
}

/** True when stock at `locationId` counts for the policy. */
export function isEligibleLocation(policy: Pick<ChannelPolicy, 'eligibleLocationIds'>, locationId: string): boolean {
  return policy.eligibleLocationIds.length === 0 || policy.eligibleLocationIds.includes(locationId);
}

/**
 * The policy as libs/domain computes with it. The domain treats an empty location list as "sells
 * nothing"; the contract says "every location", so the empty list is expanded here to the
 * locations that hold the SKU.
 */
export function toAvailabilityPolicy(policy: ChannelPolicy, knownLocationIds: readonly string[]): ChannelAvailabilityPolicy {
  return {
    safetyStock: policy.safetyStock,
    allocation: policy.allocation,
    maxQuantity: policy.maxQuantity,
    eligibleLocationIds: policy.eligibleLocationIds.length === 0 ? [...knownLocationIds] : policy.eligibleLocationIds,
  };
}
