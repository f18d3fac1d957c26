import { ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { HOLD_REASONS, ORDER_STATES } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { holdReasonName, holdReasonValue, stateName, stateValue, toNewOrderRows, toOrderContent, toOrderMessage } from './order.mapper.js';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

const submitted = ordersV1.Order.fromPartial({
  channelAccountId: 'shop-us',
  channel: 'shopify',
  channelOrderId: '5501',
  channelOrderNumber: '#1001',
  lines: [
    {
      lineId: 'L1',
      channelLineId: 'gid://shopify/LineItem/1',
      sku: 'SKU-A',
      title: 'Tee',
      quantity: 2,
      unitPrice: usd(1999),
      discounts: [{ code: 'TEN', description: '10 off', amount: usd(400) }],
      taxes: [{ name: 'CA State Tax', ratePpm: 72_500, amount: usd(261) }],
    },
  ],
  shipping: {
    methodCode: 'standard',
    methodTitle: 'Standard',
    price: usd(500),
    taxes: [{ name: 'CA State Tax', ratePpm: 72_500, amount: usd(36) }],
  },
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Los Angeles', region: 'CA', postalCode: '90001', countryCode: 'US' },
  billingAddress: { name: 'Ada', company: 'Analytical Engines', countryCode: 'US' },
  customer: { channelCustomerId: 'c-1', name: 'Ada', email: 'ada@example.com' },
  paymentStatus: ordersV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
  fraudSignals: [
    { source: 'shopify', code: 'AVS', riskLevel: ordersV1.FraudRiskLevel.FRAUD_RISK_LEVEL_LOW, message: 'address check passed' },
  ],
  requestedLocationId: 'STORE-9',
  currency: 'USD',
  totals: { subtotal: usd(3998), discountTotal: usd(400), taxTotal: usd(297), shippingTotal: usd(500), grandTotal: usd(4395) },
  purchaseOrderNumber: 'PO-7',
  placedAt: toTimestamp(new Date('2026-11-27T09:00:00.123Z')),
  taxesIncluded: false,
});

describe('order mapper', () => {
  it('stores a submitted order and gives it back as submitted, with what the service set', () => {
    const now = new Date('2026-11-27T09:00:01Z');
    const rows = toNewOrderRows(submitted, { orderId: '8a0c6f0e-4d53-4c1f-9d8b-1c3f0a2b7e11', idempotencyKey: 'shop-us/5501' }, now);
    // Through JSON, as the json columns store it.
    const stored = JSON.parse(JSON.stringify(rows)) as typeof rows;
    const message = toOrderMessage({ ...stored.order, placedAt: rows.order.placedAt, createdAt: now, updatedAt: now }, stored.lines);
    expect(message).toEqual({
      ...submitted,
      orderId: '8a0c6f0e-4d53-4c1f-9d8b-1c3f0a2b7e11',
      state: ordersV1.OrderState.ORDER_STATE_RECEIVED,
      version: 1,
      createdAt: toTimestamp(now),
      updatedAt: toTimestamp(now),
    });
  });

  it('keeps that the channel fulfils an order (Amazon FBA), for validation and the ERP', () => {
    const afn = ordersV1.Order.fromPartial({ ...submitted, shippingAddress: undefined, fulfilledByChannel: true });
    const rows = toNewOrderRows(afn, { orderId: '8a0c6f0e-4d53-4c1f-9d8b-1c3f0a2b7e12', idempotencyKey: 'amazon-us/113-1' }, new Date());
    expect(rows.order.fulfilledByChannel).toBe(true);
    expect(toOrderMessage(rows.order, rows.lines).fulfilledByChannel).toBe(true);
    expect(toOrderContent(afn)).toMatchObject({ fulfilledByChannel: true, shippingAddress: null });
    expect(toNewOrderRows(submitted, { orderId: rows.order.orderId, idempotencyKey: 'x' }, new Date()).order.fulfilledByChannel).toBe(
      false,
    );
  });

  it('reads what validation needs', () => {
    expect(toOrderContent(submitted)).toMatchObject({
      currency: 'USD',
      paymentStatus: 'AUTHORIZED',
      fraudSignals: [{ source: 'shopify', code: 'AVS', riskLevel: 'LOW' }],
      lines: [{ lineId: 'L1', sku: 'SKU-A', quantity: 2, unitPrice: usd(1999), discounts: [usd(400)], taxes: [usd(261)] }],
      shipping: { price: usd(500), discounts: [], taxes: [usd(36)] },
      placedAt: new Date('2026-11-27T09:00:00.123Z'),
    });
  });

  it('maps every state and hold reason to the contract and back', () => {
    for (const state of ORDER_STATES) expect(stateName(stateValue(state))).toBe(state);
    for (const reason of HOLD_REASONS) expect(holdReasonName(holdReasonValue(reason))).toBe(reason);
    expect(stateName(ordersV1.OrderState.ORDER_STATE_UNSPECIFIED)).toBeUndefined();
    expect(holdReasonValue(null)).toBe(ordersV1.HoldReason.HOLD_REASON_UNSPECIFIED);
  });
});
