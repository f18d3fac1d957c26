import { status as GrpcStatus } from '@grpc/grpc-js';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { inventoryV1 } from '@retail-mesh/contracts';
import { holdFor, remainingLines, validateOrderContent, type HoldReason } from '@retail-mesh/domain';
import type { Logger } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { LOGGER } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { toLineQuantities, toOrderContent, toOrderMessage } from '../orders/order.mapper.js';
import { OrdersRepository } from '../orders/orders.repository.js';
import { OrdersMetrics } from '../orders.metrics.js';
import { ORDERS_SETTINGS, type OrdersSettings } from '../orders.settings.js';
import { PeerClients, peerFailureOf, peerFailureOfStatus, type PeerFailure } from '../peers/peer-clients.js';
import { CatalogCheck, type CatalogFindings } from './catalog-check.js';
import { ErpSubmissionWorker } from './erp-submission.worker.js';
import { WorkQueue, type Claimed, type StepResult } from './work-queue.js';
import { WorkLoop } from './work-loop.js';

/**
 * Takes RECEIVED orders through validation (catalog: SKU known and listed on the channel
 * account; money, address, payment, fraud: libs/domain) to VALIDATED, and VALIDATED ones through
 * InventoryService.ReserveStockBatch (one call per batch; idempotency key = order id) to
 * RESERVED, or puts them on hold with the reason. Each step commits for the whole batch before
 * the next one starts, so a crash resumes from the last committed state; the ERP submission
 * worker takes RESERVED orders on.
 */
