import { Injectable } from '@nestjs/common';
import { Inbox } from '@retail-mesh/messaging';
import { childTraceparent } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { AvailabilityPublisher } from '../availability/availability.publisher.js';
import { DirtySkuRepository } from '../availability/dirty-sku.repository.js';
import { InventoryMetrics } from '../inventory.metrics.js';
import { assertStockChange, type StockChange } from './stock-change.js';
import type { StockPositionEntity } from './stock-position.entity.js';
import { StockPositionRepository } from './stock-position.repository.js';

export interface AppliedStockChange {
  /** False when the change was stale (its version not newer than the stored one). */
  applied: boolean;
  position: StockPositionEntity;
}

/**
 * Applies ERP stock changes. Availability is not computed here: the SKU is marked dirty in the
 * same transaction and the availability publisher, woken after the commit, does the rest.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly positions: StockPositionRepository,
    private readonly dirty: DirtySkuRepository,
    private readonly availabilityPublisher: AvailabilityPublisher,
    private readonly metrics: InventoryMetrics,
  ) {}

  /** An erp.stock_changed event: applied at most once per event id (inbox). */
  async applyEvent(consumer: string, eventId: string, change: StockChange): Promise<void> {
    assertStockChange(change);
    let applied = false;
    const outcome = await Inbox.handleOnce(this.dataSource, consumer, eventId, async (manager) => {
      applied = (await this.apply(manager, change)).applied;
    });
    this.afterCommit(outcome === 'duplicate' ? 'duplicate' : applied ? 'applied' : 'stale');
  }

  /** SetStockPosition: a correction or a replay by an operator. */
  async set(change: StockChange): Promise<AppliedStockChange> {
    assertStockChange(change);
    const result = await withTransaction(this.dataSource, (manager) => this.apply(manager, change));
    this.afterCommit(result.applied ? 'applied' : 'stale');
    return result;
  }

  private async apply(manager: EntityManager, change: StockChange): Promise<AppliedStockChange> {
    const result = await this.positions.apply(manager, change, new Date());
    // The publication continues the change's trace (its work happens later, in another transaction).
    if (result.applied)
      await this.dirty.mark(manager, [change.sku], { sourceChangedAt: change.changedAt, traceparent: childTraceparent() });
    return result;
  }

  private afterCommit(outcome: 'applied' | 'stale' | 'duplicate'): void {
    this.metrics.stockChange(outcome);
    if (outcome === 'applied') this.availabilityPublisher.wake();
  }
}
