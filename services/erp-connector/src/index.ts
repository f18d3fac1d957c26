// Public API of @retail-mesh/service-erp-connector: its ServiceDefinition (started standalone by
// main.ts, embedded by apps/mesh) and the names other code and tests refer to.
export { erpConnectorService } from './erp-connector.definition.js';
export { erpConnectorSettings, type ErpConnectorSettings } from './erp-connector.config.js';
export { STOCK_FEED_QUEUE } from './stock-feed/stock-feed.service.js';
export { stockChangedEventId } from './stock-feed/stock-changed.mapper.js';