@Injectable()
export class OrderIntakeWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: WorkLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrdersRepository,
    private readonly queue: WorkQueue,
    private readonly catalog: CatalogCheck,
    private readonly peers: PeerClients,
    private readonly erp: ErpSubmissionWorker,
    private readonly metrics: OrdersMetrics,
    @Inject(LOGGER) logger: Logger,
    @Inject(ORDERS_SETTINGS) private readonly settings: OrdersSettings,
  ) {
    this.loop = new WorkLoop(() => this.pass(), {
      name: 'order-intake',
      concurrency: settings.workerConcurrency,
      pollIntervalMs: settings.workerPollIntervalMs,
      retryDelayMs: settings.retryBackoffMs,
      logger,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // One process owns a SQLite file: claims left in it are from a process that is gone.
    if (this.dataSource.options.type !== 'postgres') {
      await withTransaction(this.dataSource, (manager) => this.orders.expireClaims(manager, new Date(0)));
    }
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Call after committing an order the worker should look at (submitted, released). */
  wake(): void {
    this.loop.wake();
  }

  private async pass(): Promise<boolean> {
    const limit = this.settings.workerBatchSize;
    const batch = await this.queue.claim(['RECEIVED', 'VALIDATED'], limit);
    if (batch.items.length === 0) return false;
    let reserved: Claimed[] = [];
    try {
      const received = batch.items.filter((item) => item.order.state === 'RECEIVED');
      const validated = batch.items.filter((item) => item.order.state === 'VALIDATED');
      validated.push(...(await this.queue.commit(await this.validate(received))));
      // A shutdown lets the step in flight commit, then stops: the rest resumes at the next start.
      if (this.loop.isRunning && validated.length > 0) reserved = await this.queue.commit(await this.reserve(validated));
    } finally {
      await this.queue.finish(batch);
    }
    // Once this pass's claims are gone, so that the ERP submission worker can take the orders.
    if (reserved.length > 0) this.erp.wake();
    return batch.items.length === limit;
  }

  /** One catalog look-up per channel account for the whole batch, then the domain's checks per order. */
  private async validate(items: readonly Claimed[]): Promise<StepResult[]> {
    const skusByAccount = new Map<string, Set<string>>();
    for (const { order, lines } of items) {
      const skus = skusByAccount.get(order.channelAccountId) ?? new Set<string>();
      for (const line of lines) skus.add(line.sku);
      skusByAccount.set(order.channelAccountId, skus);
    }
    const findings = new Map<string, CatalogFindings | Error>();
    await Promise.all(
      [...skusByAccount].map(async ([account, skus]) => {
        findings.set(account, await this.catalog.check(account, skus).catch((error: Error) => error));
      }),
    );
    return items.map((item): StepResult => {
      const found = findings.get(item.order.channelAccountId)!;
      if (found instanceof Error) return this.retry(item, 'catalog', found);
      const issues = validateOrderContent(toOrderContent(toOrderMessage(item.order, item.lines)), {
        ...found,
        waived: new Set(item.order.waivedHoldReasons),
      });
      const hold = holdFor(issues);
      return hold ? { item, kind: 'hold', ...hold } : { item, kind: 'advance', action: { kind: 'validate' } };
    });
  }

  /** One ReserveStockBatch for the orders that need stock held (a peer failure retries them all). */
  private async reserve(items: readonly Claimed[]): Promise<StepResult[]> {
    const results = items.map((item) => this.withoutReservation(item));
    const pending = items.filter((_, index) => results[index] === undefined);
    if (pending.length > 0) {
      let response: inventoryV1.ReserveStockBatchResponse;
      try {
        response = await this.peers.inventory.reserveStockBatch({ requests: pending.map(reserveRequestOf) });
      } catch (error) {
        return items.map((item, index) => results[index] ?? this.retry(item, 'inventory', error));
      }
      const outcomes = await Promise.all(
        pending.map((item, position) => {
          const result = response.results[position];
          if (result?.response) return this.reserved(item, result.response);
          return this.refused(item, peerFailureOfStatus(result?.error ?? { code: GrpcStatus.UNKNOWN, reason: '', message: 'no result' }));
        }),
      );
      let next = 0;
      results.forEach((result, index) => {
        if (result === undefined) results[index] = outcomes[next++];
      });
    }
    return results as StepResult[];
  }

  /** The outcome of an order that holds no stock of the merchant's, or already holds its own; undefined to reserve. */
  private withoutReservation(item: Claimed): StepResult | undefined {
    const { order } = item;
    // The channel ships it from its own stock (Amazon FBA): none of the merchant's is held.
    if (order.fulfilledByChannel)
      return { item, kind: 'advance', action: { kind: 'reserve' }, detail: 'fulfilled by the channel: nothing reserved' };
    // Validated again after an operator released an ERP rejection: the reservation still holds the stock.
    if (order.reservationId !== null)
      return { item, kind: 'advance', action: { kind: 'reserve' }, detail: `reservation ${order.reservationId}` };
    return undefined;
  }

  private async reserved(item: Claimed, response: inventoryV1.ReserveStockResponse): Promise<StepResult> {
    const reservation = response.reservation;
    if (reservation?.status === inventoryV1.ReservationStatus.RESERVATION_STATUS_ACTIVE) {
      return {
        item,
        kind: 'advance',
        action: { kind: 'reserve' },
        detail: `reservation ${reservation.reservationId}`,
        update: (claimed) => {
          claimed.order.reservationId = reservation.reservationId;
          return locateLines(claimed, reservation.lines);
        },
      };
    }
    return { item, kind: 'hold', ...(await this.shortageHold(item, response.shortages)) };
  }

  /** Inventory refused the request: retried later when that may help, else on hold with the reason. */
  private refused(item: Claimed, failure: PeerFailure): StepResult {
    if (!failure.permanent) return this.retryFor(item, 'inventory', failure);
    // The channel account has no policy, or inventory refused the request: nothing can be reserved as it is.
    const reason: HoldReason = failure.reason === 'channel_policy_not_found' ? 'LOCATION_NOT_ELIGIBLE' : 'INSUFFICIENT_STOCK';
    return {
      item,
      kind: 'hold',
      reason,
      detail: `inventory refused the reservation (${failure.reason ?? failure.code}): ${failure.message}`,
    };
  }

  /**
   * Why nothing could be reserved: the requested location is not eligible for the channel
   * account (its policy says so), or the stock is short (what each line lacks).
   */
  private async shortageHold(
    item: Claimed,
    shortages: readonly inventoryV1.ReservationShortage[],
  ): Promise<{ reason: HoldReason; detail: string }> {
    const { order } = item;
    if (order.requestedLocationId !== '') {
      const policy = await this.peers.inventory.getChannelPolicy({ channelAccountId: order.channelAccountId }).catch(() => undefined);
      const eligible = policy?.policy?.eligibleLocationIds ?? [];
      if (policy && eligible.length > 0 && !eligible.includes(order.requestedLocationId)) {
        return {
          reason: 'LOCATION_NOT_ELIGIBLE',
          detail: `location ${order.requestedLocationId} is not eligible for channel account ${order.channelAccountId} (eligible: ${eligible.join(', ')})`,
        };
      }
    }
    const lines = shortages.map(
      (shortage) => `${shortage.sku}: ${shortage.requestedQuantity} requested, ${shortage.reservableQuantity} reservable`,
    );
    const where = order.requestedLocationId === '' ? '' : ` at ${order.requestedLocationId}`;
    return { reason: 'INSUFFICIENT_STOCK', detail: `not enough stock${where}: ${lines.join('; ') || 'reservation rejected'}` };
  }

  private retry(item: Claimed, peer: 'catalog' | 'inventory', error: unknown): StepResult {
    return this.retryFor(item, peer, peerFailureOf(error));
  }

  private retryFor(item: Claimed, peer: 'catalog' | 'inventory', failure: PeerFailure): StepResult {
    this.metrics.peerFailed(peer, failure.code);
    return { item, kind: 'retry', error: `${peer}: ${failure.code}: ${failure.message}` };
  }
}

/** ReserveStock for an order's remaining units (idempotency key = order id). */
function reserveRequestOf({ order, lines }: Claimed): inventoryV1.ReserveStockRequest {
  const skuOf = new Map(lines.map((line) => [line.lineId, line.sku]));
  return {
    idempotencyKey: order.orderId,
    orderId: order.orderId,
    channelAccountId: order.channelAccountId,
    channel: order.channel,
    lines: remainingLines(toLineQuantities(lines)).map((line) => ({ ...line, sku: skuOf.get(line.lineId)! })),
    requestedLocationId: order.requestedLocationId,
  };
}

/** Sets each line's location to where most of its units are reserved; returns the lines that changed. */
function locateLines(item: Claimed, reserved: readonly inventoryV1.ReservationLine[]): Claimed['lines'] {
  const changed: Claimed['lines'] = [];
  for (const line of item.lines) {
    const parts = reserved.filter((part) => part.lineId === line.lineId).sort((a, b) => b.quantity - a.quantity);
    const locationId = parts[0]?.locationId ?? null;
    if (locationId !== line.locationId) {
      line.locationId = locationId;
      changed.push(line);
    }
  }
  return changed;
}
