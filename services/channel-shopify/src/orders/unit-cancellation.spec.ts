import { ordersV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { planRequestedCancellation, planUnitCancellation, refundNote, refundOf } from './unit-cancellation.js';

const order = ordersV1.Order.fromPartial({
  lines: [
    { lineId: 'L1', channelLineId: 'gid://shopify/LineItem/1', quantity: 3, cancelledQuantity: 2 },
    { lineId: 'L2', channelLineId: 'gid://shopify/LineItem/2', quantity: 1, cancelledQuantity: 1 },
  ],
});
const shopify = (tee: { unfulfilled: number; cancelled: number }, mug = { unfulfilled: 1, cancelled: 0 }) => [
  { lineItemId: 'gid://shopify/LineItem/1', unfulfilledQuantity: tee.unfulfilled, cancelledQuantity: tee.cancelled },
  { lineItemId: 'gid://shopify/LineItem/2', unfulfilledQuantity: mug.unfulfilled, cancelledQuantity: mug.cancelled },
];

describe('planUnitCancellation', () => {
  it('cancels the units of the change Shopify does not show cancelled, per line item', () => {
    const changes = [
      { lineId: 'L1', quantity: 2 },
      { lineId: 'L2', quantity: 1 },
    ];
    expect(planUnitCancellation(order, changes, shopify({ unfulfilled: 3, cancelled: 0 }))).toEqual({
      kind: 'cancel',
      lines: [
        { lineItemId: 'gid://shopify/LineItem/1', quantity: 2 },
        { lineItemId: 'gid://shopify/LineItem/2', quantity: 1 },
      ],
    });
  });

  it('counts what earlier cancellations took: a redelivery, or the read-back after the refund, finds nothing left to send', () => {
    // One shirt was cancelled by an earlier change; this one adds one more: only it is missing.
    expect(planUnitCancellation(order, [{ lineId: 'L1', quantity: 1 }], shopify({ unfulfilled: 2, cancelled: 1 }))).toEqual({
      kind: 'cancel',
      lines: [{ lineItemId: 'gid://shopify/LineItem/1', quantity: 1 }],
    });
    expect(planUnitCancellation(order, [{ lineId: 'L1', quantity: 1 }], shopify({ unfulfilled: 1, cancelled: 2 }))).toEqual({
      kind: 'done',
    });
    expect(
      planUnitCancellation(
        order,
        [{ lineId: 'L2', quantity: 1 }],
        shopify({ unfulfilled: 1, cancelled: 2 }, { unfulfilled: 0, cancelled: 1 }),
      ),
    ).toEqual({ kind: 'done' });
  });

  it('refuses a change it can never apply: an unknown line, a line Shopify lacks, units fulfilled on Shopify meanwhile', () => {
    expect(planUnitCancellation(order, [{ lineId: 'L9', quantity: 1 }], shopify({ unfulfilled: 3, cancelled: 0 }))).toMatchObject({
      kind: 'impossible',
      reason: expect.stringContaining('L9'),
    });
    expect(
      planUnitCancellation(order, [{ lineId: 'L2', quantity: 1 }], shopify({ unfulfilled: 3, cancelled: 0 }).slice(0, 1)),
    ).toMatchObject({
      kind: 'impossible',
      reason: expect.stringContaining('not on the Shopify order'),
    });
    expect(planUnitCancellation(order, [{ lineId: 'L1', quantity: 2 }], shopify({ unfulfilled: 1, cancelled: 0 }))).toMatchObject({
      kind: 'impossible',
      reason: 'line L1: 2 units to cancel, but Shopify has 1 unfulfilled',
    });
  });
});

describe('planRequestedCancellation (a CancelOrder request naming lines)', () => {
  const TEE = 'gid://shopify/LineItem/1';
  const MUG = 'gid://shopify/LineItem/2';
  const KEY = 'retail-mesh-cancel-5501-req-1';
  const units = (refunds: Array<{ note: string | null }> = []) => ({
    cancelledAt: null,
    lines: shopify({ unfulfilled: 3, cancelled: 0 }),
    refunds: refunds.map((refund) => ({ ...refund, createdAt: null })),
  });

  it('cancels the units it names, summed per line item, while no refund carries its key', () => {
    const requested = [
      { channelLineId: TEE, quantity: 1 },
      { channelLineId: MUG, quantity: 1 },
      { channelLineId: TEE, quantity: 1 },
    ];
    expect(planRequestedCancellation(KEY, requested, units([{ note: null }, { note: refundNote('OTHER', `${KEY}-2`) }]))).toEqual({
      kind: 'cancel',
      lines: [
        { lineItemId: TEE, quantity: 2 },
        { lineItemId: MUG, quantity: 1 },
      ],
    });
  });

  it('is done once a refund carries its key, whatever Shopify shows of the lines since', () => {
    const done = units([{ note: refundNote('CANCEL_REASON_OUT_OF_STOCK', KEY) }]);
    expect(refundNote('CANCEL_REASON_OUT_OF_STOCK', KEY)).toBe(`retail-mesh: CANCEL_REASON_OUT_OF_STOCK [${KEY}]`);
    expect(refundOf(done, KEY)).toBeDefined();
    expect(refundOf(done, 'cancel-5501-req-1')).toBeUndefined();
    expect(planRequestedCancellation(KEY, [{ channelLineId: TEE, quantity: 9 }], done)).toEqual({ kind: 'done' });
  });

  it('is impossible for a line item not on the order or more units than Shopify has unfulfilled', () => {
    expect(planRequestedCancellation(KEY, [{ channelLineId: 'gid://shopify/LineItem/9', quantity: 1 }], units())).toEqual({
      kind: 'impossible',
      reason: 'line item gid://shopify/LineItem/9 is not on the Shopify order',
    });
    expect(planRequestedCancellation(KEY, [{ channelLineId: MUG, quantity: 2 }], units())).toEqual({
      kind: 'impossible',
      reason: `line item ${MUG}: 2 units to cancel, but Shopify has 1 unfulfilled`,
    });
  });
});
