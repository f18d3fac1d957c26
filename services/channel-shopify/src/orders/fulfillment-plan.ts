// Which fulfillment order line items a shipment fulfils on Shopify. Pure. A shipment names order
// lines (Shopify line item gids, or SKUs when the ERP lost the line id) and quantities; Shopify
// fulfils fulfillment order line items, at most their remaining quantity, one location per
// fulfillmentCreate. What an earlier attempt of the same shipment already fulfilled (found by its
// tracking number) is not asked for again, so a retry after a lost answer has no second effect.
import type { FulfillmentOrderLineItemsInput, FulfillmentOrderView } from './shopify-orders.client.js';

export interface ShipmentLineRequest {
  /** `gid://shopify/LineItem/…`; empty when only the SKU is known. */
  channelLineId: string;
  sku: string;
  quantity: number;
}

export type FulfillmentPlan =
  /** One fulfillmentCreate per location. */
  | { kind: 'fulfil'; calls: FulfillmentOrderLineItemsInput[][] }
  /** Everything asked for is already fulfilled by this shipment. */
  | { kind: 'done' }
  /** Shopify has not enough open for it: retrying cannot help. */
  | { kind: 'impossible'; reason: string };

// Shopify lets fulfilments be created only for these fulfillment order statuses.
const FULFILLABLE = new Set(['OPEN', 'IN_PROGRESS']);

function lineKey(line: Pick<ShipmentLineRequest, 'channelLineId' | 'sku'>): string {
  return line.channelLineId !== '' ? line.channelLineId : `sku:${line.sku}`;
}

export function planFulfillment(
  lines: readonly ShipmentLineRequest[],
  fulfillmentOrders: readonly FulfillmentOrderView[],
  /** Quantities per line item gid that fulfilments of this shipment already hold. */
  alreadyFulfilled: ReadonlyMap<string, number>,
): FulfillmentPlan {
  const wanted = new Map<string, ShipmentLineRequest>();
  for (const line of lines) {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      return { kind: 'impossible', reason: `shipment line ${line.channelLineId || line.sku} has quantity ${line.quantity}` };
    }
    if (line.channelLineId === '' && line.sku === '')
      return { kind: 'impossible', reason: 'a shipment line has neither a channel line id nor a SKU' };
    const key = lineKey(line);
    const existing = wanted.get(key);
    wanted.set(key, { ...line, quantity: (existing?.quantity ?? 0) + line.quantity });
  }

  const open = fulfillmentOrders.filter((fulfillmentOrder) => FULFILLABLE.has(fulfillmentOrder.status));
  const skuOfLineItem = new Map(
    fulfillmentOrders.flatMap((fulfillmentOrder) => fulfillmentOrder.lineItems.map((item) => [item.lineItemId, item.sku])),
  );
  const byLocation = new Map<string, Map<string, Array<{ id: string; quantity: number }>>>();
  for (const line of wanted.values()) {
    const matches = (item: FulfillmentOrderView['lineItems'][number]) =>
      line.channelLineId !== '' ? item.lineItemId === line.channelLineId : item.sku === line.sku;
    const done =
      line.channelLineId !== ''
        ? (alreadyFulfilled.get(line.channelLineId) ?? 0)
        : [...alreadyFulfilled]
            .filter(([lineItemId]) => skuOfLineItem.get(lineItemId) === line.sku)
            .reduce((sum, [, quantity]) => sum + quantity, 0);
    let needed = Math.max(0, line.quantity - done);
    for (const fulfillmentOrder of open) {
      for (const item of fulfillmentOrder.lineItems) {
        if (needed === 0 || !matches(item) || item.remainingQuantity <= 0) continue;
        const quantity = Math.min(needed, item.remainingQuantity);
        needed -= quantity;
        const location = fulfillmentOrder.locationId ?? fulfillmentOrder.id;
        const calls = byLocation.get(location) ?? new Map<string, Array<{ id: string; quantity: number }>>();
        byLocation.set(location, calls);
        const items = calls.get(fulfillmentOrder.id) ?? [];
        calls.set(fulfillmentOrder.id, items);
        items.push({ id: item.id, quantity });
      }
    }
    if (needed > 0) {
      const toFulfil = Math.max(0, line.quantity - done);
      return {
        kind: 'impossible',
        reason: `line ${line.channelLineId || `SKU ${line.sku}`}: ${toFulfil} to fulfil, ${toFulfil - needed} open on Shopify`,
      };
    }
  }
  if (byLocation.size === 0) return { kind: 'done' };
  return {
    kind: 'fulfil',
    calls: [...byLocation.values()].map((calls) =>
      [...calls].map(([fulfillmentOrderId, fulfillmentOrderLineItems]) => ({ fulfillmentOrderId, fulfillmentOrderLineItems })),
    ),
  };
}
