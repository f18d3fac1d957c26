// Standalone process: configuration from the environment (RABBITMQ_URL, DATABASE_URL, ...).
import { runServiceMain } from '@retail-mesh/service-kit';
import { ordersService } from './index.js';

await runServiceMain(ordersService);
