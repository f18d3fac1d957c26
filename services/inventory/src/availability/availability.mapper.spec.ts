import { describe, expect, it } from 'vitest';
import type { ChannelPolicy } from '../channel-policy/channel-policy.js';
import { availabilityFor, NO_RESERVATIONS } from './availability-calculation.js';
import { toExplanationMessage } from './availability.mapper.js';

const policy: ChannelPolicy = {
  channelAccountId: 'amazon-us',
  channel: 'amazon',
  safetyStock: 3,
  allocation: { kind: 'fixed', quantity: 20 },
  maxQuantity: 8,
  eligibleLocationIds: ['WH-EAST', 'WH-WEST'],
  version: 7,
  updatedAt: new Date(0),
};

describe('toExplanationMessage', () => {
  it('explains every step of the number, per eligible location', () => {
    const positions = [
      { locationId: 'WH-EAST', onHand: 12 },
      { locationId: 'WH-WEST', onHand: 6 },
      { locationId: 'STORE-1', onHand: 50 },
    ];
    const result = availabilityFor(policy, positions, NO_RESERVATIONS);
    expect(result.availableQuantity).toBe(8);
    expect(toExplanationMessage(result, policy)).toEqual({
      locations: [
        { locationId: 'WH-EAST', onHand: 12, reserved: 0 },
        { locationId: 'WH-WEST', onHand: 6, reserved: 0 },
      ],
      onHand: 18,
      reserved: 0,
      safetyStock: 3,
      sellable: 15,
      allocationBasisPoints: undefined,
      allocationFixedQuantity: 20,
      allocated: 15,
      maxQuantity: 8,
      capped: true,
      policyVersion: 7,
    });
  });

  it('says when the cap did not lower the result and reports a percent allocation', () => {
    const percent: ChannelPolicy = { ...policy, allocation: { kind: 'percent', basisPoints: 2500 }, maxQuantity: undefined };
    const result = availabilityFor(percent, [{ locationId: 'WH-EAST', onHand: 11 }], NO_RESERVATIONS);
    expect(toExplanationMessage(result, percent)).toMatchObject({
      sellable: 8,
      allocationBasisPoints: 2500,
      allocated: 2,
      capped: false,
      maxQuantity: undefined,
    });
  });
});
