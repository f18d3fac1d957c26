import { Module, type DynamicModule } from '@nestjs/common';
import { AvailabilityPublisher } from './availability/availability.publisher.js';
import { AvailabilityService } from './availability/availability.service.js';
import { DirtySkuRepository } from './availability/dirty-sku.repository.js';
import { PublishedAvailabilityRepository } from './availability/published-availability.repository.js';
import { ChannelPolicyRepository } from './channel-policy/channel-policy.repository.js';
import { ChannelPolicyService } from './channel-policy/channel-policy.service.js';
import { InventoryController } from './grpc/inventory.controller.js';
import { INVENTORY_SETTINGS, type InventorySettings } from './inventory.config.js';
import { InventoryMetrics } from './inventory.metrics.js';
import { ReservationRepository } from './reservations/reservation.repository.js';
import { ReservationService } from './reservations/reservation.service.js';
import { StockChangesConsumer } from './stock/stock-changes.consumer.js';
import { StockPositionRepository } from './stock/stock-position.repository.js';
import { StockService } from './stock/stock.service.js';

@Module({})
export class InventoryModule {
  static register(settings: InventorySettings): DynamicModule {
    return {
      module: InventoryModule,
      controllers: [InventoryController],
      providers: [
        { provide: INVENTORY_SETTINGS, useValue: settings },
        InventoryMetrics,
        StockPositionRepository,
        ChannelPolicyRepository,
        PublishedAvailabilityRepository,
        DirtySkuRepository,
        ReservationRepository,
        AvailabilityService,
        AvailabilityPublisher,
        StockService,
        ChannelPolicyService,
        ReservationService,
        StockChangesConsumer,
      ],
    };
  }
}
