// Public API of @retail-mesh/service-erp-connector: its ServiceDefinition (started standalone by
// main.ts, embedded by apps/mesh) and the names other code and tests refer to.
export { erpConnectorService } from './erp-connector.definition.js';
export { erpConnectorSettings, type ErpConnectorSettings } from './erp-connector.config.js';
export { STOCK_FEED_QUEUE, ORDER_FEED_QUEUE } from './change-feed/rejected-record.js';
export { ORDER_CANCELLATIONS_PURPOSE } from './order-cancellations/order-cancelled.consumer.js';
export { CHANNEL_FULFILLMENTS_PURPOSE } from './channel-fulfillments/order-shipped.consumer.js';
export { channelFulfillmentExternalId } from './channel-fulfillments/item-fulfillment.mapper.js';
export { salesOrderExternalId } from './sales-orders/sales-order.mapper.js';
export { shipmentCreatedEventId, orderCancelledEventId } from './order-feed/order-events.mapper.js';
export { stockChangeBatchEventId } from './stock-feed/stock-changed.mapper.js';
