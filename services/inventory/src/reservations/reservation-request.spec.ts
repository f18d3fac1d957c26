import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import {
  assertConsumeRequest,
  assertLineOperationRequest,
  assertReserveRequest,
  compareRepeatedRequest,
  MAX_RESERVATION_LINES,
  sameLineQuantities,
  type ConsumeRequest,
  type LineOperationRequest,
  type ReserveRequest,
} from './reservation-request.js';
import type { LineOperation, Reservation } from './reservation.js';

const request: ReserveRequest = {
  idempotencyKey: 'order-1',
  orderId: 'order-1',
  channelAccountId: 'shop-eu',
  channel: 'shopify',
  lines: [
    { lineId: 'l1', sku: 'SKU-1', quantity: 2 },
    { lineId: 'l2', sku: 'SKU-2', quantity: 1 },
  ],
  requestedLocationId: null,
};

const RESERVATION_ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

function reasonOf(action: () => void): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof DomainValidationError) return error.reason;
    throw error;
  }
}

describe('assertReserveRequest', () => {
  it('accepts a complete request, with or without a channel and a requested location', () => {
    expect(reasonOf(() => assertReserveRequest(request))).toBeUndefined();
    expect(reasonOf(() => assertReserveRequest({ ...request, channel: '', requestedLocationId: 'STORE-1' }))).toBeUndefined();
  });

  it.each<[string, Partial<ReserveRequest>, string]>([
    ['an empty idempotency key', { idempotencyKey: '' }, 'invalid_idempotency_key'],
    ['an overlong order id', { orderId: 'o'.repeat(65) }, 'invalid_order_id'],
    ['a blank channel account', { channelAccountId: ' ' }, 'invalid_channel_account_id'],
    ['an upper-case channel', { channel: 'Shopify' }, 'invalid_channel'],
    ['a blank requested location', { requestedLocationId: ' ' }, 'invalid_requested_location_id'],
    ['no lines', { lines: [] }, 'missing_lines'],
    [
      'too many lines',
      { lines: Array.from({ length: MAX_RESERVATION_LINES + 1 }, (_, index) => ({ lineId: `l${index}`, sku: 'S', quantity: 1 })) },
      'too_many_lines',
    ],
    ['a line without id', { lines: [{ lineId: '', sku: 'SKU-1', quantity: 1 }] }, 'invalid_line_id'],
    [
      'a line id twice',
      {
        lines: [
          { lineId: 'l1', sku: 'SKU-1', quantity: 1 },
          { lineId: 'l1', sku: 'SKU-2', quantity: 1 },
        ],
      },
      'duplicate_line',
    ],
    ['a line without SKU', { lines: [{ lineId: 'l1', sku: '', quantity: 1 }] }, 'invalid_sku'],
    ['a zero quantity', { lines: [{ lineId: 'l1', sku: 'SKU-1', quantity: 0 }] }, 'invalid_quantity'],
    ['a fractional quantity', { lines: [{ lineId: 'l1', sku: 'SKU-1', quantity: 1.5 }] }, 'invalid_quantity'],
  ])('rejects %s', (_case, change, reason) => {
    expect(reasonOf(() => assertReserveRequest({ ...request, ...change }))).toBe(reason);
  });
});

describe('assertLineOperationRequest', () => {
  const release: LineOperationRequest = { reservationId: RESERVATION_ID, lines: [], operationId: null, reason: 'cancelled' };

  it('accepts a full release without an id and a shipment with one', () => {
    expect(reasonOf(() => assertLineOperationRequest(release, 'release'))).toBeUndefined();
    expect(
      reasonOf(() => assertLineOperationRequest({ ...release, lines: [{ lineId: 'l1', quantity: 1 }], operationId: 'ship-1' }, 'consume')),
    ).toBeUndefined();
  });

  it.each<[string, LineOperation, Partial<LineOperationRequest>, string]>([
    ['a reservation id that is not a UUID', 'release', { reservationId: 'r-1' }, 'invalid_reservation_id'],
    ['a partial release without release_id', 'release', { lines: [{ lineId: 'l1', quantity: 1 }] }, 'missing_release_id'],
    ['a consumption without shipment_id', 'consume', {}, 'missing_shipment_id'],
    ['a blank shipment id', 'consume', { operationId: ' ' }, 'invalid_shipment_id'],
    ['an overlong reason', 'release', { reason: 'x'.repeat(501) }, 'invalid_reason'],
    ['a negative quantity', 'release', { operationId: 'c-1', lines: [{ lineId: 'l1', quantity: -1 }] }, 'invalid_quantity'],
    [
      'a line twice',
      'consume',
      {
        operationId: 'ship-1',
        lines: [
          { lineId: 'l1', quantity: 1 },
          { lineId: 'l1', quantity: 1 },
        ],
      },
      'duplicate_line',
    ],
  ])('rejects %s', (_case, operation, change, reason) => {
    expect(reasonOf(() => assertLineOperationRequest({ ...release, ...change }, operation))).toBe(reason);
  });
});

