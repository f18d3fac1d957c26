import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@retail-mesh/observability';
import { DataSource } from 'typeorm';
import { DirtySkuRepository } from './availability/dirty-sku.repository.js';
import type { Counter, Histogram } from 'prom-client';
import type { PublishedCounts } from './availability/availability.service.js';

export type StockChangeOutcome = 'applied' | 'stale' | 'duplicate';

/** The inventory service's own metrics (retail_mesh_inventory_*). */
@Injectable()
export class InventoryMetrics {
  private readonly stockChanges: Counter<'outcome'>;
  private readonly availabilityPublished: Counter<'channel'>;
  private readonly recomputeSeconds: Histogram;

  constructor(metrics: ServiceMetrics, dataSource: DataSource, dirty: DirtySkuRepository) {
    this.stockChanges = metrics.counter(
      'stock_changes_total',
      'ERP stock changes received, by outcome (applied, stale version dropped, duplicate event).',
      ['outcome'],
    );
    this.availabilityPublished = metrics.counter(
      'availability_published_total',
      'AvailabilityChanged events queued for publication, by channel type.',
      ['channel'],
    );
    this.recomputeSeconds = metrics.histogram(
      'availability_recompute_seconds',
      'Time to recompute and queue the availability of a batch of SKUs.',
    );
    metrics.gauge('availability_dirty_marks', 'Stock and policy changes waiting for the availability publisher.', [], async (gauge) => {
      // Unknown (database unreachable) rather than a misleading 0: /readyz reports the cause.
      const count = await dirty.count(dataSource.manager).catch(() => undefined);
      if (count === undefined) gauge.reset();
      else gauge.set(count);
    });
  }

  stockChange(outcome: StockChangeOutcome): void {
    this.stockChanges.inc({ outcome });
  }

  published(counts: PublishedCounts): void {
    for (const [channel, count] of counts) this.availabilityPublished.inc({ channel }, count);
  }

  recomputed(seconds: number): void {
    this.recomputeSeconds.observe(seconds);
  }
}
