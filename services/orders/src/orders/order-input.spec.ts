import { ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { InvalidArgumentError } from '@retail-mesh/service-kit';
import { describe, expect, it } from 'vitest';
import { readSubmittedOrder } from './order-input.js';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

function order(overrides: Partial<ordersV1.Order> = {}): ordersV1.Order {
  return ordersV1.Order.fromPartial({
    channelAccountId: 'shop-us',
    channel: 'shopify',
    channelOrderId: 'gid://shopify/Order/5501',
    lines: [
      { sku: 'SKU-A', quantity: 1, unitPrice: usd(1000) },
      { lineId: 'gift', sku: 'SKU-B', quantity: 1, unitPrice: usd(0) },
    ],
    currency: 'USD',
    totals: { subtotal: usd(1000), grandTotal: usd(1000) },
    placedAt: toTimestamp(new Date('2026-11-27T09:00:00Z')),
    ...overrides,
  });
}

function problemOf(request: Partial<ordersV1.SubmitOrderRequest>): string {
  try {
    readSubmittedOrder({ idempotencyKey: '', order: order(), ...request });
  } catch (error) {
    if ((error instanceof InvalidArgumentError || error instanceof DomainValidationError) && error.reason === 'invalid_order')
      return error.message;
    throw error;
  }
  throw new Error('expected invalid_order');
}

describe('readSubmittedOrder', () => {
  it('names unnamed lines by position and keys the order by its channel identity', () => {
    const { order: read, idempotencyKey } = readSubmittedOrder({ idempotencyKey: '', order: order() });
    expect(read.lines.map((line) => line.lineId)).toEqual(['L1', 'gift']);
    expect(idempotencyKey).toBe('shop-us/gid://shopify/Order/5501');
    expect(readSubmittedOrder({ idempotencyKey: 'webhook-77', order: order() }).idempotencyKey).toBe('webhook-77');
  });

  it('ignores what the service sets: state, quantities shipped or cancelled, locations', () => {
    const submitted = order({ state: ordersV1.OrderState.ORDER_STATE_SHIPPED });
    submitted.lines[0] = { ...submitted.lines[0]!, shippedQuantity: 1, cancelledQuantity: 1, locationId: 'WH-9' };
    const { order: read } = readSubmittedOrder({ idempotencyKey: '', order: submitted });
    expect(read.lines[0]).toMatchObject({ shippedQuantity: 0, cancelledQuantity: 0, locationId: '' });
  });

  it('refuses an order that cannot be recorded, naming the field', () => {
    expect(problemOf({ order: undefined })).toBe('order is required');
    expect(problemOf({ order: order({ channelAccountId: ' ' }) })).toBe('channel_account_id is required');
    expect(problemOf({ order: order({ channelOrderId: '' }) })).toBe('channel_order_id is required');
    expect(problemOf({ order: order({ channel: 'Shopify' }) })).toMatch(/channel "Shopify" must be a lower-case slug/);
    expect(problemOf({ order: order({ lines: [{ ...order().lines[0]!, sku: 'S'.repeat(65) }] }) })).toBe(
      'lines[0].sku must be at most 64 characters, got 65',
    );
    expect(problemOf({ idempotencyKey: 'k'.repeat(401) })).toMatch(/idempotency_key must be at most 400 characters/);
    // The domain's shape rules: here a line id given twice.
    expect(problemOf({ order: order({ lines: [order().lines[1]!, order().lines[1]!] }) })).toMatch(/line_id "gift" appears twice/);
    expect(problemOf({ order: order({ placedAt: undefined }) })).toBe('placed_at is required');
  });
});
