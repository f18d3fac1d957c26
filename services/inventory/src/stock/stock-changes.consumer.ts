import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Events, fromTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { PoisonMessageError } from '@retail-mesh/messaging';
import { childTraceparentOf } from '@retail-mesh/observability';
import { EventConsumers, onEventBatch, type ReceivedEvent, type TransactionContext } from '@retail-mesh/service-kit';
import { INVENTORY_SETTINGS, type InventorySettings } from '../inventory.config.js';
import type { StockChange } from './stock-change.js';
import { StockService } from './stock.service.js';

export const STOCK_CHANGES_PURPOSE = 'stock-changes';

/**
 * Consumes erp.stock_changed on `inventory.stock-changes`, in batches: the changes waiting at
 * once are applied in one transaction (a burst of changes costs a few statements per batch, not
 * per change), and the next batch starts while one commits. The ERP version of each position
 * makes a redelivery harmless, so no inbox row is written.
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
      handlers: [
        onEventBatch(Events.erp.stockChanged, (events, context) => this.handle(events, context), {
          maxBatchSize: this.settings.stockChangesBatchSize,
          // Safe to overlap: a position only ever takes a newer ERP version, and rows are locked in key order.
          maxBatchesInFlight: 2,
          // No inbox row per change: a redelivered change is not newer than the stored version, so it
          // applies nothing and marks nothing dirty.
          dedupe: 'versions',
        }),
      ],
    });
  }

  private async handle(events: ReceivedEvent<erpEventsV1.StockChanged>[], context: TransactionContext): Promise<void> {
    const changes = events.map((event) => ({
      change: toStockChange(event.payload),
      traceparent: childTraceparentOf(event.envelope.traceparent),
    }));
    try {
      await this.stock.applyEvents(context, changes);
    } catch (error) {
      // A change that can never be applied (no SKU, version 0) goes to the DLQ with the reason
      // (the kit retries a failed batch event by event, so the others still apply).
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
