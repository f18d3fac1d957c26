import { ordersV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import type { AmazonOrder, AmazonOrderItem } from '../amazon/sp-api.types.js';
import { amazonShipmentReport, decideIntake, isFulfilledBySeller, shippedByAmazon, toCanonicalOrder } from './amazon-order.mapper.js';

const usd = (Amount: string) => ({ CurrencyCode: 'USD', Amount });

const order: AmazonOrder = {
  AmazonOrderId: '113-0000001-4000001',
  PurchaseDate: '2026-11-27T10:00:00Z',
  LastUpdateDate: '2026-11-27T10:05:00Z',
  OrderStatus: 'Unshipped',
  MarketplaceId: 'ATVPDKIKX0DER',
  OrderTotal: usd('51.79'),
  ShipServiceLevel: 'Std US D2D Dom',
  ShipmentServiceLevelCategory: 'Standard',
  ShippingAddress: { City: 'SEATTLE', StateOrRegion: 'WA', PostalCode: '98109', CountryCode: 'US' },
};

const items: AmazonOrderItem[] = [
  {
    OrderItemId: '00000001000001',
    SellerSKU: 'TEE-M',
    Title: 'Tee M',
    QuantityOrdered: 2,
    QuantityShipped: 0,
    ItemPrice: usd('39.98'),
    ItemTax: usd('3.20'),
    PromotionDiscount: usd('1.00'),
    PromotionIds: ['PROMO-1'],
    ShippingPrice: usd('4.99'),
    ShippingTax: usd('0.40'),
  },
  { OrderItemId: '00000001000002', SellerSKU: 'MUG', QuantityOrdered: 1, ItemPrice: usd('4.22'), ItemTax: usd('0.00') },
];

describe('toCanonicalOrder', () => {
  it('maps an Amazon order to the canonical order with exact minor units', () => {
    const result = toCanonicalOrder('amazon-us', order, items);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const mapped = result.order;
    expect(mapped).toMatchObject({
      channelAccountId: 'amazon-us',
      channel: 'amazon',
      channelOrderId: '113-0000001-4000001',
      currency: 'USD',
      taxesIncluded: false,
      paymentStatus: ordersV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      placedAt: { seconds: Date.parse('2026-11-27T10:00:00Z') / 1000, nanos: 0 },
      shippingAddress: { city: 'SEATTLE', region: 'WA', postalCode: '98109', countryCode: 'US' },
    });
    expect(mapped.lines.map((line) => [line.channelLineId, line.sku, line.quantity, line.unitPrice?.amountMinor])).toEqual([
      ['00000001000001', 'TEE-M', 2, 1999],
      ['00000001000002', 'MUG', 1, 422],
    ]);
    expect(mapped.lines[0].discounts).toEqual([
      { code: 'PROMO-1', description: 'Amazon promotion', amount: { amountMinor: 100, currency: 'USD' } },
    ]);
    expect(mapped.lines[0].taxes[0].amount).toEqual({ amountMinor: 320, currency: 'USD' });
    expect(mapped.lines[1].taxes).toEqual([]);
    expect(mapped.shipping).toMatchObject({
      methodCode: 'Standard',
      price: { amountMinor: 499 },
      taxes: [{ amount: { amountMinor: 40 } }],
    });
    expect(mapped.totals).toEqual({
      subtotal: { amountMinor: 4420, currency: 'USD' },
      discountTotal: { amountMinor: 100, currency: 'USD' },
      taxTotal: { amountMinor: 360, currency: 'USD' },
      shippingTotal: { amountMinor: 499, currency: 'USD' },
      grandTotal: { amountMinor: 5179, currency: 'USD' },
    });
  });

  it('maps the address getOrderAddress read with an RDT into the canonical shipping address', () => {
    const address = {
      Name: 'Ada Lovelace',
      CompanyName: 'Analytical Engines Ltd',
      AddressLine1: '12 Analytical Way',
      AddressLine2: 'Floor 3',
      AddressLine3: 'Suite 300',
      City: 'SEATTLE',
      StateOrRegion: 'WA',
      PostalCode: '98101',
      CountryCode: 'US',
      Phone: '+1 206-555-0100',
      AddressType: 'Commercial',
    };
    const result = toCanonicalOrder('amazon-us', { ...order, FulfillmentChannel: 'MFN' }, items, address);
    expect(result.ok && result.order.shippingAddress).toEqual({
      name: 'Ada Lovelace',
      company: 'Analytical Engines Ltd',
      line1: '12 Analytical Way',
      line2: 'Floor 3, Suite 300',
      city: 'SEATTLE',
      region: 'WA',
      postalCode: '98101',
      countryCode: 'US',
      phone: '+1 206-555-0100',
      email: '',
    });
    const minimal = toCanonicalOrder('amazon-us', order, items, { Name: 'Ada', AddressLine1: '1 Main St', City: 'X', CountryCode: 'DE' });
    expect(minimal.ok && minimal.order.shippingAddress).toMatchObject({ line2: '', phone: '', region: '', postalCode: '' });
  });

  it('marks an AFN order fulfilled by the channel and keeps the address-less shipping address of getOrders', () => {
    const result = toCanonicalOrder('amazon-us', { ...order, FulfillmentChannel: 'AFN' }, items);
    expect(result.ok && result.order.shippingAddress).toMatchObject({ name: '', line1: '', city: 'SEATTLE', countryCode: 'US' });
    expect(result.ok && result.order.fulfilledByChannel).toBe(true);
    const mfn = toCanonicalOrder('amazon-us', { ...order, FulfillmentChannel: 'MFN' }, items, { Name: 'Ada', AddressLine1: '1 Main St' });
    expect(mfn.ok && mfn.order.fulfilledByChannel).toBe(false);
    const none = toCanonicalOrder('amazon-us', { ...order, ShippingAddress: undefined }, items);
    expect(none.ok && none.order.shippingAddress).toBeUndefined();
  });

  it('treats EU prices as tax-inclusive: tax is not added to the grand total', () => {
    const eur = (Amount: string) => ({ CurrencyCode: 'EUR', Amount });
    const result = toCanonicalOrder('amazon-de', { ...order, MarketplaceId: 'A1PA6795UKMFR9', OrderTotal: eur('23.80') }, [
      { OrderItemId: '1', SellerSKU: 'TEE-M', QuantityOrdered: 1, ItemPrice: eur('23.80'), ItemTax: eur('3.80') },
    ]);
    expect(result.ok && result.order).toMatchObject({
      taxesIncluded: true,
      totals: { grandTotal: { amountMinor: 2380 }, taxTotal: { amountMinor: 380 } },
    });
  });

  it.each([
    [
      'an ItemPrice that does not divide by the quantity',
      [{ ...items[1], QuantityOrdered: 3, ItemPrice: usd('10.00') }],
      /does not divide/,
    ],
    ['an item without SellerSKU', [{ ...items[1], SellerSKU: undefined }], /no SellerSKU/],
    ['an item without price (Pending)', [{ ...items[1], ItemPrice: undefined }], /no ItemPrice/],
    ['a sub-cent amount', [{ ...items[1], ItemPrice: usd('4.225') }], /decimal places/],
    ['mixed currencies', [{ ...items[1], ItemTax: { CurrencyCode: 'EUR', Amount: '1.00' } }], /in EUR/],
    ['no items', [], /no items/],
  ])('refuses %s with a reason', (_case, badItems, reason) => {
    const result = toCanonicalOrder('amazon-us', order, badItems as AmazonOrderItem[]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('isFulfilledBySeller', () => {
  it('is true for MFN (and an order that does not say), false for AFN', () => {
    expect(isFulfilledBySeller({ FulfillmentChannel: 'MFN' })).toBe(true);
    expect(isFulfilledBySeller({})).toBe(true);
    expect(isFulfilledBySeller({ FulfillmentChannel: 'AFN' })).toBe(false);
  });
});

describe('decideIntake', () => {
  const known = {
    lastUpdateDate: order.LastUpdateDate,
    orderStatus: 'Unshipped',
    orderId: 'ord-1',
    cancelSubmitted: false,
    shippedUnitsReported: 0,
  };

  it('submits a new order ready for fulfilment, waits for a Pending one, skips one seen unchanged', () => {
    expect(decideIntake(order, undefined)).toBe('submit');
    expect(decideIntake({ ...order, OrderStatus: 'Pending' }, undefined)).toBe('wait');
    expect(decideIntake(order, known)).toBe('skip');
    expect(decideIntake({ ...order, LastUpdateDate: '2026-11-27T11:00:00Z', OrderStatus: 'Shipped' }, known)).toBe('record');
  });

  it('cancels a submitted order Amazon cancelled, once; a never-submitted one is only recorded', () => {
    const canceled = { ...order, OrderStatus: 'Canceled' as const, LastUpdateDate: '2026-11-27T11:00:00Z' };
    expect(decideIntake(canceled, known)).toBe('cancel');
    expect(decideIntake(canceled, { ...known, cancelSubmitted: true })).toBe('record');
    expect(decideIntake(canceled, { ...known, orderId: null })).toBe('record');
    expect(decideIntake(canceled, undefined)).toBe('record');
  });

  it('reports what Amazon shipped of a submitted order it fulfils while the count grows, never for a seller-shipped one', () => {
    const afn = { ...order, FulfillmentChannel: 'AFN' as const };
    const shipped = { ...afn, OrderStatus: 'Shipped' as const, LastUpdateDate: '2026-11-27T11:00:00Z', NumberOfItemsShipped: 3 };
    expect(decideIntake(shipped, known)).toBe('ship');
    expect(decideIntake({ ...shipped, OrderStatus: 'PartiallyShipped', NumberOfItemsShipped: 1 }, known)).toBe('ship');
    // Without the count, a shipping status sends the intake to the items.
    expect(decideIntake({ ...shipped, NumberOfItemsShipped: undefined }, { ...known, shippedUnitsReported: 3 })).toBe('ship');
    // Reported already: only remembered, or skipped when nothing changed.
    expect(decideIntake(shipped, { ...known, shippedUnitsReported: 3 })).toBe('record');
    const seen = { ...known, lastUpdateDate: shipped.LastUpdateDate, orderStatus: 'PartiallyShipped', shippedUnitsReported: 1 };
    expect(decideIntake({ ...shipped, OrderStatus: 'PartiallyShipped', NumberOfItemsShipped: 1 }, seen)).toBe('skip');
    // A second shipment within the same second (LastUpdateDate has whole seconds) shows in the count.
    expect(decideIntake({ ...shipped, OrderStatus: 'PartiallyShipped', NumberOfItemsShipped: 2 }, seen)).toBe('ship');
    expect(decideIntake({ ...shipped, FulfillmentChannel: 'MFN' }, known)).toBe('record');
    expect(decideIntake({ ...afn, LastUpdateDate: '2026-11-27T11:00:00Z' }, known)).toBe('record');
    // Not submitted yet: the submission reports what shipped.
    expect(decideIntake(shipped, { ...known, orderId: null })).toBe('submit');
  });
});

describe('the report of what Amazon shipped itself', () => {
  it('carries the units shipped in all per item, with an id made of the order and the count', () => {
    const shipped = shippedByAmazon([
      { ...items[0]!, QuantityShipped: 2 },
      { ...items[1]!, QuantityShipped: 0 },
    ]);
    expect(shipped).toEqual({ units: 2, lines: [{ channelLineId: '00000001000001', sku: 'TEE-M', quantity: 2 }] });
    expect(amazonShipmentReport('amazon-us', 'ord-1', { ...order, LastUpdateDate: '2026-11-27T11:00:00Z' }, shipped)).toEqual({
      channelAccountId: 'amazon-us',
      channel: 'amazon',
      channelOrderId: order.AmazonOrderId,
      orderId: 'ord-1',
      shipmentId: `${order.AmazonOrderId}/shipped-2`,
      channelFulfillmentId: '',
      confirmedAt: { seconds: Date.parse('2026-11-27T11:00:00Z') / 1000, nanos: 0 },
      shippedByChannel: { lines: [{ channelLineId: '00000001000001', sku: 'TEE-M', quantity: 2 }] },
    });
    expect(shippedByAmazon(items)).toEqual({ units: 0, lines: [] });
  });
});
