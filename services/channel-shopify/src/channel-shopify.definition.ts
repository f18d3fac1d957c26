import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { DesiredInventory } from './availability/desired-inventory.entity.js';
import { PushLease } from './availability/push-lease.entity.js';
import { channelShopifySettings } from './channel-shopify.config.js';
import { ChannelShopifyModule } from './channel-shopify.module.js';
import { CreateAvailabilityTables1764288000000 } from './migrations/1764288000000-create-availability-tables.js';

/** channel-shopify as a deployable: standalone (main.ts) or embedded (apps/mesh). */
export const channelShopifyService = defineService({
  name: 'channel-shopify',
  grpc: grpcServices.channelAdapter,
  ports: { grpc: 50061, http: 9161 },
  settings: channelShopifySettings,
  entities: [DesiredInventory, PushLease],
  migrations: [CreateAvailabilityTables1764288000000],
  module: (infra) => ChannelShopifyModule.forRoot(infra),
});
