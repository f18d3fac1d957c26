import { ordersV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { orderIdentity, ShopifyOrderError } from './shopify-order.js';
import { paymentStatusOf, ratePpm, toCanonicalOrder } from './shopify-order.mapper.js';

const { PaymentStatus } = ordersV1;
const ACCOUNT = 'shopify-b2c-us';
const money = (amount: string, currency = 'USD') => ({
  shop_money: { amount, currency_code: currency },
  presentment_money: { amount, currency_code: currency },
});

/** A REST order as Shopify sends it in orders/create (shop in New York, shop money USD, customer paying in CAD). */
function restOrder(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 5501000000001,
    admin_graphql_api_id: 'gid://shopify/Order/5501000000001',
    name: '#1001',
    email: 'bob@example.com',
    phone: null,
    currency: 'USD',
    presentment_currency: 'CAD',
    financial_status: 'paid',
    created_at: '2026-11-27T05:00:00-05:00',
    processed_at: '2026-11-27T04:59:58-05:00',
    updated_at: '2026-11-27T05:00:01-05:00',
    cancelled_at: null,
    po_number: 'PO-7',
    taxes_included: false,
    total_line_items_price: '59.97',
    total_discounts: '6.00',
    total_tax: '5.03',
    total_price: '63.99',
    total_shipping_price_set: money('5.00'),
    discount_applications: [
      { type: 'discount_code', code: 'TENOFF', title: 'TENOFF', value_type: 'fixed_amount' },
      { type: 'automatic', title: 'Free shipping over 50', value_type: 'percentage' },
    ],
    line_items: [
      {
        id: 13001000000001,
        admin_graphql_api_id: 'gid://shopify/LineItem/13001000000001',
        sku: 'TEE-M',
        title: 'Tee',
        name: 'Tee - M',
        quantity: 2,
        price: '19.99',
        price_set: money('26.99', 'CAD'),
        tax_lines: [
          { title: 'NY State Tax', rate: 0.04, price: '1.36' },
          { title: 'NYC Tax', rate: 0.04875, price: '1.65' },
        ],
        discount_allocations: [{ amount: '4.00', discount_application_index: 0 }],
      },
      {
        id: 13001000000002,
        sku: null,
        title: 'Gift wrap',
        quantity: 1,
        price: '19.99',
        tax_lines: [{ title: 'NY State Tax', rate: 0.08875, price: '2.02' }],
        discount_allocations: [],
      },
    ],
    shipping_lines: [
      {
        code: 'Standard',
        title: 'Standard Shipping',
        price: '5.00',
        tax_lines: [],
        discount_allocations: [{ amount: '2.00', discount_application_index: 1 }],
      },
    ],
    shipping_address: {
      first_name: 'Bob',
      last_name: 'Norman',
      name: 'Bob Norman',
      company: null,
      address1: '1 Main St',
      address2: 'Apt 2',
      city: 'New York',
      province: 'New York',
      province_code: 'NY',
      zip: '10001',
      country_code: 'US',
      phone: '+12125550100',
    },
    billing_address: {
      name: 'Bob Norman',
      company: 'Norman LLC',
      address1: '1 Main St',
      city: 'New York',
      province_code: 'NY',
      zip: '10001',
      country_code: 'US',
    },
    customer: {
      id: 7301000000001,
      admin_graphql_api_id: 'gid://shopify/Customer/7301000000001',
      first_name: 'Bob',
      last_name: 'Norman',
      email: 'bob@example.com',
      phone: null,
    },
    ...overrides,
  };
}

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

