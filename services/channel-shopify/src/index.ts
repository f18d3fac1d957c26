// Public API of @retail-mesh/service-channel-shopify.
export { channelShopifyService } from './channel-shopify.definition.js';
export { channelShopifySettings, type ChannelShopifySettings } from './channel-shopify.config.js';
export { parseShopifyAccounts, DEFAULT_SHOPIFY_API_VERSION, type ShopifyAccount } from './accounts/shopify-account.js';
