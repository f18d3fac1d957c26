import { ordersV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { amazonCarrier, cancellationItems, itemsStillOpen, orderRefOf, planShipmentConfirmation } from './order-events.mapper.js';

const { CancelReason } = ordersV1;

function order(lines: Array<Partial<ordersV1.OrderLine>>, overrides: Partial<ordersV1.Order> = {}): ordersV1.Order {
  return ordersV1.Order.fromPartial({
    orderId: 'ord-1',
    channelAccountId: 'amazon-us',
    channel: 'amazon',
    channelOrderId: '113-0000001-4000001',
    lines: lines.map((line, index) => ({ lineId: `L${index + 1}`, channelLineId: `item-${index + 1}`, quantity: 2, ...line })),
    ...overrides,
  });
}

describe('orderRefOf', () => {
  const served = (id: string) => id === 'amazon-us';

  it('names the Amazon order of an event, or says why it cannot be acted on', () => {
    expect(orderRefOf(order([{}]), 'amazon-us', served)).toEqual({
      ok: true,
      ref: { channelAccountId: 'amazon-us', amazonOrderId: '113-0000001-4000001', orderId: 'ord-1' },
    });
    expect(orderRefOf(order([{}], { channel: 'shopify' }), '', served)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('shopify'),
    });
    expect(orderRefOf(order([{}], { channelAccountId: 'amazon-eu' }), '', served)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('unknown'),
    });
    expect(orderRefOf(order([{}], { channelOrderId: 'gid://1' }), '', served)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('3-7-7'),
    });
    expect(orderRefOf(null, '', served)).toMatchObject({ ok: false });
  });
});

describe('cancellationItems', () => {
  it('does not send a cancellation that came from Amazon back to it', () => {
    expect(
      cancellationItems({ order: order([{}]), reason: CancelReason.CANCEL_REASON_CHANNEL_CANCELLED, lines: [], fullyCancelled: true }),
    ).toEqual({
      ok: true,
      fromChannel: true,
    });
  });

  it('cancels every unshipped item of a fully cancelled order with the mapped reason', () => {
    const cancelled = order([{ cancelledQuantity: 2 }, { shippedQuantity: 2 }, { cancelledQuantity: 1, shippedQuantity: 1 }]);
    expect(
      cancellationItems({ order: cancelled, reason: CancelReason.CANCEL_REASON_OUT_OF_STOCK, lines: [], fullyCancelled: true }),
    ).toEqual({
      ok: true,
      fromChannel: false,
      items: [
        { orderItemId: 'item-1', reason: 'NoInventory' },
        { orderItemId: 'item-3', reason: 'NoInventory' },
      ],
      units: [],
    });
  });

  it('cancels the named lines with nothing left to ship as whole items; units of a line that keeps some to ship go to an adjustment', () => {
    const event = { reason: CancelReason.CANCEL_REASON_CUSTOMER_REQUEST, fullyCancelled: false };
    expect(cancellationItems({ ...event, order: order([{ cancelledQuantity: 2 }, {}]), lines: [{ lineId: 'L1', quantity: 2 }] })).toEqual({
      ok: true,
      fromChannel: false,
      items: [{ orderItemId: 'item-1', reason: 'BuyerCanceled' }],
      units: [],
    });
    // One line cancelled whole, one unit of a two-unit line: Amazon cancels whole items only, the unit is adjusted.
    const mixed = order([{ cancelledQuantity: 2 }, { cancelledQuantity: 1 }]);
    expect(
      cancellationItems({
        ...event,
        order: mixed,
        lines: [
          { lineId: 'L1', quantity: 2 },
          { lineId: 'L2', quantity: 1 },
        ],
      }),
    ).toEqual({
      ok: true,
      fromChannel: false,
      items: [{ orderItemId: 'item-1', reason: 'BuyerCanceled' }],
      units: [{ lineId: 'L2', orderItemId: 'item-2', quantity: 1, cancelledInAll: 1 }],
    });
    // A unit cancelled earlier and the last one now: the item has nothing left, so it is cancelled whole.
    expect(cancellationItems({ ...event, order: order([{ cancelledQuantity: 2 }]), lines: [{ lineId: 'L1', quantity: 1 }] })).toMatchObject(
      { ok: true, items: [{ orderItemId: 'item-1' }], units: [] },
    );
    expect(cancellationItems({ ...event, order: order([{}]), lines: [{ lineId: 'L9', quantity: 1 }] })).toMatchObject({ ok: false });
  });

  it('refuses a cancellation of an order Amazon fulfils (AFN): a seller cannot cancel it', () => {
    const afn = order([{ cancelledQuantity: 2 }], { fulfilledByChannel: true });
    expect(
      cancellationItems({
        order: afn,
        reason: CancelReason.CANCEL_REASON_ERP_CANCELLED,
        lines: [{ lineId: 'L1', quantity: 2 }],
        fullyCancelled: true,
      }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('AFN') });
  });
});

