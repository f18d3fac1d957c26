// Standalone process (distributed mode): configuration from the environment, RabbitMQ, PostgreSQL.
import { runServiceMain } from '@retail-mesh/service-kit';
import { channelShopifyService } from './channel-shopify.definition.js';

await runServiceMain(channelShopifyService);
