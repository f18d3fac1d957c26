import { channelV1 } from '@retail-mesh/contracts';
import { describe, expect, it } from 'vitest';
import { planFulfillment } from './fulfillment-plan.js';
import { channelOrderState, fulfilledWithTracking } from './order-state.mapper.js';
import type { FulfillmentOrderView, ShopifyOrderView } from './shopify-orders.client.js';

const TEE = 'gid://shopify/LineItem/1';
const MUG = 'gid://shopify/LineItem/2';
const CAP = 'gid://shopify/LineItem/3';

function fulfillmentOrder(id: string, location: string, lines: Array<[string, string, number]>, status = 'OPEN'): FulfillmentOrderView {
  return {
    id: `gid://shopify/FulfillmentOrder/${id}`,
    status,
    locationId: `gid://shopify/Location/${location}`,
    lineItems: lines.map(([lineItemId, sku, remainingQuantity], index) => ({
      id: `gid://shopify/FulfillmentOrderLineItem/${id}${index}`,
      lineItemId,
      sku,
      remainingQuantity,
    })),
  };
}

const warehouse = fulfillmentOrder('10', 'W', [
  [TEE, 'TEE-M', 3],
  [MUG, 'MUG', 1],
]);
const store = fulfillmentOrder('20', 'S', [[CAP, 'CAP', 2]]);

describe('planFulfillment', () => {
  it('fulfils part of a line and leaves the rest open', () => {
    expect(planFulfillment([{ channelLineId: TEE, sku: 'TEE-M', quantity: 2 }], [warehouse, store], new Map())).toEqual({
      kind: 'fulfil',
      calls: [[{ fulfillmentOrderId: warehouse.id, fulfillmentOrderLineItems: [{ id: warehouse.lineItems[0].id, quantity: 2 }] }]],
    });
  });

  it('makes one call per location, merges repeated lines and matches by SKU when the line id is missing', () => {
    const plan = planFulfillment(
      [
        { channelLineId: TEE, sku: 'TEE-M', quantity: 1 },
        { channelLineId: TEE, sku: 'TEE-M', quantity: 1 },
        { channelLineId: '', sku: 'CAP', quantity: 2 },
      ],
      [warehouse, store],
      new Map(),
    );
    expect(plan).toEqual({
      kind: 'fulfil',
      calls: [
        [{ fulfillmentOrderId: warehouse.id, fulfillmentOrderLineItems: [{ id: warehouse.lineItems[0].id, quantity: 2 }] }],
        [{ fulfillmentOrderId: store.id, fulfillmentOrderLineItems: [{ id: store.lineItems[0].id, quantity: 2 }] }],
      ],
    });
  });

  it('asks only for what an earlier attempt of the shipment did not fulfil, and is done when it all did', () => {
    const partlyDone = fulfillmentOrder('10', 'W', [[TEE, 'TEE-M', 1]], 'IN_PROGRESS');
    expect(planFulfillment([{ channelLineId: TEE, sku: 'TEE-M', quantity: 3 }], [partlyDone], new Map([[TEE, 2]]))).toEqual({
      kind: 'fulfil',
      calls: [[{ fulfillmentOrderId: partlyDone.id, fulfillmentOrderLineItems: [{ id: partlyDone.lineItems[0].id, quantity: 1 }] }]],
    });
    const closed = fulfillmentOrder('10', 'W', [[TEE, 'TEE-M', 0]], 'CLOSED');
    expect(planFulfillment([{ channelLineId: '', sku: 'TEE-M', quantity: 3 }], [closed], new Map([[TEE, 3]]))).toEqual({ kind: 'done' });
  });

  it('is impossible when Shopify has less open than the shipment, or the fulfillment order is closed or cancelled', () => {
    expect(planFulfillment([{ channelLineId: MUG, sku: 'MUG', quantity: 2 }], [warehouse], new Map())).toEqual({
      kind: 'impossible',
      reason: `line ${MUG}: 2 to fulfil, 1 open on Shopify`,
    });
    const cancelled = fulfillmentOrder('10', 'W', [[TEE, 'TEE-M', 3]], 'CANCELLED');
    expect(planFulfillment([{ channelLineId: TEE, sku: 'TEE-M', quantity: 1 }], [cancelled], new Map())).toMatchObject({
      kind: 'impossible',
    });
    expect(planFulfillment([{ channelLineId: TEE, sku: 'TEE-M', quantity: 0 }], [warehouse], new Map())).toMatchObject({
      kind: 'impossible',
    });
    expect(planFulfillment([{ channelLineId: '', sku: '', quantity: 1 }], [warehouse], new Map())).toMatchObject({ kind: 'impossible' });
  });
});

function view(overrides: Partial<ShopifyOrderView> = {}): ShopifyOrderView {
  return {
    id: 'gid://shopify/Order/1',
    name: '#1001',
    updatedAt: new Date('2026-11-27T10:00:00Z'),
    cancelledAt: null,
    erpOrderId: null,
    displayFulfillmentStatus: 'UNFULFILLED',
    fulfillmentOrders: [warehouse],
    fulfillments: [],
    ...overrides,
  };
}

describe('channelOrderState and fulfilledWithTracking', () => {
  const { ChannelOrderStatus } = channelV1;

  it('reads the status Shopify shows, cancellation and shipping first, then the acknowledgement (the ERP order metafield)', () => {
    const status = (overrides: Partial<ShopifyOrderView>) => channelOrderState('gid://shopify/Order/1', view(overrides)).status;
    expect(status({})).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_OPEN);
    expect(status({ erpOrderId: 'SO-1' })).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED);
    expect(status({ erpOrderId: 'SO-1', displayFulfillmentStatus: 'PARTIALLY_FULFILLED' })).toBe(
      ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED,
    );
    expect(status({ displayFulfillmentStatus: 'FULFILLED' })).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED);
    expect(status({ cancelledAt: new Date() })).toBe(ChannelOrderStatus.CHANNEL_ORDER_STATUS_CANCELLED);
    expect(channelOrderState('gid://shopify/Order/9', null)).toEqual({
      channelOrderId: 'gid://shopify/Order/9',
      status: ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND,
      trackingNumbers: [],
      updatedAt: null,
    });
  });

  it('collects the tracking numbers and what fulfilments with one tracking number hold', () => {
    const shipped = view({
      fulfillments: [
        { id: 'gid://shopify/Fulfillment/1', status: 'SUCCESS', trackingNumbers: ['1Z1'], lineItems: [{ lineItemId: TEE, quantity: 1 }] },
        { id: 'gid://shopify/Fulfillment/2', status: 'SUCCESS', trackingNumbers: ['1Z2'], lineItems: [{ lineItemId: TEE, quantity: 1 }] },
        { id: 'gid://shopify/Fulfillment/3', status: 'SUCCESS', trackingNumbers: ['1Z1'], lineItems: [{ lineItemId: MUG, quantity: 1 }] },
        { id: 'gid://shopify/Fulfillment/4', status: 'CANCELLED', trackingNumbers: ['1Z1'], lineItems: [{ lineItemId: TEE, quantity: 5 }] },
      ],
    });
    expect(channelOrderState('gid://shopify/Order/1', shipped).trackingNumbers).toEqual(['1Z1', '1Z2']);
    expect(fulfilledWithTracking(shipped, '1Z1')).toEqual({
      quantities: new Map([
        [TEE, 1],
        [MUG, 1],
      ]),
      fulfillmentIds: ['gid://shopify/Fulfillment/1', 'gid://shopify/Fulfillment/3'],
    });
    expect(fulfilledWithTracking(shipped, '').fulfillmentIds).toEqual([]);
  });
});
