import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { LOGGER } from '@retail-mesh/service-kit';
import { DataSource, IsNull, LessThanOrEqual, Not } from 'typeorm';
import { OrdersMetrics } from '../orders.metrics.js';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings.js';
import { PeerClients, peerFailureOf } from '../peers/peer-clients.js';
import { backoffMs } from '../worker/erp-gate.js';
import { WorkLoop } from '../worker/work-loop.js';
import { ReservationReleaseEntity } from './reservation-release.entity.js';

/**
 * Sends the reservation releases cancellations recorded: InventoryService.ReleaseReservation
 * with the release's id as `release_id`, so a repeat (a retry, a replica, a crash before the
 * release was marked sent) gives nothing back twice. Woken after each cancellation commits;
 * retries with backoff while inventory is unavailable.
 */
@Injectable()
export class ReservationReleases implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: WorkLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly peers: PeerClients,
    private readonly metrics: OrdersMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {
    this.loop = new WorkLoop(() => this.pass(), {
      name: 'reservation-releases',
      concurrency: 1,
      pollIntervalMs: settings.workerPollIntervalMs,
      retryDelayMs: settings.retryBackoffMs,
      logger,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Call after a transaction that recorded releases committed. */
  wake(): void {
    this.loop.wake();
  }

  private async pass(): Promise<boolean> {
    const limit = this.settings.workerBatchSize;
    const due = await this.dataSource.manager.find(ReservationReleaseEntity, {
      where: { dueAt: LessThanOrEqual(new Date()) },
      order: { dueAt: 'ASC', releaseId: 'ASC' },
      take: limit,
    });
    if (due.length === 0) return false;
    const outcomes = await Promise.all(due.map((release) => this.send(release)));
    await withTransaction(this.dataSource, async (manager) => {
      for (const outcome of outcomes) {
        // Only if nobody (another replica) finished it meanwhile.
        await manager.update(ReservationReleaseEntity, { releaseId: outcome.releaseId, dueAt: Not(IsNull()) }, outcome.values);
      }
    });
    return due.length === limit;
  }

  private async send(release: ReservationReleaseEntity): Promise<{ releaseId: string; values: Partial<ReservationReleaseEntity> }> {
    const now = new Date();
    try {
      await this.peers.inventory.releaseReservation({
        reservationId: release.reservationId,
        lines: release.lines,
        reason: release.reason,
        releaseId: release.releaseId,
      });
      return { releaseId: release.releaseId, values: { dueAt: null, releasedAt: now, lastError: null } };
    } catch (error) {
      const failure = peerFailureOf(error);
      const lastError = `${failure.reason ?? failure.code}: ${failure.message}`;
      if (failure.permanent) {
        // Inventory cannot apply it as it stands (e.g. the units shipped meanwhile): kept with the reason, not retried.
        this.logger.warn(
          { order_id: release.orderId, release_id: release.releaseId, err: lastError },
          'reservation release refused by inventory',
        );
        return { releaseId: release.releaseId, values: { dueAt: null, lastError } };
      }
      this.metrics.peerFailed('inventory', failure.code);
      const attempts = release.attempts + 1;
      const dueAt = new Date(now.getTime() + backoffMs(attempts, this.settings.retryBackoffMs, this.settings.retryMaxBackoffMs));
      return { releaseId: release.releaseId, values: { attempts, dueAt, lastError } };
    }
  }
}
