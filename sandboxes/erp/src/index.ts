export { startErpSandbox, ERP_SANDBOX_DEFAULT_PORT, RESTLET_PATH, STOCK_FEED_SCRIPT, STOCK_FEED_DEPLOYMENTS } from './erp-sandbox.js';
export type { ErpSandbox, ErpSandboxOptions } from './erp-sandbox.js';
export { DEFAULT_ERP_CLIENT, JWT_BEARER_ASSERTION_TYPE, TOKEN_PATH, OAuthTokens } from './auth/oauth-tokens.js';
export type { OAuthClient, TokenResponse } from './auth/oauth-tokens.js';
export { ChangeFeed } from './feed/change-feed.js';
export type { ChangeFeedEntry, ChangeFeedPage, FeedRecordBase } from './feed/change-feed.js';
export { StockLedger } from './stock/stock-ledger.js';
export type { StockChangeInput, StockFeedRecord, StockPosition } from './stock/stock-ledger.js';
export { ItemCatalog } from './items/item-catalog.js';
export type { ErpItem } from './items/item-catalog.js';
export { RecordStore, RECORD_TYPES } from './records/record-store.js';
export type { RecordType, StoredRecord, IdempotencyMode } from './records/record-store.js';
export { ORDER_STATUS } from './records/item-lines.js';
export type { ItemLine, OrderStatus } from './records/item-lines.js';
export { SalesOrderOperations, ORDER_REFERENCE_FIELD, ORDER_LINE_REFERENCE_FIELD } from './sales-orders/sales-order-operations.js';
export type {
  CancellationFeedRecord,
  CancellationInput,
  FeedLine,
  FulfillmentFeedRecord,
  SalesOrderReference,
  ShipmentInput,
} from './sales-orders/sales-order-operations.js';
export { Outage } from './admin/outage.js';
export type { OutageKind, OutageStatus } from './admin/outage.js';
