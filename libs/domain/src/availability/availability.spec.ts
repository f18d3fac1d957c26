import { describe, expect, it } from 'vitest';
import { DomainValidationError } from '../domain-validation.error.js';
import { type ChannelAvailabilityPolicy, type StockPosition, type StockReservation, computeAvailability } from './availability.js';

const positions: StockPosition[] = [
  { locationId: 'WH-EAST', onHandQuantity: 60 },
  { locationId: 'WH-WEST', onHandQuantity: 40 },
  { locationId: 'STORE-9', onHandQuantity: 25 },
];

function policy(overrides: Partial<ChannelAvailabilityPolicy> = {}): ChannelAvailabilityPolicy {
  return { safetyStock: 0, allocation: { kind: 'none' }, eligibleLocationIds: ['WH-EAST', 'WH-WEST'], ...overrides };
}

function available(p: ChannelAvailabilityPolicy, reservations: StockReservation[] = [], stock: StockPosition[] = positions): number {
  return computeAvailability(stock, reservations, p).availableQuantity;
}

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
  throw new Error('expected a DomainValidationError');
}

describe('computeAvailability', () => {
  it('sums on-hand over eligible locations only', () => {
    expect(available(policy())).toBe(100);
    expect(available(policy({ eligibleLocationIds: ['WH-EAST'] }))).toBe(60);
    expect(available(policy({ eligibleLocationIds: ['WH-EAST', 'WH-WEST', 'STORE-9'] }))).toBe(125);
  });

  it('gives nothing when no location is eligible (explicit list required)', () => {
    expect(available(policy({ eligibleLocationIds: [] }))).toBe(0);
  });

  it('ignores eligible location ids that have no stock position', () => {
    expect(available(policy({ eligibleLocationIds: ['WH-EAST', 'NOWHERE'] }))).toBe(60);
  });

  it('subtracts safety stock', () => {
    expect(available(policy({ safetyStock: 7 }))).toBe(93);
  });

  it('subtracts reservations at eligible locations and unassigned ones, not those at ineligible locations', () => {
    const reservations = [
      { locationId: 'WH-EAST', quantity: 5 },
      { locationId: 'WH-EAST', quantity: 3 },
      { locationId: 'STORE-9', quantity: 20 },
      { quantity: 2 },
    ];
    expect(available(policy(), reservations)).toBe(100 - 8 - 2);
  });

  it('counts reservations at an eligible location without a stock position', () => {
    expect(available(policy({ eligibleLocationIds: ['WH-EAST', 'WH-NEW'] }), [{ locationId: 'WH-NEW', quantity: 4 }])).toBe(56);
  });

  it('lets reservations beyond one location stock reduce the whole pool', () => {
    expect(available(policy(), [{ locationId: 'WH-WEST', quantity: 55 }])).toBe(45);
  });

  it('never goes negative when reservations and safety stock exceed on-hand', () => {
    expect(available(policy({ safetyStock: 10 }), [{ locationId: 'WH-EAST', quantity: 95 }])).toBe(0);
    expect(available(policy({ safetyStock: 500 }))).toBe(0);
  });

  it('counts a negative on-hand position as reported, lowering the pool', () => {
    const stock = [
      { locationId: 'WH-EAST', onHandQuantity: -4 },
      { locationId: 'WH-WEST', onHandQuantity: 10 },
    ];
    expect(available(policy(), [], stock)).toBe(6);
    expect(available(policy({ eligibleLocationIds: ['WH-EAST'] }), [], stock)).toBe(0);
  });

  describe('percent allocation', () => {
    it('takes the share of the pool after reservations and safety stock', () => {
      expect(available(policy({ safetyStock: 20, allocation: { kind: 'percent', basisPoints: 5_000 } }))).toBe(40);
    });

    it('rounds down, never offering more than the share', () => {
      // 100 x 33.33% = 33.33 -> 33; 7 x 50% = 3.5 -> 3; 1 x 99.99% -> 0.
      expect(available(policy({ allocation: { kind: 'percent', basisPoints: 3_333 } }))).toBe(33);
      expect(available(policy({ safetyStock: 93, allocation: { kind: 'percent', basisPoints: 5_000 } }))).toBe(3);
      expect(available(policy({ safetyStock: 99, allocation: { kind: 'percent', basisPoints: 9_999 } }))).toBe(0);
    });

    it('gives everything at 100% and nothing at 0%', () => {
      expect(available(policy({ allocation: { kind: 'percent', basisPoints: 10_000 } }))).toBe(100);
      expect(available(policy({ allocation: { kind: 'percent', basisPoints: 0 } }))).toBe(0);
    });

    it('stays exact for pools beyond 2^53 / 10000', () => {
      const stock = [{ locationId: 'WH-EAST', onHandQuantity: 2 ** 50 + 1 }];
      const result = available(policy({ allocation: { kind: 'percent', basisPoints: 9_999 } }), [], stock);
      expect(result).toBe(Number(((2n ** 50n + 1n) * 9_999n) / 10_000n));
    });

    it('rejects more than 100% or fractional basis points', () => {
      expect(reasonOf(() => available(policy({ allocation: { kind: 'percent', basisPoints: 10_001 } })))).toBe('invalid_policy');
      expect(reasonOf(() => available(policy({ allocation: { kind: 'percent', basisPoints: 12.5 } })))).toBe('invalid_quantity');
    });
  });

  describe('fixed allocation', () => {
    it('gives the fixed quantity when the pool covers it', () => {
      expect(available(policy({ allocation: { kind: 'fixed', quantity: 30 } }))).toBe(30);
    });

    it('gives no more than the pool', () => {
      expect(available(policy({ safetyStock: 80, allocation: { kind: 'fixed', quantity: 30 } }))).toBe(20);
    });
  });

  describe('cap', () => {
    it('limits what the channel shows', () => {
      expect(available(policy({ maxQuantity: 12 }))).toBe(12);
      expect(available(policy({ maxQuantity: 0 }))).toBe(0);
    });

    it('applies after allocation and never raises the quantity', () => {
      expect(available(policy({ allocation: { kind: 'percent', basisPoints: 2_500 }, maxQuantity: 20 }))).toBe(20);
      expect(available(policy({ allocation: { kind: 'percent', basisPoints: 1_000 }, maxQuantity: 20 }))).toBe(10);
    });
  });

  it('never offers more than the pool, whatever the policy', () => {
    const rules = [
      { kind: 'none' },
      { kind: 'percent', basisPoints: 10_000 },
      { kind: 'percent', basisPoints: 6_667 },
      { kind: 'fixed', quantity: 1_000 },
      { kind: 'fixed', quantity: 0 },
    ] as const;
    for (const allocation of rules) {
      for (const safetyStock of [0, 1, 50, 99, 100, 150]) {
        for (const reserved of [0, 1, 30]) {
          const pool = Math.max(0, 100 - reserved - safetyStock);
          const result = available(policy({ allocation, safetyStock, maxQuantity: 500 }), [{ locationId: 'WH-WEST', quantity: reserved }]);
          expect(result).toBeGreaterThanOrEqual(0);
          expect(result).toBeLessThanOrEqual(pool);
        }
      }
    }
  });

  it('explains every input and every step', () => {
    const result = computeAvailability(
      positions,
      [{ locationId: 'WH-EAST', quantity: 10 }, { locationId: 'STORE-9', quantity: 1 }, { quantity: 2 }],
      policy({ safetyStock: 8, allocation: { kind: 'percent', basisPoints: 5_000 }, maxQuantity: 30 }),
    );
    expect(result.availableQuantity).toBe(30);
    expect(result.explanation.locations).toEqual([
      { locationId: 'WH-EAST', eligible: true, onHandQuantity: 60, reservedQuantity: 10 },
      { locationId: 'WH-WEST', eligible: true, onHandQuantity: 40, reservedQuantity: 0 },
      { locationId: 'STORE-9', eligible: false, onHandQuantity: 25, reservedQuantity: 1 },
    ]);
    expect(result.explanation.unassignedReservedQuantity).toBe(2);
    expect(result.explanation.steps.map(({ step, quantity }) => [step, quantity])).toEqual([
      ['eligible_on_hand', 100],
      ['reserved', 12],
      ['safety_stock', 8],
      ['pool', 80],
      ['allocation', 40],
      ['cap', 30],
    ]);
    const details = result.explanation.steps.map((step) => step.detail);
    expect(details[0]).toContain('WH-EAST: 60, WH-WEST: 40');
    expect(details[0]).toContain('ignored, not eligible: STORE-9: 25');
    expect(details[3]).toBe('pool = max(0, 100 - 12 - 8) = 80');
    expect(details[4]).toBe('allocation = floor(80 x 50%) = 40');
    expect(details[5]).toBe('cap = min(40, 30) = 30');
  });

  it('rejects malformed inputs', () => {
    expect(reasonOf(() => available(policy(), [], [...positions, { locationId: 'WH-EAST', onHandQuantity: 1 }]))).toBe(
      'duplicate_location',
    );
    expect(reasonOf(() => available(policy(), [], [{ locationId: '', onHandQuantity: 1 }]))).toBe('invalid_location');
    expect(reasonOf(() => available(policy(), [], [{ locationId: 'WH-EAST', onHandQuantity: 1.5 }]))).toBe('invalid_quantity');
    expect(reasonOf(() => available(policy(), [{ locationId: 'WH-EAST', quantity: -1 }]))).toBe('invalid_quantity');
    expect(reasonOf(() => available(policy({ safetyStock: -1 })))).toBe('invalid_quantity');
    expect(reasonOf(() => available(policy({ maxQuantity: NaN })))).toBe('invalid_quantity');
    expect(reasonOf(() => available(policy({ allocation: { kind: 'fixed', quantity: -3 } })))).toBe('invalid_quantity');
    expect(reasonOf(() => available(policy({ allocation: { kind: 'bogus' } as never })))).toBe('invalid_policy');
  });
});