describe('toCanonicalOrder', () => {
  it('maps identity, lines, taxes, discounts, shipping, addresses, customer, payment and totals', () => {
    const order = toCanonicalOrder(restOrder(), ACCOUNT);
    expect(order).toMatchObject({
      orderId: '',
      channelAccountId: ACCOUNT,
      channel: 'shopify',
      channelOrderId: 'gid://shopify/Order/5501000000001',
      channelOrderNumber: '#1001',
      paymentStatus: PaymentStatus.PAYMENT_STATUS_PAID,
      currency: 'USD',
      taxesIncluded: false,
      purchaseOrderNumber: 'PO-7',
      fraudSignals: [],
      // processed_at, 04:59:58 in New York.
      placedAt: { seconds: Date.parse('2026-11-27T09:59:58Z') / 1000, nanos: 0 },
      totals: { subtotal: usd(5997), discountTotal: usd(600), taxTotal: usd(503), shippingTotal: usd(500), grandTotal: usd(6399) },
      customer: {
        channelCustomerId: 'gid://shopify/Customer/7301000000001',
        name: 'Bob Norman',
        email: 'bob@example.com',
        phone: '+12125550100',
        company: 'Norman LLC',
      },
      shippingAddress: {
        name: 'Bob Norman',
        line1: '1 Main St',
        line2: 'Apt 2',
        city: 'New York',
        region: 'NY',
        postalCode: '10001',
        countryCode: 'US',
        phone: '+12125550100',
      },
      billingAddress: { company: 'Norman LLC', region: 'NY' },
    });
    expect(order.lines).toEqual([
      {
        lineId: '',
        channelLineId: 'gid://shopify/LineItem/13001000000001',
        sku: 'TEE-M',
        title: 'Tee - M',
        quantity: 2,
        unitPrice: usd(1999),
        discounts: [{ code: 'TENOFF', description: 'TENOFF', amount: usd(400) }],
        taxes: [
          { name: 'NY State Tax', ratePpm: 40000, amount: usd(136) },
          { name: 'NYC Tax', ratePpm: 48750, amount: usd(165) },
        ],
        shippedQuantity: 0,
        cancelledQuantity: 0,
        locationId: '',
      },
      expect.objectContaining({
        channelLineId: 'gid://shopify/LineItem/13001000000002',
        sku: '',
        title: 'Gift wrap',
        taxes: [{ name: 'NY State Tax', ratePpm: 88750, amount: usd(202) }],
      }),
    ]);
    expect(order.shipping).toEqual({
      methodCode: 'Standard',
      methodTitle: 'Standard Shipping',
      price: usd(500),
      discounts: [{ code: '', description: 'Free shipping over 50', amount: usd(200) }],
      taxes: [],
    });
  });

  it('reads zero-decimal currencies exactly and keeps taxes_included', () => {
    const order = toCanonicalOrder(
      restOrder({
        currency: 'JPY',
        taxes_included: true,
        total_line_items_price: '4500.0',
        total_discounts: '0.0',
        total_tax: '409.0',
        total_price: '4500.0',
        total_shipping_price_set: money('0.0', 'JPY'),
        line_items: [
          { id: 1, sku: 'CUP', title: 'Cup', quantity: 3, price: '1500.0', tax_lines: [{ title: '消費税', rate: 0.1, price: '409.0' }] },
        ],
        shipping_lines: [],
      }),
      ACCOUNT,
    );
    expect(order).toMatchObject({
      currency: 'JPY',
      taxesIncluded: true,
      totals: { grandTotal: { amountMinor: 4500, currency: 'JPY' } },
    });
    // No shipping lines (a digital order): no shipping at all.
    expect(order.shipping ?? null).toBeNull();
    expect(order.lines[0]).toMatchObject({
      unitPrice: { amountMinor: 1500, currency: 'JPY' },
      taxes: [{ ratePpm: 100000, amount: { amountMinor: 409, currency: 'JPY' } }],
    });
  });

  it('falls back to contact_email, the shipping name and no customer', () => {
    const order = toCanonicalOrder(restOrder({ email: null, contact_email: 'guest@example.com', customer: null }), ACCOUNT);
    expect(order.customer).toEqual({
      channelCustomerId: '',
      name: 'Bob Norman',
      email: 'guest@example.com',
      phone: '+12125550100',
      company: 'Norman LLC',
    });
  });

  it.each([
    ['a fractional cent', { total_price: '63.999' }, /total_price: "63.999" has more decimal places than USD allows/],
    ['a float amount', { total_tax: 5.03 }, /total_tax must be a decimal string/],
    ['an unknown currency', { currency: 'ZZZ' }, /currency must be an ISO 4217 code/],
    ['no line items', { line_items: [] }, /line_items must not be empty/],
    ['a zero quantity', { line_items: [{ id: 1, quantity: 0, price: '1.00' }] }, /line_items\[0\].quantity must be a positive integer/],
    ['a bad line price', { line_items: [{ id: 1, quantity: 1, price: '1,00' }] }, /line_items\[0\].price: not a decimal amount/],
    ['a gid of another order', { admin_graphql_api_id: 'gid://shopify/Order/1' }, /does not match id/],
    ['no updated_at', { updated_at: undefined }, /updated_at must be an ISO-8601 time/],
  ])('refuses %s with the field at fault', (_case, overrides, message) => {
    expect(() => toCanonicalOrder(restOrder(overrides), ACCOUNT)).toThrow(ShopifyOrderError);
    expect(() => toCanonicalOrder(restOrder(overrides), ACCOUNT)).toThrow(message);
  });
});

describe('orderIdentity', () => {
  it('reads the gid, name, update and cancellation times', () => {
    expect(orderIdentity(restOrder({ cancelled_at: '2026-11-27T06:00:00-05:00' }))).toEqual({
      channelOrderId: 'gid://shopify/Order/5501000000001',
      name: '#1001',
      updatedAt: new Date('2026-11-27T10:00:01Z'),
      cancelledAt: new Date('2026-11-27T11:00:00Z'),
    });
    expect(() => orderIdentity([])).toThrow('the order is not a JSON object');
    expect(() => orderIdentity({ id: '55', updated_at: '2026-11-27T05:00:00-05:00' })).toThrow('id must be a positive integer');
  });
});

describe('paymentStatusOf and ratePpm', () => {
  it('maps every financial_status', () => {
    expect(
      ['pending', 'authorized', 'partially_paid', 'paid', 'partially_refunded', 'refunded', 'voided', 'expired', 'unknown', null].map(
        paymentStatusOf,
      ),
    ).toEqual([
      PaymentStatus.PAYMENT_STATUS_PENDING,
      PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      PaymentStatus.PAYMENT_STATUS_PENDING,
      PaymentStatus.PAYMENT_STATUS_PAID,
      PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
      PaymentStatus.PAYMENT_STATUS_REFUNDED,
      PaymentStatus.PAYMENT_STATUS_VOIDED,
      PaymentStatus.PAYMENT_STATUS_FAILED,
      PaymentStatus.PAYMENT_STATUS_UNSPECIFIED,
      PaymentStatus.PAYMENT_STATUS_UNSPECIFIED,
    ]);
  });

  it('turns rates into parts per million without float noise', () => {
    expect([0.08875, 0.19, 0.0725, 0, 1].map(ratePpm)).toEqual([88750, 190000, 72500, 0, 1000000]);
  });
});
