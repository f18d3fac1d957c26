// How the adapter reads a Shopify order's state back. Pure. Shopify has no order acknowledgement
// for merchant apps (CHANNELS.md §1d), so the adapter acknowledges by writing the ERP order's
// reference onto the order as a metafield (ADR 0004): visible to the merchant, idempotent
// (metafieldsSet of the value the order has changes nothing) and readable back.
import { channelV1, toTimestamp } from '@retail-mesh/contracts';
import type { ShopifyOrderView } from './shopify-orders.client.js';

const { ChannelOrderStatus } = channelV1;

/** The order metafield that holds the ERP order's reference: set means acknowledged. */
export const ERP_ORDER_METAFIELD = { namespace: 'retail_mesh', key: 'erp_order_id', type: 'single_line_text_field' } as const;

export function channelOrderState(channelOrderId: string, view: ShopifyOrderView | null): channelV1.ChannelOrderState {
  if (!view) return { channelOrderId, status: ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND, trackingNumbers: [], updatedAt: null };
  const status = view.cancelledAt
    ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_CANCELLED
    : view.displayFulfillmentStatus === 'FULFILLED'
      ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED
      : view.displayFulfillmentStatus === 'PARTIALLY_FULFILLED'
        ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED
        : view.erpOrderId !== null
          ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED
          : ChannelOrderStatus.CHANNEL_ORDER_STATUS_OPEN;
  const trackingNumbers = [
    ...new Set(
      view.fulfillments.filter((fulfillment) => fulfillment.status === 'SUCCESS').flatMap((fulfillment) => fulfillment.trackingNumbers),
    ),
  ];
  return { channelOrderId, status, trackingNumbers, updatedAt: toTimestamp(view.updatedAt) };
}

/** Quantities per line item that successful fulfilments with this tracking number hold (this shipment's earlier attempts). */
export function fulfilledWithTracking(
  view: ShopifyOrderView,
  trackingNumber: string,
): { quantities: Map<string, number>; fulfillmentIds: string[] } {
  const quantities = new Map<string, number>();
  const fulfillmentIds: string[] = [];
  if (trackingNumber === '') return { quantities, fulfillmentIds };
  for (const fulfillment of view.fulfillments) {
    if (fulfillment.status !== 'SUCCESS' || !fulfillment.trackingNumbers.includes(trackingNumber)) continue;
    fulfillmentIds.push(fulfillment.id);
    for (const line of fulfillment.lineItems) quantities.set(line.lineItemId, (quantities.get(line.lineItemId) ?? 0) + line.quantity);
  }
  return { quantities, fulfillmentIds };
}
