export {
  startAmazonSandbox,
  operationOf,
  AMAZON_SANDBOX_DEFAULT_PORT,
  LWA_TOKEN_PATH,
  RESTRICTED_DATA_TOKEN_PATH,
  sandboxAmazonAccount,
} from './amazon-sandbox.js';
export type { AmazonSandbox, AmazonSandboxOptions, SandboxAmazonAccount } from './amazon-sandbox.js';
export { DEFAULT_AMAZON_SELLER, LwaTokens } from './auth/lwa-tokens.js';
export type { AmazonSeller, LwaTokenResponse } from './auth/lwa-tokens.js';
export { DATA_ELEMENTS, RestrictedDataTokens } from './auth/restricted-data-tokens.js';
export type { DataElement, RestrictedDataTokenResponse } from './auth/restricted-data-tokens.js';
export { DEFAULT_USAGE_PLANS, OPERATIONS, UsagePlanBuckets } from './throttling/usage-plans.js';
export type { Operation, UsagePlan } from './throttling/usage-plans.js';
export { OrderStore, ORDER_STATUSES, DEFAULT_SHIPPING_ADDRESS } from './orders/order-store.js';
export type { FulfillmentChannel, OrderSeed, OrderItemSeed, OrderStatus, ShippingAddress, StoredOrder } from './orders/order-store.js';
export { ListingStore } from './listings/listing-store.js';
export type { StoredListing } from './listings/listing-store.js';
export { FeedStore } from './feeds/feed-store.js';
export { SUPPORTED_FEED_TYPES, CANCEL_REASONS } from './feeds/feed-processors.js';
