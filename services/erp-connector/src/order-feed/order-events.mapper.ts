import { Events, toTimestamp, type erpEventsV1, type erpV1 } from '@retail-mesh/contracts';
import { eventIdFromName } from '@retail-mesh/messaging';
import type { OutgoingEvent } from '@retail-mesh/service-kit';
import type { CancellationFeedChange, OrderFeedLine, ShipmentFeedChange } from './order-feed-record.js';

// Event ids derive from the feed id, like the stock events: a record read twice yields the same id.
export function shipmentCreatedEventId(feedId: string): string {
  return eventIdFromName(`erp-shipment:${feedId}`);
}

export function orderCancelledEventId(feedId: string): string {
  return eventIdFromName(`erp-order-cancelled:${feedId}`);
}

function erpLines(lines: readonly OrderFeedLine[]): erpV1.ErpLine[] {
  return lines.map((line) => ({ orderLineId: line.orderLineId ?? '', sku: line.sku, quantity: line.quantity }));
}

export function toShipmentCreatedEvent(shipment: ShipmentFeedChange, orderId: string): OutgoingEvent<erpEventsV1.ShipmentCreated> {
  return {
    definition: Events.erp.shipmentCreated,
    payload: {
      erpChangeId: shipment.feedId,
      version: Number(shipment.feedId),
      erpShipmentId: shipment.erpShipmentId,
      erpOrderId: shipment.erpOrderId,
      orderId,
      locationId: shipment.locationId,
      carrier: shipment.carrier,
      serviceLevel: shipment.serviceLevel,
      trackingNumber: shipment.trackingNumber,
      trackingUrl: shipment.trackingUrl,
      lines: erpLines(shipment.lines),
      shippedAt: toTimestamp(shipment.shippedAt),
    },
    subject: orderId,
    id: shipmentCreatedEventId(shipment.feedId),
    time: shipment.shippedAt,
  };
}

export function toOrderCancelledEvent(cancellation: CancellationFeedChange, orderId: string): OutgoingEvent<erpEventsV1.OrderCancelled> {
  return {
    definition: Events.erp.orderCancelled,
    payload: {
      erpChangeId: cancellation.feedId,
      version: Number(cancellation.feedId),
      erpOrderId: cancellation.erpOrderId,
      orderId,
      lines: erpLines(cancellation.lines),
      reason: cancellation.reason,
      cancelledAt: toTimestamp(cancellation.cancelledAt),
    },
    subject: orderId,
    id: orderCancelledEventId(cancellation.feedId),
    time: cancellation.cancelledAt,
  };
}
