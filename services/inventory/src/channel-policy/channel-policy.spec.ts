import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import {
  assertChannelPolicyInput,
  isEligibleLocation,
  toAvailabilityPolicy,
  type ChannelPolicy,
  type ChannelPolicyInput,
} from './channel-policy.js';

const input: ChannelPolicyInput = {
  channelAccountId: 'shopify-eu',
  channel: 'shopify',
  safetyStock: 2,
  allocation: { kind: 'percent', basisPoints: 5000 },
  maxQuantity: 100,
  eligibleLocationIds: ['WH-EAST', 'WH-WEST'],
};

function reasonOf(candidate: ChannelPolicyInput): string | undefined {
  try {
    assertChannelPolicyInput(candidate);
    return undefined;
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
}

describe('assertChannelPolicyInput', () => {
  it('accepts a complete policy, and one without allocation, cap or locations', () => {
    expect(reasonOf(input)).toBeUndefined();
    expect(reasonOf({ ...input, allocation: { kind: 'none' }, maxQuantity: undefined, eligibleLocationIds: [] })).toBeUndefined();
  });

  it.each<[string, Partial<ChannelPolicyInput>, string]>([
    ['an empty channel account', { channelAccountId: '' }, 'invalid_channel_account_id'],
    ['an upper-case channel', { channel: 'Shopify' }, 'invalid_channel'],
    ['a negative safety stock', { safetyStock: -1 }, 'invalid_quantity'],
    ['a fractional cap', { maxQuantity: 1.5 }, 'invalid_quantity'],
    ['more than 100 %', { allocation: { kind: 'percent', basisPoints: 10_001 } }, 'invalid_policy'],
    ['a negative fixed allocation', { allocation: { kind: 'fixed', quantity: -3 } }, 'invalid_quantity'],
    ['a blank location', { eligibleLocationIds: [' '] }, 'invalid_location'],
    ['a location listed twice', { eligibleLocationIds: ['A', 'A'] }, 'invalid_location'],
  ])('rejects %s', (_case, change, reason) => {
    expect(reasonOf({ ...input, ...change })).toBe(reason);
  });
});

describe('eligible locations', () => {
  const policy: ChannelPolicy = { ...input, version: 1, updatedAt: new Date(0) };

  it('counts only the listed locations', () => {
    expect(isEligibleLocation(policy, 'WH-EAST')).toBe(true);
    expect(isEligibleLocation(policy, 'STORE-1')).toBe(false);
    expect(toAvailabilityPolicy(policy, ['WH-EAST', 'STORE-1']).eligibleLocationIds).toEqual(['WH-EAST', 'WH-WEST']);
  });

  it('reads an empty list as every location, as the contract says', () => {
    const everywhere = { ...policy, eligibleLocationIds: [] };
    expect(isEligibleLocation(everywhere, 'STORE-1')).toBe(true);
    expect(toAvailabilityPolicy(everywhere, ['WH-EAST', 'STORE-1']).eligibleLocationIds).toEqual(['WH-EAST', 'STORE-1']);
  });
});
