export { startErpSandbox, ERP_SANDBOX_DEFAULT_PORT, RESTLET_PATH, STOCK_FEED_SCRIPT, STOCK_FEED_DEPLOYMENTS } from './erp-sandbox.js';
export type { ErpSandbox, ErpSandboxOptions } from './erp-sandbox.js';
export { DEFAULT_ERP_CLIENT, JWT_BEARER_ASSERTION_TYPE, TOKEN_PATH, OAuthTokens } from './auth/oauth-tokens.js';
export type { OAuthClient, TokenResponse } from './auth/oauth-tokens.js';
export { StockLedger } from './stock/stock-ledger.js';
export type { StockChangeInput, StockFeedRecord, StockFeedPage, StockPosition, StockFeedEntry } from './stock/stock-ledger.js';
export { RecordStore, RECORD_TYPES } from './records/record-store.js';
export type { RecordType, StoredRecord, IdempotencyMode } from './records/record-store.js';