describe('assertConsumeRequest', () => {
  const consume: ConsumeRequest = { reservationId: RESERVATION_ID, lines: [], operationId: 'ship-1', reason: '', erpVersion: 42 };

  it('accepts the shipment’s ERP version, or 0 when it is unknown', () => {
    expect(reasonOf(() => assertConsumeRequest(consume))).toBeUndefined();
    expect(reasonOf(() => assertConsumeRequest({ ...consume, erpVersion: 0 }))).toBeUndefined();
  });

  it.each<[string, Partial<ConsumeRequest>, string]>([
    ['a negative ERP version', { erpVersion: -1 }, 'invalid_erp_version'],
    ['an ERP version beyond a safe integer', { erpVersion: 2 ** 53 }, 'invalid_erp_version'],
    ['a fractional ERP version', { erpVersion: 1.5 }, 'invalid_erp_version'],
    ['no shipment id (the line operation rules apply too)', { operationId: null }, 'missing_shipment_id'],
  ])('rejects %s', (_case, change, reason) => {
    expect(reasonOf(() => assertConsumeRequest({ ...consume, ...change }))).toBe(reason);
  });
});

describe('compareRepeatedRequest', () => {
  const reservation: Reservation = {
    reservationId: RESERVATION_ID,
    idempotencyKey: request.idempotencyKey,
    orderId: request.orderId,
    channelAccountId: request.channelAccountId,
    channel: 'shopify',
    requestedLines: request.lines,
    requestedLocationId: null,
    status: 'rejected',
    lines: [],
    shortages: [],
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };

  it('recognises a repeat, also one that leaves the channel to the account', () => {
    expect(compareRepeatedRequest(reservation, request, 'shopify')).toBe('same');
    expect(compareRepeatedRequest(reservation, { ...request, channel: '' }, 'shopify')).toBe('same');
  });

  it('tells the same order asking for other lines (fewer units, a line gone, another SKU, another order of lines)', () => {
    const [first, second] = request.lines;
    for (const lines of [[{ ...first, quantity: 1 }, second], [first], [first, { ...second, sku: 'SKU-3' }], [second, first]]) {
      expect(compareRepeatedRequest(reservation, { ...request, lines }, 'shopify')).toBe('other_lines');
    }
  });

  it('tells a reused key: another order, channel account, channel or requested location', () => {
    for (const reused of [
      { ...request, orderId: 'order-2' },
      { ...request, channelAccountId: 'shop-us' },
      { ...request, requestedLocationId: 'STORE-1', lines: [request.lines[0]] },
    ]) {
      expect(compareRepeatedRequest(reservation, reused, 'shopify')).toBe('different');
    }
    // The channel compared is the channel account's (a request naming another one is refused before).
    expect(compareRepeatedRequest(reservation, { ...request, channel: '' }, 'amazon')).toBe('different');
  });
});

describe('sameLineQuantities', () => {
  it('ignores the order of the lines', () => {
    const lines = [
      { lineId: 'a', quantity: 1 },
      { lineId: 'b', quantity: 2 },
    ];
    expect(sameLineQuantities(lines, [...lines].reverse())).toBe(true);
    expect(sameLineQuantities(lines, [{ lineId: 'a', quantity: 1 }])).toBe(false);
    expect(sameLineQuantities([], [])).toBe(true);
  });
});
