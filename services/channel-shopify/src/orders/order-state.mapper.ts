// How the adapter reads a Shopify order's state back. Pure. Shopify has no order acknowledgement
// for merchant apps (CHANNELS.md §1d), so the adapter acknowledges with a tag naming the ERP
// order (`erp:<erp order id>`, or `mesh:<order id>` before there is one): visible to the merchant,
// idempotent (tagsAdd of a present tag changes nothing) and readable back.
import { channelV1, toTimestamp } from '@retail-mesh/contracts';
import type { ShopifyOrderView } from './shopify-orders.client.js';

const { ChannelOrderStatus } = channelV1;

export const ERP_TAG_PREFIX = 'erp:';
export const MESH_TAG_PREFIX = 'mesh:';
/** Shopify refuses longer tags. */
export const MAX_TAG_LENGTH = 40;

/** The acknowledgement tag, or undefined when the ids would make it longer than Shopify allows. */
export function acknowledgementTag(erpOrderId: string, orderId: string): string | undefined {
  const tag = erpOrderId !== '' ? `${ERP_TAG_PREFIX}${erpOrderId}` : `${MESH_TAG_PREFIX}${orderId}`;
  return tag.length <= MAX_TAG_LENGTH && !tag.includes(',') ? tag : undefined;
}

function isAcknowledged(tags: readonly string[]): boolean {
  return tags.some((tag) => tag.startsWith(ERP_TAG_PREFIX) || tag.startsWith(MESH_TAG_PREFIX));
}

export function channelOrderState(channelOrderId: string, view: ShopifyOrderView | null): channelV1.ChannelOrderState {
  if (!view) return { channelOrderId, status: ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND, trackingNumbers: [], updatedAt: null };
  const status = view.cancelledAt
    ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_CANCELLED
    : view.displayFulfillmentStatus === 'FULFILLED'
      ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_SHIPPED
      : view.displayFulfillmentStatus === 'PARTIALLY_FULFILLED'
        ? ChannelOrderStatus.CHANNEL_ORDER_STATUS_PARTIALLY_SHIPPED
        : isAcknowledged(view.tags)
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
