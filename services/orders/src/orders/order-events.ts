import { Events, type EventDefinition, type ordersEventsV1, type ordersV1 } from '@retail-mesh/contracts';
import type { CancelReason, HoldReason, LineQuantity } from '@retail-mesh/domain';
import type { OutgoingEvent } from '@retail-mesh/service-kit';
import { cancelReasonValue, holdReasonValue } from './order.mapper.js';

// The facts orders publishes, each carrying the order as it is after the change; the routing
// key ends with the order's channel (`orders.order_accepted.shopify`).

function scoped<T>(definition: EventDefinition<T>, order: ordersV1.Order, payload: T): OutgoingEvent<T> {
  return { definition, payload, subject: order.orderId, channel: order.channel, channelAccountId: order.channelAccountId };
}

export function orderAccepted(order: ordersV1.Order): OutgoingEvent<ordersEventsV1.OrderAccepted> {
  return scoped(Events.orders.orderAccepted, order, { order });
}

export function orderOnHold(order: ordersV1.Order, reason: HoldReason, detail: string): OutgoingEvent<ordersEventsV1.OrderOnHold> {
  return scoped(Events.orders.orderOnHold, order, { order, holdReason: holdReasonValue(reason), holdDetail: detail });
}

export function orderCancelled(
  order: ordersV1.Order,
  reason: CancelReason,
  lines: readonly LineQuantity[],
  fullyCancelled: boolean,
): OutgoingEvent<ordersEventsV1.OrderCancelled> {
  return scoped(Events.orders.orderCancelled, order, {
    order,
    reason: cancelReasonValue(reason),
    lines: lines.map((line) => ({ lineId: line.lineId, quantity: line.quantity })),
    fullyCancelled,
  });
}

export function orderShipped(
  order: ordersV1.Order,
  shipment: ordersV1.Shipment,
  fullyShipped: boolean,
): OutgoingEvent<ordersEventsV1.OrderShipped> {
  return scoped(Events.orders.orderShipped, order, { order, shipment, fullyShipped });
}
