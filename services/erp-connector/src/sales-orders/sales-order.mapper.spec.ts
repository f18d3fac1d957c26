import { ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { describe, expect, it } from 'vitest';
import { assertSalesOrderInput, erpAmount, salesOrderExternalId, toNetSuiteSalesOrder } from './sales-order.mapper.js';

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });

function sampleOrder(overrides: Partial<ordersV1.Order> = {}): ordersV1.Order {
  return ordersV1.Order.fromPartial({
    orderId: 'order-1',
    channel: 'shopify',
    channelAccountId: 'shop-eu',
    channelOrderId: 'gid://shopify/Order/5501',
    channelOrderNumber: '#1001',
    currency: 'USD',
    placedAt: toTimestamp(new Date('2026-11-27T05:00:00Z')),
    customer: { email: 'ada@example.com', name: 'Ada Lovelace' },
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '1 Main St',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      countryCode: 'US',
    },
    shipping: { methodCode: 'standard', price: usd(599), discounts: [{ amount: usd(100) }], taxes: [{ name: 'IL', amount: usd(40) }] },
    lines: [
      {
        lineId: 'L1',
        channelLineId: 'gid://shopify/LineItem/1',
        sku: 'MUG-BLUE',
        title: 'Blue mug',
        quantity: 3,
        unitPrice: usd(1999),
        discounts: [{ code: 'TEN', amount: usd(600) }],
        taxes: [{ name: 'IL', ratePpm: 62500, amount: usd(337) }],
      },
      { lineId: 'L2', sku: 'CAP', quantity: 1, unitPrice: usd(10) },
    ],
    ...overrides,
  });
}

