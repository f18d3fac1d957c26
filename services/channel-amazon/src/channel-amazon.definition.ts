import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { DesiredListing } from './availability/desired-listing.entity.js';
import { channelAmazonSettings } from './channel-amazon.config.js';
import { ChannelAmazonModule } from './channel-amazon.module.js';
import { FeedSubmission } from './feeds/feed-submission.entity.js';
import { CreateChannelAmazonTables1795800000000 } from './migrations/1795800000000-create-channel-amazon-tables.js';
import { AddAmazonOrderShippedUnits1796100000000 } from './migrations/1796100000000-add-amazon-order-shipped-units.js';
import { AddOrderFeedActionAdjustItems1796400000000 } from './migrations/1796400000000-add-order-feed-action-adjust-items.js';
import { HotUpdates1796700000000 } from './migrations/1796700000000-hot-updates.js';
import { SettledOrderCursor1797000000000 } from './migrations/1797000000000-settled-order-cursor.js';
import { OrderFeedAction } from './order-feeds/order-feed-action.entity.js';
import { AmazonOrderEntity } from './orders/amazon-order.entity.js';
import { OrderCursor } from './orders/order-cursor.entity.js';
import { WorkerLease } from './workers/worker-lease.entity.js';

/** channel-amazon as a deployable: standalone (main.ts) or embedded (apps/mesh). */
export const channelAmazonService = defineService({
  name: 'channel-amazon',
  grpc: grpcServices.channelAdapter,
  ports: { grpc: 50062, http: 9162 },
  settings: channelAmazonSettings,
  entities: [DesiredListing, FeedSubmission, OrderFeedAction, AmazonOrderEntity, OrderCursor, WorkerLease],
  migrations: [
    CreateChannelAmazonTables1795800000000,
    AddAmazonOrderShippedUnits1796100000000,
    AddOrderFeedActionAdjustItems1796400000000,
    HotUpdates1796700000000,
    SettledOrderCursor1797000000000,
  ],
  module: (infra) => ChannelAmazonModule.forRoot(infra),
});
