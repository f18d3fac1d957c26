import { grpcServices } from '@retail-mesh/contracts';
import { defineService } from '@retail-mesh/service-kit';
import { DirtySkuEntity } from './availability/dirty-sku.entity.js';
import { PublishedAvailabilityEntity } from './availability/published-availability.entity.js';
import { ChannelPolicyEntity } from './channel-policy/channel-policy.entity.js';
import { inventorySettings } from './inventory.config.js';
import { InventoryModule } from './inventory.module.js';
import { CreateInventoryTables1795759900000 } from './migrations/1795759900000-create-inventory-tables.js';
import { CreateReservationTables1795846300000 } from './migrations/1795846300000-create-reservation-tables.js';
import { CreateConsumedStock1795950000000 } from './migrations/1795950000000-create-consumed-stock.js';
import { CreateReservedStock1796600000000 } from './migrations/1796600000000-create-reserved-stock.js';
import { HotUpdates1796700000000 } from './migrations/1796700000000-hot-updates.js';
import { ConsumedStockEntity } from './reservations/consumed-stock.entity.js';
import { ReservationLineEntity } from './reservations/reservation-line.entity.js';
import { ReservationOperationEntity } from './reservations/reservation-operation.entity.js';
import { ReservationEntity } from './reservations/reservation.entity.js';
import { ReservedStockEntity } from './reservations/reserved-stock.entity.js';
import { StockPositionEntity } from './stock/stock-position.entity.js';

export const inventoryService = defineService({
  name: 'inventory',
  grpc: grpcServices.inventory,
  ports: { grpc: 50052, http: 9152 },
  settings: inventorySettings,
  entities: [
    StockPositionEntity,
    ChannelPolicyEntity,
    PublishedAvailabilityEntity,
    DirtySkuEntity,
    ReservationEntity,
    ReservationLineEntity,
    ReservationOperationEntity,
    ConsumedStockEntity,
    ReservedStockEntity,
  ],
  migrations: [
    CreateInventoryTables1795759900000,
    CreateReservationTables1795846300000,
    CreateConsumedStock1795950000000,
    CreateReservedStock1796600000000,
    HotUpdates1796700000000,
  ],
  module: (infra) => InventoryModule.register(infra.config.settings),
});