describe('salesOrderExternalId', () => {
  it('keeps plain ids readable and escapes what NetSuite does not allow', () => {
    expect(salesOrderExternalId({ channel: 'amazon', channelAccountId: 'amazon-de', channelOrderId: '302-1234567-7654321' })).toBe(
      'amazon__amazon-de__302-1234567-7654321',
    );
    expect(salesOrderExternalId(sampleOrder())).toBe('shopify__shop-eu__gid_3A_2F_2Fshopify_2FOrder_2F5501');
    expect(salesOrderExternalId({ channel: 'b2b', channelAccountId: 'acme_eu', channelOrderId: 'Ü 1' })).toBe('b2b__acme_5Feu___C3_9C_201');
  });

  it('never gives two channel orders the same id, and only uses the characters NetSuite allows', () => {
    const orders = [
      { channel: 'shopify', channelAccountId: 'shop-eu', channelOrderId: '1001' },
      { channel: 'shopify', channelAccountId: 'shop', channelOrderId: 'eu-1001' },
      { channel: 'shopify', channelAccountId: 'shop_eu', channelOrderId: '1001' },
      { channel: 'shopify', channelAccountId: 'shop', channelOrderId: 'eu__1001' },
      { channel: 'shopify', channelAccountId: 'shop__eu', channelOrderId: '1001' },
      { channel: 'shopify', channelAccountId: 'shop_5Feu', channelOrderId: '1001' },
    ];
    const ids = orders.map(salesOrderExternalId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('erpAmount', () => {
  it.each([
    [usd(1999), 19.99],
    [usd(5), 0.05],
    [usd(-350), -3.5],
    [{ amountMinor: 1500, currency: 'JPY' }, 1500],
    [{ amountMinor: 1250, currency: 'KWD' }, 1.25],
    [usd(999_999_999_999_999), 9_999_999_999_999.99],
  ])('%j -> %d exactly', (money, expected) => {
    expect(erpAmount(money)).toBe(expected);
    expect(JSON.stringify(erpAmount(money))).toBe(String(expected));
  });

  it('refuses an amount a double cannot carry exactly', () => {
    expect(() => erpAmount(usd(1_000_000_000_000_000))).toThrow(DomainValidationError);
  });
});

describe('toNetSuiteSalesOrder', () => {
  it('maps the order to NetSuite’s salesOrder body: references, lines by SKU, exact amounts, shipping, taxes, addresses', () => {
    expect(toNetSuiteSalesOrder(sampleOrder(), { customerId: '1201' })).toEqual({
      externalId: 'shopify__shop-eu__gid_3A_2F_2Fshopify_2FOrder_2F5501',
      entity: { id: '1201' },
      tranDate: '2026-11-27',
      otherRefNum: '#1001',
      memo: 'shopify shop-eu order #1001',
      custbody_rm_order_id: 'order-1',
      custbody_rm_channel: 'shopify',
      custbody_rm_channel_account_id: 'shop-eu',
      custbody_rm_channel_order_id: 'gid://shopify/Order/5501',
      custbody_rm_currency: 'USD',
      custbody_rm_taxes_included: false,
      custbody_rm_tax_total: 3.77,
      shippingCost: 4.99,
      custbody_rm_shipping_tax: 0.4,
      custbody_rm_shipping_method: 'standard',
      email: 'ada@example.com',
      shippingAddress: {
        addressee: 'Ada Lovelace',
        addr1: '1 Main St',
        city: 'Springfield',
        state: 'IL',
        zip: '62701',
        country: { id: 'US' },
      },
      item: {
        items: [
          {
            item: { externalId: 'MUG-BLUE' },
            quantity: 3,
            rate: 19.99,
            amount: 53.97,
            description: 'Blue mug',
            custcol_rm_order_line_id: 'L1',
            custcol_rm_channel_line_id: 'gid://shopify/LineItem/1',
            custcol_rm_tax_amount: 3.37,
          },
          {
            item: { externalId: 'CAP' },
            quantity: 1,
            rate: 0.1,
            amount: 0.1,
            custcol_rm_order_line_id: 'L2',
            custcol_rm_channel_line_id: '',
            custcol_rm_tax_amount: 0,
          },
        ],
      },
    });
  });

  it('uses the B2B purchase order number as PO/Check Number when there is one', () => {
    expect(toNetSuiteSalesOrder(sampleOrder({ purchaseOrderNumber: 'PO-77' }), { customerId: '1' }).otherRefNum).toBe('PO-77');
  });

  it('marks an order the channel fulfils (Amazon FBA) so the ERP books it without fulfilling it; others carry no mark', () => {
    const afn = toNetSuiteSalesOrder(sampleOrder({ channel: 'amazon', fulfilledByChannel: true, shippingAddress: undefined }), {
      customerId: '1',
    });
    expect(afn.custbody_rm_fulfilled_by_channel).toBe(true);
    expect(afn.shippingAddress).toBeUndefined();
    expect(toNetSuiteSalesOrder(sampleOrder(), { customerId: '1' })).not.toHaveProperty('custbody_rm_fulfilled_by_channel');
  });
});

describe('assertSalesOrderInput', () => {
  it.each([
    ['no order', undefined, 'order is missing'],
    ['no order id', sampleOrder({ orderId: '' }), 'order.order_id is missing'],
    ['a bad channel', sampleOrder({ channel: 'Shop Ify' }), 'is not a channel slug'],
    ['no channel order id', sampleOrder({ channelOrderId: ' ' }), 'order.channel_order_id is missing'],
    ['a bad currency', sampleOrder({ currency: 'XXX1' }), 'is not an ISO 4217 code'],
    ['no lines', sampleOrder({ lines: [] }), 'order has no lines'],
    ['a zero quantity', sampleOrder({ lines: [{ ...sampleOrder().lines[0], quantity: 0 }] }), 'lines[0].quantity must be positive'],
    ['a duplicate line id', sampleOrder({ lines: [sampleOrder().lines[0], sampleOrder().lines[0]] }), 'lines[1].line_id L1 is not unique'],
    [
      'a price in another currency',
      sampleOrder({ lines: [{ ...sampleOrder().lines[0], unitPrice: { amountMinor: 1, currency: 'EUR' } }] }),
      'is in EUR, the order in USD',
    ],
  ])('rejects %s', (_case, order, message) => {
    expect(() => assertSalesOrderInput(order)).toThrow(DomainValidationError);
    expect(() => assertSalesOrderInput(order)).toThrow(message);
  });
});
