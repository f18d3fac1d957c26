// fulfillmentCreate: fulfils quantities of fulfillment order line items, with tracking. All or
// nothing: any user error (unknown fulfillment order, closed or cancelled one, more than remains)
// changes nothing. A partial fulfilment leaves the rest open (status IN_PROGRESS).
import type { SandboxServices } from '../sandbox-services.js';
import type { ShopState } from '../shops/shop-registry.js';
import { WEBHOOK_TOPICS } from '../webhooks/webhook-topics.js';
import { orderChanged } from './order-changes.js';
import {
  restFulfillmentStatus,
  type FulfillmentOrderState,
  type FulfillmentState,
  type OrderState,
  type TrackingInfoState,
} from './order-state.js';

export interface FulfillmentOrderLineItemInput {
  id: string;
  quantity: number;
}

export interface FulfillmentInput {
  lineItemsByFulfillmentOrder: Array<{ fulfillmentOrderId: string; fulfillmentOrderLineItems?: FulfillmentOrderLineItemInput[] | null }>;
  notifyCustomer?: boolean | null;
  trackingInfo?: {
    company?: string | null;
    number?: string | null;
    numbers?: string[] | null;
    url?: string | null;
    urls?: string[] | null;
  } | null;
}

export interface UserError {
  field: string[] | null;
  message: string;
}

export interface FulfillmentResult {
  fulfillment: FulfillmentState | null;
  order: OrderState | null;
  userErrors: UserError[];
}

const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);
const INVALID_QUANTITY = 'Invalid fulfillment order line item quantity requested.';

function findFulfillmentOrder(shop: ShopState, id: string): { order: OrderState; fulfillmentOrder: FulfillmentOrderState } | undefined {
  for (const order of shop.orders.values()) {
    const fulfillmentOrder = order.fulfillmentOrders.find((candidate) => candidate.id === id);
    if (fulfillmentOrder) return { order, fulfillmentOrder };
  }
  return undefined;
}

function trackingOf(input: FulfillmentInput['trackingInfo']): TrackingInfoState[] {
  if (!input) return [];
  const numbers = input.numbers && input.numbers.length > 0 ? input.numbers : input.number ? [input.number] : [];
  const urls = input.urls && input.urls.length > 0 ? input.urls : input.url ? [input.url] : [];
  if (numbers.length === 0) return input.company || urls[0] ? [{ company: input.company ?? null, number: null, url: urls[0] ?? null }] : [];
  return numbers.map((number, index) => ({ company: input.company ?? null, number, url: urls[index] ?? null }));
}

export function createFulfillment(services: SandboxServices, shop: ShopState, input: FulfillmentInput): FulfillmentResult {
  const failed = (field: string[] | null, message: string): FulfillmentResult => ({
    fulfillment: null,
    order: null,
    userErrors: [{ field, message }],
  });
  const groups = input.lineItemsByFulfillmentOrder;
  if (groups.length === 0)
    return failed(['fulfillment', 'lineItemsByFulfillmentOrder'], 'Line items by fulfillment order must not be empty.');

  const planned: Array<{ fulfillmentOrder: FulfillmentOrderState; lines: Array<{ index: number; quantity: number }> }> = [];
  let order: OrderState | undefined;
  for (const [groupIndex, group] of groups.entries()) {
    const field = ['fulfillment', 'lineItemsByFulfillmentOrder', String(groupIndex), 'fulfillmentOrderId'];
    const found = findFulfillmentOrder(shop, group.fulfillmentOrderId);
    if (!found) return failed(field, 'Fulfillment order does not exist.');
    const { fulfillmentOrder } = found;
    if (order && found.order !== order) return failed(field, 'All fulfillment orders must belong to the same order.');
    if (planned.length > 0 && planned[0].fulfillmentOrder.locationId !== fulfillmentOrder.locationId) {
      return failed(field, 'All fulfillment orders must be assigned to the same location.');
    }
    order = found.order;
    if (!FULFILLABLE.has(fulfillmentOrder.status)) {
      return failed(
        field,
        `Fulfillment order ${fulfillmentOrder.numericId} has an unfulfillable status= ${fulfillmentOrder.status.toLowerCase()}.`,
      );
    }
    const requested = group.fulfillmentOrderLineItems;
    const lines =
      requested && requested.length > 0
        ? requested.map((line) => ({
            index: fulfillmentOrder.lineItems.findIndex((candidate) => candidate.id === line.id),
            quantity: line.quantity,
          }))
        : fulfillmentOrder.lineItems
            .map((line, index) => ({ index, quantity: line.remainingQuantity }))
            .filter((line) => line.quantity > 0);
    if (lines.length === 0) return failed(['fulfillment', 'lineItemsByFulfillmentOrder', String(groupIndex)], INVALID_QUANTITY);
    for (const [lineIndex, line] of lines.entries()) {
      const lineField = ['fulfillment', 'lineItemsByFulfillmentOrder', String(groupIndex), 'fulfillmentOrderLineItems', String(lineIndex)];
      if (line.index < 0) return failed([...lineField, 'id'], 'Fulfillment order line item does not exist.');
      const remaining = fulfillmentOrder.lineItems[line.index].remainingQuantity;
      const alreadyPlanned = lines
        .slice(0, lineIndex)
        .filter((other) => other.index === line.index)
        .reduce((sum, other) => sum + other.quantity, 0);
      if (!Number.isSafeInteger(line.quantity) || line.quantity < 1 || line.quantity + alreadyPlanned > remaining) {
        return failed([...lineField, 'quantity'], INVALID_QUANTITY);
      }
    }
    planned.push({ fulfillmentOrder, lines });
  }
  const target = order as OrderState;

  const now = new Date(services.registry.nowMs()).toISOString();
  const fulfillmentId = services.registry.newId('Fulfillment');
  const fulfillment: FulfillmentState = {
    ...fulfillmentId,
    name: `${target.name}.${target.fulfillments.length + 1}`,
    status: 'SUCCESS',
    locationId: planned[0].fulfillmentOrder.locationId,
    trackingInfo: trackingOf(input.trackingInfo),
    lineItems: [],
    notifyCustomer: input.notifyCustomer === true,
    createdAt: now,
    updatedAt: now,
  };
  for (const { fulfillmentOrder, lines } of planned) {
    for (const line of lines) {
      const item = fulfillmentOrder.lineItems[line.index];
      item.remainingQuantity -= line.quantity;
      fulfillment.lineItems.push({
        ...services.registry.newId('FulfillmentLineItem'),
        lineItemId: item.lineItemId,
        quantity: line.quantity,
      });
    }
    fulfillmentOrder.status = fulfillmentOrder.lineItems.every((item) => item.remainingQuantity === 0) ? 'CLOSED' : 'IN_PROGRESS';
    fulfillmentOrder.updatedAt = now;
  }
  target.fulfillments.push(fulfillment);
  const fullyFulfilled = restFulfillmentStatus(target) === 'fulfilled';
  orderChanged(services, shop, target, [
    WEBHOOK_TOPICS.ORDERS_UPDATED,
    fullyFulfilled ? WEBHOOK_TOPICS.ORDERS_FULFILLED : WEBHOOK_TOPICS.ORDERS_PARTIALLY_FULFILLED,
  ]);
  return { fulfillment, order: target, userErrors: [] };
}
