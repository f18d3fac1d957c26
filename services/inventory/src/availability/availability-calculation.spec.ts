import { describe, expect, it } from 'vitest';
import type { ChannelPolicy } from '../channel-policy/channel-policy.js';
import { availabilityFor, NO_RESERVATIONS, publicationVersion } from './availability-calculation.js';

const policy: ChannelPolicy = {
  channelAccountId: 'shopify-eu',
  channel: 'shopify',
  safetyStock: 2,
  allocation: { kind: 'percent', basisPoints: 5000 },
  maxQuantity: undefined,
  eligibleLocationIds: ['WH-EAST', 'WH-WEST'],
  version: 3,
  updatedAt: new Date(0),
};

describe('availabilityFor', () => {
  it('sums eligible locations, subtracts safety stock and applies the allocation', () => {
    const positions = [
      { locationId: 'WH-EAST', onHand: 10 },
      { locationId: 'WH-WEST', onHand: 5 },
      { locationId: 'STORE-1', onHand: 100 },
    ];
    // floor((10 + 5 - 2) x 50 %) = 6; the store is not eligible.
    expect(availabilityFor(policy, positions, NO_RESERVATIONS).availableQuantity).toBe(6);
  });

  it('counts every location when the policy lists none', () => {
    const positions = [
      { locationId: 'WH-EAST', onHand: 10 },
      { locationId: 'STORE-1', onHand: 4 },
    ];
    expect(
      availabilityFor({ ...policy, eligibleLocationIds: [], allocation: { kind: 'none' } }, positions, NO_RESERVATIONS).availableQuantity,
    ).toBe(12);
  });

  it('lets a negative on-hand reduce the pool and never goes below zero', () => {
    const positions = [
      { locationId: 'WH-EAST', onHand: -4 },
      { locationId: 'WH-WEST', onHand: 3 },
    ];
    expect(availabilityFor(policy, positions, NO_RESERVATIONS).availableQuantity).toBe(0);
  });

  it('subtracts reservations when they are given', () => {
    const positions = [{ locationId: 'WH-EAST', onHand: 10 }];
    expect(
      availabilityFor({ ...policy, allocation: { kind: 'none' } }, positions, [{ locationId: 'WH-EAST', quantity: 3 }]).availableQuantity,
    ).toBe(5);
  });
});

describe('publicationVersion', () => {
  it('publishes the first computation of a key as version 1, even a zero', () => {
    expect(publicationVersion(undefined, 0, false)).toBe(1);
  });

  it('publishes a changed quantity with the next version', () => {
    expect(publicationVersion({ availableQuantity: 5, version: 4 }, 6, false)).toBe(5);
  });

  it('skips an unchanged quantity unless forced (repair)', () => {
    expect(publicationVersion({ availableQuantity: 5, version: 4 }, 5, false)).toBeUndefined();
    expect(publicationVersion({ availableQuantity: 5, version: 4 }, 5, true)).toBe(5);
  });
});
