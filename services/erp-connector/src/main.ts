// Standalone process: configuration from the environment (RABBITMQ_URL, DATABASE_URL, ERP_BASE_URL, ...).
import { runServiceMain } from '@retail-mesh/service-kit';
import { erpConnectorService } from './erp-connector.definition.js';

await runServiceMain(erpConnectorService);
