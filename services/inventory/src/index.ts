// Public API of @retail-mesh/service-inventory: its ServiceDefinition (started standalone by
// main.ts, embedded by apps/mesh) and the names other code and tests refer to.
export { inventoryService } from './inventory.definition.js';
export { inventorySettings, type InventorySettings } from './inventory.config.js';
export { STOCK_CHANGES_PURPOSE } from './stock/stock-changes.consumer.js';
