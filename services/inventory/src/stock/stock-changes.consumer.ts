import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Events, fromTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { DomainValidationError } from '@retail-mesh/domain';
import { PoisonMessageError } from '@retail-mesh/messaging';
import { childTraceparentOf } from '@retail-mesh/observability';
import { EventConsumers, onEventBatch, type TransactionContext } from '@retail-mesh/service-kit';
import { INVENTORY_SETTINGS, type InventorySettings } from '../inventory.config.js';
import type { StockChange } from './stock-change.js';
import { StockService } from './stock.service.js';

export const STOCK_CHANGES_PURPOSE = 'stock-changes';

/** Batch events per transaction: each carries up to a feed page (500 changes as the mesh runs the connector). */
const BATCH_EVENTS_PER_TRANSACTION = 4;

/**
 * Consumes erp.stock_change_batch (a feed page's changes) and erp.stock_changed (one change) on
 * `inventory.stock-changes`, in batches: the changes waiting at once are applied in one transaction (a burst of changes costs a few statements per batch, not
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
    const batching = {
      maxBatchSize: this.settings.stockChangesBatchSize,
      // Safe to overlap: a position only ever takes a newer ERP version, and rows are locked in key order.
      maxBatchesInFlight: 2,
      // No inbox row per event: a redelivered change is not newer than the stored version, so it
      // applies nothing and marks nothing dirty.
      dedupe: 'versions',
    } as const;
    this.consumers.register({
      purpose: STOCK_CHANGES_PURPOSE,
      prefetch: this.settings.stockChangesPrefetch,
      handlers: [
        // What the connector publishes: a feed page's changes in one event (ADR 0007).
        onEventBatch(
          Events.erp.stockChangeBatch,
          (events, context) =>
            this.handle(
              events.flatMap((event) =>
                event.payload.changes.map((change) => ({ payload: change, traceparent: event.envelope.traceparent })),
              ),
              context,
            ),
          { ...batching, maxBatchSize: BATCH_EVENTS_PER_TRANSACTION },
        ),
        // Single changes: what other publishers and connectors before ADR 0007 send.
        onEventBatch(
          Events.erp.stockChanged,
          (events, context) =>
            this.handle(
              events.map((event) => ({ payload: event.payload, traceparent: event.envelope.traceparent })),
              context,
            ),
          batching,
        ),
      ],
    });
  }

  private async handle(
    received: Array<{ payload: erpEventsV1.StockChanged; traceparent: string }>,
    context: TransactionContext,
  ): Promise<void> {
    const changes = received.map(({ payload, traceparent }) => ({
      change: toStockChange(payload),
      traceparent: childTraceparentOf(traceparent),
    }));
    try {
      await this.stock.applyEvents(context, changes);
    } catch (error) {
      // A change that can never be applied (no SKU, version 0) sends its event to the DLQ with the
      // reason (the kit retries a failed batch event by event, so the other events still apply).
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
