// Every service of the mesh, in start order: a service's dependencies start before it.
import { catalogService } from '@retail-mesh/service-catalog';
import { channelAmazonService } from '@retail-mesh/service-channel-amazon';
import { channelShopifyService } from '@retail-mesh/service-channel-shopify';
import { erpConnectorService } from '@retail-mesh/service-erp-connector';
import { inventoryService } from '@retail-mesh/service-inventory';
import type { ServiceDefinition } from '@retail-mesh/service-kit';
import { ordersService } from '@retail-mesh/service-orders';
import type { ServiceName } from './topology.js';

export const SERVICE_DEFINITIONS: Record<ServiceName, ServiceDefinition> = {
  catalog: catalogService as ServiceDefinition,
  inventory: inventoryService as ServiceDefinition,
  'erp-connector': erpConnectorService as ServiceDefinition,
  orders: ordersService as ServiceDefinition,
  'channel-shopify': channelShopifyService as ServiceDefinition,
  'channel-amazon': channelAmazonService as ServiceDefinition,
};
