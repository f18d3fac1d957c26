import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { unitsShippedByChannel, type ChannelOrderLineRef } from './channel-lines.js';

const lines: ChannelOrderLineRef[] = [
  { lineId: 'L1', channelLineId: 'ITEM-1', shippedQuantity: 1 },
  { lineId: 'L2', channelLineId: 'ITEM-2', shippedQuantity: 0 },
];

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
  throw new Error('expected a DomainValidationError');
}

describe('unitsShippedByChannel', () => {
  it('adds what each line lacks of the units the channel shows shipped in all', () => {
    expect(
      unitsShippedByChannel(lines, [
        { channelLineId: 'ITEM-1', quantity: 3 },
        { channelLineId: 'ITEM-2', quantity: 2 },
      ]),
    ).toEqual([
      { lineId: 'L1', quantity: 2 },
      { lineId: 'L2', quantity: 2 },
    ]);
  });

  it('adds nothing for a report the order already shows, or one behind it', () => {
    expect(
      unitsShippedByChannel(lines, [
        { channelLineId: 'ITEM-1', quantity: 1 },
        { channelLineId: 'ITEM-2', quantity: 0 },
      ]),
    ).toEqual([]);
    expect(unitsShippedByChannel([{ ...lines[0]!, shippedQuantity: 3 }], [{ channelLineId: 'ITEM-1', quantity: 2 }])).toEqual([]);
  });

  it('refuses unknown and repeated channel lines and invalid quantities', () => {
    expect(reasonOf(() => unitsShippedByChannel(lines, [{ channelLineId: 'ITEM-9', quantity: 1 }]))).toBe('unknown_line');
    expect(reasonOf(() => unitsShippedByChannel(lines, [{ channelLineId: '', quantity: 1 }]))).toBe('unknown_line');
    expect(
      reasonOf(() =>
        unitsShippedByChannel(lines, [
          { channelLineId: 'ITEM-2', quantity: 1 },
          { channelLineId: 'ITEM-2', quantity: 1 },
        ]),
      ),
    ).toBe('duplicate_line');
    expect(reasonOf(() => unitsShippedByChannel(lines, [{ channelLineId: 'ITEM-2', quantity: -1 }]))).toBe('invalid_quantity');
    expect(reasonOf(() => unitsShippedByChannel(lines, [{ channelLineId: 'ITEM-2', quantity: 1.5 }]))).toBe('invalid_quantity');
  });
});
