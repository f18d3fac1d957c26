import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Events, fromTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { PoisonMessageError } from '@retail-mesh/messaging';
import { EventConsumers, onEventOutsideTransaction, type ReceivedEvent } from '@retail-mesh/service-kit';
import { INVENTORY_SETTINGS, type InventorySettings } from '../inventory.config.js';
import type { StockChange } from './stock-change.js';
import { StockService } from './stock.service.js';

export const STOCK_CHANGES_PURPOSE = 'stock-changes';

/**
 * Consumes erp.stock_changed on `inventory.stock-changes`. The handler runs the inbox itself
 * (Inbox.handleOnce in StockService) rather than inside the kit's inbox transaction, because it
 * must wake the availability publisher after the commit.
 */
@Injectable()
export class StockChangesConsumer implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly stock: StockService,
    @Inject(INVENTORY_SETTINGS) private readonly settings: InventorySettings,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      purpose: STOCK_CHANGES_PURPOSE,
      prefetch: this.settings.stockChangesPrefetch,
      handlers: [onEventOutsideTransaction(Events.erp.stockChanged, (event) => this.handle(event))],
    });
  }

  private async handle(event: ReceivedEvent<erpEventsV1.StockChanged>): Promise<void> {
    const change = toStockChange(event.payload);
    try {
      await this.stock.applyEvent(event.delivery.queue, event.envelope.id, change);
    } catch (error) {
      // A change that can never be applied (no SKU, version 0) goes to the DLQ with the reason.
      if (error instanceof DomainValidationError) throw new PoisonMessageError(`${error.reason}: ${error.message}`);
      throw error;
    }
  }
}

export function toStockChange(payload: erpEventsV1.StockChanged): StockChange {
  return {
    sku: payload.sku,
    locationId: payload.locationId,
    onHand: payload.onHand,
    version: payload.version,
    changedAt: payload.changedAt ? fromTimestamp(payload.changedAt) : null,
  };
}
