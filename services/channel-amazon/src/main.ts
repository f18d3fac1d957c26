// Standalone process (distributed mode): configuration from the environment, RabbitMQ, PostgreSQL.
import { runServiceMain } from '@retail-mesh/service-kit';
import { channelAmazonService } from './channel-amazon.definition.js';

await runServiceMain(channelAmazonService);
