import { Injectable } from '@nestjs/common';
import { ServiceMetrics } from '@retail-mesh/observability';
import { DataSource } from 'typeorm';
import { DirtySkuRepository } from './availability/dirty-sku.repository.js';
import type { Counter, Histogram } from 'prom-client';
import type { PublishedCounts } from './availability/availability.service.js';
import type { LineOperation } from './reservations/reservation.js';

export type StockChangeOutcome = 'applied' | 'stale';

/** ReserveStock: stock held, not enough stock, or a repeat of a key that holds (or held) stock. */
export type ReservationOutcome = 'reserved' | 'rejected' | 'repeated';

/** ReleaseReservation / ConsumeReservation: units changed, a repeated id, or nothing left to change. */
export type ReservationChangeOutcome = 'applied' | 'repeated' | 'unchanged';

/** The inventory service's own metrics (retail_mesh_inventory_*). */
@Injectable()
export class InventoryMetrics {
  private readonly stockChanges: Counter<'outcome'>;
  private readonly availabilityPublished: Counter<'channel'>;
  private readonly recomputeSeconds: Histogram;
  private readonly reservations: Counter<'outcome'>;
  private readonly reservationChanges: Counter<'operation' | 'outcome'>;

  constructor(metrics: ServiceMetrics, dataSource: DataSource, dirty: DirtySkuRepository) {
    this.stockChanges = metrics.counter(
      'stock_changes_total',
      'ERP stock changes received, by outcome (applied, or stale: a version not newer than the stored one). A redelivered change counts as stale: the version decides, no inbox row is written.',
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
    this.reservations = metrics.counter(
      'reservations_total',
      'ReserveStock requests, by outcome (reserved, rejected for a shortage, repeated key).',
      ['outcome'],
    );
    this.reservationChanges = metrics.counter(
      'reservation_changes_total',
      'Reservation releases and consumptions, by operation and outcome (applied, repeated id, nothing left to change).',
      ['operation', 'outcome'],
    );
    metrics.gauge('availability_dirty_marks', 'Stock and policy changes waiting for the availability publisher.', [], async (gauge) => {
      // Unknown (database unreachable) rather than a misleading 0: /readyz reports the cause.
      const count = await dirty.count(dataSource.manager).catch(() => undefined);
      if (count === undefined) gauge.reset();
      else gauge.set(count);
    });
  }

  countStockChanges(outcome: StockChangeOutcome, count: number): void {
    if (count > 0) this.stockChanges.inc({ outcome }, count);
  }

  published(counts: PublishedCounts): void {
    for (const [channel, count] of counts) this.availabilityPublished.inc({ channel }, count);
  }

  recomputed(seconds: number): void {
    this.recomputeSeconds.observe(seconds);
  }

  reservation(outcome: ReservationOutcome): void {
    this.reservations.inc({ outcome });
  }

  reservationChange(operation: LineOperation, outcome: ReservationChangeOutcome): void {
    this.reservationChanges.inc({ operation, outcome });
  }
}
