export { startShopifySandbox, SHOPIFY_SANDBOX_DEFAULT_PORT, GRAPHQL_PATH } from './shopify-sandbox.js';
export type { ShopifySandbox, ShopifySandboxOptions } from './shopify-sandbox.js';
export { SUPPORTED_API_VERSIONS, LATEST_STABLE_VERSION, featuresOf } from './api-versions.js';
export type { ApiVersion, VersionFeatures } from './api-versions.js';
export { ShopRegistry, PLANS } from './shops/shop-registry.js';
export type { ShopSettings, ShopState, Plan, LevelState, AppliedChange, ShopCounters } from './shops/shop-registry.js';
export type { CatalogSeed, VariantSeed, LocationSeed, LevelSeed } from './shops/catalog-seed.js';
export { INVENTORY_REASONS } from './inventory/set-quantities.js';
export { MUTATION_COST, SINGLE_QUERY_MAX_COST } from './graphql/query-cost.js';
export { REST_LIMITS } from './shops/shop-registry.js';
export { WebhookDispatcher, SHOPIFY_RETRY_DELAYS_MS } from './webhooks/webhook-dispatcher.js';
export type {
  WebhookDelivery,
  DeliveryAttempt,
  DeliveryStatus,
  DropRule,
  WebhookDispatcherSettings,
} from './webhooks/webhook-dispatcher.js';
export { WEBHOOK_TOPICS } from './webhooks/webhook-topics.js';
export type { WebhookTopic, WebhookSubscriptionState } from './webhooks/webhook-topics.js';
export type { OrderState, FulfillmentOrderState, FulfillmentState, CancellationState } from './orders/order-state.js';
