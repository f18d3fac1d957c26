import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import {
  assertLineOperationRequest,
  assertReserveRequest,
  isSameRequest,
  MAX_RESERVATION_LINES,
  sameLineQuantities,
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

describe('isSameRequest', () => {
  const reservation: Reservation = {
    reservationId: RESERVATION_ID,
    idempotencyKey: request.idempotencyKey,
    orderId: request.orderId,
    channelAccountId: request.channelAccountId,
    channel: 'shopify',
    requestedLines: request.lines,
    requestedLocationId: null,
    status: 'active',
    lines: [],
    shortages: [],
    version: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };

  it('recognises a repeat, also one that leaves the channel to the account', () => {
    expect(isSameRequest(reservation, request, 'shopify')).toBe(true);
    expect(isSameRequest(reservation, { ...request, channel: '' }, 'shopify')).toBe(true);
  });

  it('tells a reused key from a repeat', () => {
    expect(isSameRequest(reservation, { ...request, orderId: 'order-2' }, 'shopify')).toBe(false);
    expect(isSameRequest(reservation, { ...request, requestedLocationId: 'STORE-1' }, 'shopify')).toBe(false);
    expect(isSameRequest(reservation, { ...request, lines: [{ lineId: 'l1', sku: 'SKU-1', quantity: 3 }] }, 'shopify')).toBe(false);
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
