import { Injectable } from '@nestjs/common';
import { compareKeys, newestPerKey } from '@retail-mesh/domain';
import { childTraceparent } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import type { TransactionContext } from '@retail-mesh/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { AvailabilityPublisher } from '../availability/availability.publisher.js';
import { DirtySkuRepository } from '../availability/dirty-sku.repository.js';
import { InventoryMetrics } from '../inventory.metrics.js';
import { assertStockChange, positionKey, type StockChange } from './stock-change.js';
import type { StockPositionEntity } from './stock-position.entity.js';
import { StockPositionRepository } from './stock-position.repository.js';

export interface AppliedStockChange {
  /** False when the change was stale (its version not newer than the stored one). */
  applied: boolean;
  position: StockPositionEntity;
}

/** A stock change and the trace its availability publication continues. */
export interface TracedStockChange {
  change: StockChange;
  traceparent: string;
}

/**
 * Applies ERP stock changes. Availability is not computed here: the SKUs are marked dirty in the
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

  /**
   * erp.stock_changed events, in the consumer's inbox transaction. Throws DomainValidationError
   * when one of them can never be applied.
   */
  async applyEvents(context: TransactionContext, changes: readonly TracedStockChange[]): Promise<void> {
    for (const { change } of changes) assertStockChange(change);
    const { newest, superseded } = newestPerKey(
      changes,
      ({ change }) => positionKey(change.sku, change.locationId),
      ({ change }) => change.version,
    );
    const applied = await this.apply(context.manager, newest);
    context.afterCommit(() => this.counted(applied, newest.length - applied + superseded));
  }

  /** SetStockPosition: a correction or a replay by an operator. */
  async set(change: StockChange): Promise<AppliedStockChange> {
    assertStockChange(change);
    const result = await withTransaction(this.dataSource, async (manager) => {
      const applied = (await this.apply(manager, [{ change, traceparent: childTraceparent() }])) > 0;
      return { applied, position: await this.positions.findOne(manager, change) };
    });
    this.counted(result.applied ? 1 : 0, result.applied ? 0 : 1);
    return result;
  }

  /** Applies changes (at most one per position) and marks the SKUs of those applied dirty; returns how many were. */
  private async apply(manager: EntityManager, changes: readonly TracedStockChange[]): Promise<number> {
    // Rows locked in (sku, location) order, as ReserveStock locks them: concurrent transactions wait, never deadlock.
    const ordered = changes
      .map(({ change }) => change)
      .sort((a, b) => compareKeys(positionKey(a.sku, a.locationId), positionKey(b.sku, b.locationId)));
    const applied = await this.positions.applyMany(manager, ordered, new Date());
    const appliedKeys = new Set(applied.map((key) => positionKey(key.sku, key.locationId)));
    const marks = changes
      .filter(({ change }) => appliedKeys.has(positionKey(change.sku, change.locationId)))
      .map(({ change, traceparent }) => ({ sku: change.sku, sourceChangedAt: change.changedAt, traceparent }));
    await this.dirty.markEach(manager, marks);
    return applied.length;
  }

  private counted(applied: number, stale: number): void {
    this.metrics.countStockChanges('applied', applied);
    this.metrics.countStockChanges('stale', stale);
    if (applied > 0) this.availabilityPublisher.wake();
  }
}
