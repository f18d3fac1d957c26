import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DueTimer, WakeSignal } from '@retail-mesh/messaging';
import type { Logger } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { LOGGER } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { ChannelPolicyRepository } from '../channel-policy/channel-policy.repository.js';
import { INVENTORY_SETTINGS, type InventorySettings } from '../inventory.config.js';
import { InventoryMetrics } from '../inventory.metrics.js';
import { AvailabilityService, totalPublished } from './availability.service.js';
import { DirtySkuRepository } from './dirty-sku.repository.js';
import { AvailabilityVersionConflictError } from './published-availability.repository.js';

// Wait after a failed pass (database unavailable).
const RETRY_DELAY_MS = 1000;

/**
 * Turns dirty SKUs into AvailabilityChanged events. Stock changes only mark their SKU dirty (in
 * the transaction that applies them); this publisher, woken after those commits, waits out a
 * short coalescing window, then computes each dirty SKU once for every channel policy, publishes
 * the keys whose quantity changed with their next version and deletes the marks it consumed,
 * all in one transaction (the marks are taken by deleting them first: a rollback restores them).
 * Marks that arrive meanwhile are handled by the next pass, so a burst of changes to one SKU
 * becomes a few publications of its latest value, not one per change. On PostgreSQL a second pass
 * may run while one commits; it leaves the SKUs of the first alone (the busy SKUs), so no key is
 * published by two passes at once.
 */
@Injectable()
export class AvailabilityPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  /** A wake arms the pass timer while a pass may start; one during a pass makes the next come soon. */
  private readonly signal = new WakeSignal(() => {
    if (this.passes.size < this.maxPasses) this.schedule(this.settings.coalesceWindowMs);
  });
  private readonly passTimer = new DueTimer(() => this.runPass());
  private readonly passes = new Set<Promise<void>>();
  /**
   * SKUs passes in flight are computing, with how many passes hold each: two can, when both took
   * marks of one SKU before either had told the other, and the first to finish must not free the
   * SKU while the second still computes it.
   */
  private readonly busySkus = new Map<string, number>();
  private running = false;
  private readonly maxPasses: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dirty: DirtySkuRepository,
    private readonly policies: ChannelPolicyRepository,
    private readonly availability: AvailabilityService,
    private readonly metrics: InventoryMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(INVENTORY_SETTINGS) private readonly settings: InventorySettings,
  ) {
    this.maxPasses = dataSource.options.type === 'postgres' ? settings.publishPassesInFlight : 1;
  }

  /** Starts with a pass at once: marks left by a crash or a shutdown are published first. */
  onApplicationBootstrap(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Stops scheduling, then publishes what is still marked, so the outbox relay (stopped after us) flushes it. */
  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.signal.stop();
    this.passTimer.cancel();
    await Promise.all(this.passes);
    await this.drain().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'availability publisher: final pass failed; the marks stay for the next start'),
    );
  }

  /** Call after a transaction that marked SKUs dirty has committed. */
  wake(): void {
    this.signal.wake();
  }

  /** Runs a pass in `delayMs`, unless one is already due sooner. */
  private schedule(delayMs: number): void {
    if (this.running) this.passTimer.within(delayMs);
  }

  private runPass(): void {
    if (this.passes.size >= this.maxPasses) return;
    const started = this.signal.checkpoint();
    const pass: Promise<void> = this.drain()
      .then(
        () => {
          // Marks of SKUs this pass held back the other from, or that came meanwhile, wait for the next pass.
          const more = this.signal.wokenSince(started) || this.passes.size > 1;
          this.schedule(more ? this.settings.coalesceWindowMs : this.settings.publishPollIntervalMs);
        },
        (error: unknown) => {
          if (error instanceof AvailabilityVersionConflictError) {
            // Another replica published a key of this batch first (expected with replicas): recompute soon.
            this.logger.debug({ err: error }, 'availability publisher: lost a race to another replica; retrying');
            this.schedule(this.settings.coalesceWindowMs);
            return;
          }
          this.logger.warn({ err: error }, 'availability publisher: pass failed; the marks stay and are retried');
          this.schedule(RETRY_DELAY_MS);
        },
      )
      .finally(() => {
        this.passes.delete(pass);
      });
    this.passes.add(pass);
  }

  /** Publishes batches until no marks are left (for this pass: the busy SKUs are another's). */
  private async drain(): Promise<void> {
    const batchSize = this.settings.publishBatchSize;
    for (;;) {
      const taken = new Set<string>();
      try {
        const { markCount, counts } = await withTransaction(this.dataSource, async (manager) => {
          const batch = await this.dirty.takeBatch(manager, batchSize, new Set(this.busySkus.keys()));
          for (const { sku } of batch.skus) {
            taken.add(sku);
            this.busySkus.set(sku, (this.busySkus.get(sku) ?? 0) + 1);
          }
          if (batch.markCount === 0) return { markCount: 0, counts: new Map<string, number>() };
          const policies = await this.policies.findAll(manager);
          const published = await this.availability.publishChanges(manager, batch.skus, policies, { force: false, now: new Date() });
          return { markCount: batch.markCount, counts: published };
        });
        if (totalPublished(counts) > 0) this.metrics.published(counts);
        if (markCount < batchSize) return;
      } finally {
        for (const sku of taken) {
          const holders = (this.busySkus.get(sku) ?? 1) - 1;
          if (holders > 0) this.busySkus.set(sku, holders);
          else this.busySkus.delete(sku);
        }
      }
    }
  }
}