describe('itemsStillOpen', () => {
  it('names the cancelled items Amazon still shows with units to ship, or does not show at all', () => {
    const cancel = (orderItemId: string) => ({ orderItemId, reason: 'NoInventory' });
    const amazon = [
      { OrderItemId: 'a', QuantityOrdered: 0, QuantityShipped: 0 },
      { OrderItemId: 'b', QuantityOrdered: 2, QuantityShipped: 0 },
      { OrderItemId: 'c', QuantityOrdered: 1, QuantityShipped: 1 },
    ];
    expect(itemsStillOpen([cancel('a'), cancel('b'), cancel('c'), cancel('d')], amazon)).toEqual(['b', 'd']);
    expect(itemsStillOpen([cancel('a')], amazon)).toEqual([]);
  });
});

describe('planShipmentConfirmation', () => {
  const shipment = (lines: Array<Partial<ordersV1.ShipmentLine>>) =>
    ordersV1.Shipment.fromPartial({ shipmentId: 'S1', carrier: 'UPS', trackingNumber: '1Z999', lines });

  it('confirms what Amazon does not show yet', () => {
    const shipped = order([{ shippedQuantity: 2 }, { shippedQuantity: 1 }]);
    const plan = planShipmentConfirmation(
      shipment([
        { lineId: 'L1', quantity: 2 },
        { lineId: 'L2', quantity: 1 },
      ]),
      shipped,
      [
        { OrderItemId: 'item-1', QuantityShipped: 0 },
        { OrderItemId: 'item-2', QuantityShipped: 0 },
      ],
    );
    expect(plan).toEqual({
      ok: true,
      plan: {
        alreadyApplied: false,
        orderItems: [
          { orderItemId: 'item-1', quantity: 2 },
          { orderItemId: 'item-2', quantity: 1 },
        ],
      },
    });
  });

  it('finds a shipment already applied (a redelivery, or the read-back after the call)', () => {
    const shipped = order([{ shippedQuantity: 2 }]);
    expect(
      planShipmentConfirmation(shipment([{ channelLineId: 'item-1', quantity: 2 }]), shipped, [
        { OrderItemId: 'item-1', QuantityShipped: 2 },
      ]),
    ).toEqual({
      ok: true,
      plan: { alreadyApplied: true, orderItems: [] },
    });
  });

  it('counts an earlier shipment of the same line: only this shipment’s units are missing', () => {
    const shipped = order([{ quantity: 3, shippedQuantity: 3 }]);
    expect(
      planShipmentConfirmation(shipment([{ lineId: 'L1', quantity: 1 }]), shipped, [{ OrderItemId: 'item-1', QuantityShipped: 2 }]),
    ).toMatchObject({
      plan: { orderItems: [{ orderItemId: 'item-1', quantity: 1 }] },
    });
  });

  it('refuses a shipment without tracking, or with a line Amazon does not know', () => {
    expect(planShipmentConfirmation({ ...shipment([{ lineId: 'L1', quantity: 1 }]), trackingNumber: '' }, order([{}]), [])).toMatchObject({
      ok: false,
    });
    expect(planShipmentConfirmation(shipment([{ lineId: 'L1', quantity: 1 }]), order([{ shippedQuantity: 1 }]), [])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no item item-1'),
    });
  });
});

describe('amazonCarrier', () => {
  it('maps known carriers to Amazon carrier codes and the rest to Other with a name', () => {
    expect(amazonCarrier('UPS')).toEqual({ carrierCode: 'UPS' });
    expect(amazonCarrier('DHL Express')).toEqual({ carrierCode: 'DHL' });
    expect(amazonCarrier('fedex')).toEqual({ carrierCode: 'FedEx' });
    expect(amazonCarrier('Speedy Couriers')).toEqual({ carrierCode: 'Other', carrierName: 'Speedy Couriers' });
  });
});
