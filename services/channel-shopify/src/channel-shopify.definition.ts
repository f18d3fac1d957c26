import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { DesiredInventory } from './availability/desired-inventory.entity.js';
import { PushLease } from './availability/push-lease.entity.js';
import { channelShopifySettings } from './channel-shopify.config.js';
import { ChannelShopifyModule } from './channel-shopify.module.js';
import { CreateAvailabilityTables1764288000000 } from './migrations/1764288000000-create-availability-tables.js';
import { CreateOrderTables1764806400000 } from './migrations/1764806400000-create-order-tables.js';
import { IndexOrderWork1796500000000 } from './migrations/1796500000000-index-order-work.js';
import { HotUpdates1796700000000 } from './migrations/1796700000000-hot-updates.js';
import { SettledOrderCursor1796900000000 } from './migrations/1796900000000-settled-order-cursor.js';
import { ShopifyOrderCursor } from './orders/order-cursor.entity.js';
import { ShopifyOrderRecord } from './orders/shopify-order.entity.js';
import { ShopifyShipment } from './orders/shopify-shipment.entity.js';
import { ShopifyWebhookDelivery } from './orders/shopify-webhook-delivery.entity.js';
import { ShopifyWebhookReceiver } from './orders/shopify-webhook.receiver.js';

/** channel-shopify as a deployable: standalone (main.ts) or embedded (apps/mesh). */
export const channelShopifyService = defineService({
  name: 'channel-shopify',
  grpc: grpcServices.channelAdapter,
  ports: { grpc: 50061, http: 9161 },
  settings: channelShopifySettings,
  entities: [DesiredInventory, PushLease, ShopifyOrderRecord, ShopifyWebhookDelivery, ShopifyOrderCursor, ShopifyShipment],
  migrations: [
    CreateAvailabilityTables1764288000000,
    CreateOrderTables1764806400000,
    IndexOrderWork1796500000000,
    HotUpdates1796700000000,
    SettledOrderCursor1796900000000,
  ],
  module: (infra) => ChannelShopifyModule.forRoot(infra),
  rawHttpRoutes: (app) => app.get(ShopifyWebhookReceiver).httpRoute(),
});
