import { describe, expect, it } from 'vitest';
import { allocateLines, reservableQuantities, type SkuLocationQuantity } from './reservation-allocation.js';

const positions = [
  { sku: 'SKU-1', locationId: 'WH-EAST', onHand: 10 },
  { sku: 'SKU-1', locationId: 'WH-WEST', onHand: 6 },
  { sku: 'SKU-1', locationId: 'STORE-1', onHand: 50 },
  { sku: 'SKU-2', locationId: 'WH-EAST', onHand: 3 },
];
const warehouses = { eligibleLocationIds: ['WH-EAST', 'WH-WEST'] };

describe('reservableQuantities', () => {
  it('is on hand minus what reservations hold, at eligible locations only', () => {
    const held = [
      { sku: 'SKU-1', locationId: 'WH-EAST', quantity: 4 },
      { sku: 'SKU-1', locationId: 'STORE-1', quantity: 1 },
    ];
    expect(reservableQuantities(warehouses, positions, held, null)).toEqual([
      { sku: 'SKU-1', locationId: 'WH-EAST', quantity: 6 },
      { sku: 'SKU-1', locationId: 'WH-WEST', quantity: 6 },
      { sku: 'SKU-2', locationId: 'WH-EAST', quantity: 3 },
    ]);
  });

  it('counts every location when the policy lists none', () => {
    expect(reservableQuantities({ eligibleLocationIds: [] }, positions, [], null).map((entry) => entry.locationId)).toEqual([
      'WH-EAST',
      'WH-WEST',
      'STORE-1',
      'WH-EAST',
    ]);
  });

  it('keeps only the requested location, and nothing when it is not eligible', () => {
    expect(reservableQuantities(warehouses, positions, [], 'WH-WEST')).toEqual([{ sku: 'SKU-1', locationId: 'WH-WEST', quantity: 6 }]);
    expect(reservableQuantities(warehouses, positions, [], 'STORE-1')).toEqual([]);
  });

  it('ignores safety stock: a negative or over-reserved position is reported as is', () => {
    const held = [{ sku: 'SKU-2', locationId: 'WH-EAST', quantity: 5 }];
    expect(reservableQuantities(warehouses, [{ sku: 'SKU-2', locationId: 'WH-EAST', onHand: 3 }], held, null)).toEqual([
      { sku: 'SKU-2', locationId: 'WH-EAST', quantity: -2 },
    ]);
  });
});

describe('allocateLines', () => {
  const reservable: SkuLocationQuantity[] = [
    { sku: 'SKU-1', locationId: 'WH-EAST', quantity: 6 },
    { sku: 'SKU-1', locationId: 'WH-WEST', quantity: 8 },
    { sku: 'SKU-1', locationId: 'WH-NORTH', quantity: 2 },
    { sku: 'SKU-2', locationId: 'WH-EAST', quantity: -1 },
  ];

  it('serves a line from the location with the most reservable units when it covers the line alone', () => {
    expect(allocateLines([{ lineId: 'l1', sku: 'SKU-1', quantity: 5 }], reservable)).toEqual({
      ok: true,
      lines: [{ lineId: 'l1', sku: 'SKU-1', locationId: 'WH-WEST', quantity: 5 }],
    });
  });

  it('splits from the most reservable location down only when no location covers the line', () => {
    expect(allocateLines([{ lineId: 'l1', sku: 'SKU-1', quantity: 15 }], reservable)).toEqual({
      ok: true,
      lines: [
        { lineId: 'l1', sku: 'SKU-1', locationId: 'WH-WEST', quantity: 8 },
        { lineId: 'l1', sku: 'SKU-1', locationId: 'WH-EAST', quantity: 6 },
        { lineId: 'l1', sku: 'SKU-1', locationId: 'WH-NORTH', quantity: 1 },
      ],
    });
  });

  it('breaks ties by location id, so the same stock always gives the same answer', () => {
    const even = [
      { sku: 'SKU-1', locationId: 'WH-B', quantity: 4 },
      { sku: 'SKU-1', locationId: 'WH-A', quantity: 4 },
    ];
    expect(allocateLines([{ lineId: 'l1', sku: 'SKU-1', quantity: 2 }], even)).toEqual({
      ok: true,
      lines: [{ lineId: 'l1', sku: 'SKU-1', locationId: 'WH-A', quantity: 2 }],
    });
  });

  it('lets later lines of the same SKU see only what earlier lines left', () => {
    const result = allocateLines(
      [
        { lineId: 'l1', sku: 'SKU-1', quantity: 8 },
        { lineId: 'l2', sku: 'SKU-1', quantity: 7 },
      ],
      reservable,
    );
    expect(result).toEqual({
      ok: true,
      lines: [
        { lineId: 'l1', sku: 'SKU-1', locationId: 'WH-WEST', quantity: 8 },
        { lineId: 'l2', sku: 'SKU-1', locationId: 'WH-EAST', quantity: 6 },
        { lineId: 'l2', sku: 'SKU-1', locationId: 'WH-NORTH', quantity: 1 },
      ],
    });
  });

  it('rejects the whole request when any line is short, reporting what each short line could get', () => {
    const result = allocateLines(
      [
        { lineId: 'l1', sku: 'SKU-1', quantity: 10 },
        { lineId: 'l2', sku: 'SKU-1', quantity: 7 },
        { lineId: 'l3', sku: 'SKU-2', quantity: 1 },
        { lineId: 'l4', sku: 'SKU-UNKNOWN', quantity: 1 },
      ],
      reservable,
    );
    expect(result).toEqual({
      ok: false,
      shortages: [
        { lineId: 'l2', sku: 'SKU-1', requestedQuantity: 7, reservableQuantity: 6 },
        { lineId: 'l3', sku: 'SKU-2', requestedQuantity: 1, reservableQuantity: 0 },
        { lineId: 'l4', sku: 'SKU-UNKNOWN', requestedQuantity: 1, reservableQuantity: 0 },
      ],
    });
  });

  it('takes the last unit and then nothing more', () => {
    const last = [{ sku: 'SKU-1', locationId: 'WH-EAST', quantity: 1 }];
    expect(allocateLines([{ lineId: 'l1', sku: 'SKU-1', quantity: 1 }], last).ok).toBe(true);
    expect(allocateLines([{ lineId: 'l1', sku: 'SKU-1', quantity: 2 }], last)).toEqual({
      ok: false,
      shortages: [{ lineId: 'l1', sku: 'SKU-1', requestedQuantity: 2, reservableQuantity: 1 }],
    });
  });
});
