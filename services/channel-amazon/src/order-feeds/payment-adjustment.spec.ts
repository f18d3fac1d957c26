import { ordersV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import type { AmazonOrderItem } from '../amazon/sp-api.types.js';
import { adjustmentDedupeKey, paymentAdjustmentFeed, readXmlProcessingReport } from './order-feed.documents.js';
import { adjustmentReason, planAdjustments, unitsShare } from './payment-adjustment.js';

const usd = (Amount: string) => ({ CurrencyCode: 'USD', Amount });
const item = (overrides: Partial<AmazonOrderItem> = {}): AmazonOrderItem => ({
  OrderItemId: '12345678000001',
  QuantityOrdered: 3,
  QuantityShipped: 0,
  ItemPrice: usd('30.00'),
  ItemTax: usd('2.00'),
  PromotionDiscount: usd('0.00'),
  ...overrides,
});

describe('order adjustments (units of an item that keeps units to ship)', () => {
  it('gives each unit the amount divided by the quantity, rounded down, and leaves the remainder on the last unit', () => {
    // 2.00 tax over 3 units: 0.66, 0.66 and 0.68 (the last unit carries the 2 minor units left over).
    expect(unitsShare(200, 3, 1)).toBe(66);
    expect(unitsShare(200, 3, 2)).toBe(132);
    expect(unitsShare(101, 2, 1)).toBe(50);
    expect(unitsShare(0, 5, 4)).toBe(0);
    expect(unitsShare(3000, 3, 2)).toBe(2000);
    // An adjustment never takes the last unit (it ships, or the whole item is cancelled), nor none.
    expect(() => unitsShare(200, 3, 3)).toThrow(RangeError);
    expect(() => unitsShare(200, 3, 0)).toThrow(RangeError);
    expect(() => unitsShare(-1, 3, 1)).toThrow(RangeError);
  });

  it('plans the refund of the cancelled units from the item as Amazon shows it, in minor units', () => {
    const planned = planAdjustments(
      [{ orderItemId: '12345678000001', quantity: 1 }],
      [item({ PromotionDiscount: usd('3.00') })],
      'NoInventory',
    );
    expect(planned).toEqual({
      ok: true,
      items: [
        {
          orderItemId: '12345678000001',
          reason: 'NoInventory',
          quantityCancelled: 1,
          currency: 'USD',
          principalMinor: 1000,
          taxMinor: 66,
          promotionMinor: 100,
        },
      ],
    });
    // Units shipped already are not open: 3 ordered, 1 shipped, 1 to cancel leaves 1 to ship.
    expect(planAdjustments([{ orderItemId: '12345678000001', quantity: 1 }], [item({ QuantityShipped: 1 })], 'NoInventory').ok).toBe(true);
    // JPY has no minor digits.
    expect(
      planAdjustments(
        [{ orderItemId: 'i', quantity: 2 }],
        [
          item({
            OrderItemId: 'i',
            ItemPrice: { CurrencyCode: 'JPY', Amount: '4500' },
            ItemTax: { CurrencyCode: 'JPY', Amount: '451' },
            PromotionDiscount: undefined,
          }),
        ],
        'CustomerCancel',
      ),
    ).toMatchObject({ ok: true, items: [{ currency: 'JPY', principalMinor: 3000, taxMinor: 300, quantityCancelled: 2 }] });
  });

  it('refuses what cannot be an adjustment: an unknown item, no units left to ship, no prices, a price that is not per unit', () => {
    const units = [{ orderItemId: '12345678000001', quantity: 2 }];
    expect(planAdjustments([{ orderItemId: 'other', quantity: 1 }], [item()], 'NoInventory')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no item other'),
    });
    expect(planAdjustments(units, [item({ QuantityShipped: 1 })], 'NoInventory')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('2 units of item 12345678000001 to ship'),
    });
    expect(planAdjustments(units, [item({ ItemPrice: undefined })], 'NoInventory')).toMatchObject({ ok: false });
    expect(planAdjustments(units, [item({ ItemPrice: usd('10.00') })], 'NoInventory')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not 3 equal unit prices'),
    });
    expect(planAdjustments(units, [item({ ItemTax: { CurrencyCode: 'EUR', Amount: '1.00' } })], 'NoInventory')).toMatchObject({
      ok: false,
    });
  });

  it('uses CustomerCancel when the buyer asked and NoInventory otherwise (both cancel units without a refund holdback)', () => {
    expect(adjustmentReason(ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST)).toBe('CustomerCancel');
    expect(adjustmentReason(ordersV1.CancelReason.CANCEL_REASON_ERP_CANCELLED)).toBe('NoInventory');
    expect(adjustmentReason(ordersV1.CancelReason.CANCEL_REASON_OUT_OF_STOCK)).toBe('NoInventory');
  });

  it('writes an OrderAdjustment per order: Principal and Tax refunded (positive), the promotion taken back, QuantityCancelled', () => {
    const feed = paymentAdjustmentFeed('A2RMSANDBOXUS', [
      {
        id: 'a1',
        amazonOrderId: '113-0000001-4000001',
        adjustItems: [
          {
            orderItemId: 'i<1>',
            reason: 'NoInventory',
            quantityCancelled: 1,
            currency: 'USD',
            principalMinor: 1000,
            taxMinor: 66,
            promotionMinor: 0,
          },
          {
            orderItemId: 'i2',
            reason: 'NoInventory',
            quantityCancelled: 2,
            currency: 'USD',
            principalMinor: 5,
            taxMinor: 0,
            promotionMinor: 150,
          },
        ],
      },
      {
        id: 'a2',
        amazonOrderId: '113-0000002-4000002',
        adjustItems: [
          {
            orderItemId: 'i3',
            reason: 'CustomerCancel',
            quantityCancelled: 1,
            currency: 'USD',
            principalMinor: 1,
            taxMinor: 0,
            promotionMinor: 0,
          },
        ],
      },
    ]);
    expect(feed.content).toContain('<MessageType>OrderAdjustment</MessageType>');
    expect(feed.content).toContain('<MerchantIdentifier>A2RMSANDBOXUS</MerchantIdentifier>');
    expect(feed.content).toContain(
      [
        '<AmazonOrderID>113-0000001-4000001</AmazonOrderID>',
        '      <AdjustedItem>',
        '        <AmazonOrderItemCode>i&lt;1&gt;</AmazonOrderItemCode>',
        '        <MerchantAdjustmentItemID>rm-a1-1</MerchantAdjustmentItemID>',
        '        <AdjustmentReason>NoInventory</AdjustmentReason>',
        '        <ItemPriceAdjustments>',
        '          <Component>',
        '            <Type>Principal</Type>',
        '            <Amount currency="USD">10.00</Amount>',
        '          </Component>',
        '          <Component>',
        '            <Type>Tax</Type>',
        '            <Amount currency="USD">0.66</Amount>',
        '          </Component>',
        '        </ItemPriceAdjustments>',
        '        <QuantityCancelled>1</QuantityCancelled>',
        '      </AdjustedItem>',
      ].join('\n'),
    );
    expect(feed.content).toContain(
      '<PromotionAdjustments>\n          <Component>\n            <Type>Principal</Type>\n            <Amount currency="USD">-1.50</Amount>',
    );
    expect(feed.content).toContain('<Amount currency="USD">0.05</Amount>');
    expect(feed.content.match(/<PromotionAdjustments>/g)).toHaveLength(1);
    expect(feed.content.match(/<OrderAdjustment>/g)).toHaveLength(2);
    expect([...feed.actionOfRecord]).toEqual([
      [1, 'a1'],
      [2, 'a2'],
    ]);
  });

  it('reads an adjustment feed report like the acknowledgement one; keys an event adjustment by the units cancelled in all', () => {
    const report = `<AmazonEnvelope><MessageType>ProcessingReport</MessageType><Message><ProcessingReport>
      <ProcessingSummary><MessagesProcessed>2</MessagesProcessed></ProcessingSummary>
      <Result><MessageID>2</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>18036</ResultMessageCode>
      <ResultDescription>too much</ResultDescription></Result></ProcessingReport></Message></AmazonEnvelope>`;
    expect(readXmlProcessingReport(report)).toEqual({ ok: true, errors: new Map([[2, '18036: too much']]) });
    const key = adjustmentDedupeKey('113-1', [
      { orderItemId: 'b', cancelledInAll: 2 },
      { orderItemId: 'a', cancelledInAll: 1 },
    ]);
    expect(key).toBe('113-1:adjust:a@1,b@2');
    expect(adjustmentDedupeKey('113-1', [{ orderItemId: 'a', cancelledInAll: 2 }])).not.toBe(
      adjustmentDedupeKey('113-1', [{ orderItemId: 'a', cancelledInAll: 1 }]),
    );
  });
});
