// Public API of @retail-mesh/service-channel-amazon.
export { channelAmazonService } from './channel-amazon.definition.js';
export { channelAmazonSettings, type ChannelAmazonSettings } from './channel-amazon.config.js';
export { parseAmazonAccounts, type AmazonAccount } from './accounts/amazon-account.js';
