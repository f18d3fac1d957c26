// Standalone process: configuration from the environment (RABBITMQ_URL, DATABASE_URL, ...).
import { runServiceMain } from '@retail-mesh/service-kit';
import { inventoryService } from './inventory.definition.js';

await runServiceMain(inventoryService);
