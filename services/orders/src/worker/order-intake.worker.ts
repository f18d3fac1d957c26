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
import { WorkQueue, type Claimed, type ClaimedBatch, type StepResult } from './work-queue.js';
import { WorkLoop } from './work-loop.js';

/** A pass held for orders about to be inserted (`OrderIntakeWorker.passForNew`). */
export interface NewOrdersPass {
  /** The claim to insert them with. */
  token: string;
  claimedUntil: Date;
  /** Hands the inserted orders to the pass (after the commit). */
  take(orders: ReadonlyArray<Omit<Claimed, 'token'>>): void;
  /** Nothing was inserted: the place is free again. */
  cancel(): void;
}

/**
 * Takes RECEIVED orders through validation (catalog: SKU known and listed on the channel
 * account; money, address, payment, fraud: libs/domain) to VALIDATED, and VALIDATED ones through
 * InventoryService.ReserveStockBatch (one call per batch; idempotency key = order id) to
 * RESERVED, or puts them on hold with the reason. Both steps of a pass commit together, each
 * order's steps as one change with a history entry per step: validation only reads, and the
 * reservation is idempotent, so a crash before the commit repeats both with no second effect.
 * The RESERVED orders go straight on to the ERP submission window when it has room and nothing
 * older waits (still claimed: no second claim); the others wait in the queue for its claim.
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

  /**
   * A pass for orders about to be inserted, when one is free and they fit in a batch: insert them
   * claimed with its claim, then hand them over with `take` once committed (no claim, no read);
   * `cancel` when nothing was inserted. Undefined: insert them unclaimed and wake the worker.
   */
  passForNew(count: number): NewOrdersPass | undefined {
    if (count > this.settings.workerBatchSize) return undefined;
    const place = this.loop.reserve();
    if (place === undefined) return undefined;
    const claim = this.queue.newClaim();
    return {
      ...claim,
      take: (orders) =>
        place.run(async () => {
          await this.work({ token: claim.token, items: orders.map((order) => ({ ...order, token: claim.token })) });
          // Whatever else is due was announced by its own wake-up.
          return false;
        }),
      cancel: () => place.cancel(),
    };
  }

  private async pass(): Promise<boolean> {
    const limit = this.settings.workerBatchSize;
    const batch = await this.queue.claim(['RECEIVED', 'VALIDATED'], limit);
    if (batch.items.length === 0) return false;
    await this.work(batch);
    return batch.items.length === limit;
  }

  /** Validates and reserves the batch's orders, commits, and hands the RESERVED ones on; ends the claims left. */
  private async work(batch: ClaimedBatch): Promise<void> {
    // Claims the commit ended or the ERP window took on are not this pass's to end.
    let settled = new Set<string>();
    let leftInQueue = false;
    try {
      const validation = await this.validate(batch.items.filter((item) => item.order.state === 'RECEIVED'));
      const toReserve = [
        ...batch.items.filter((item) => item.order.state === 'VALIDATED'),
        ...validation.flatMap((result) => (result.kind === 'advance' ? [this.queue.advanced(result)] : [])),
      ];
      // A shutdown lets the validation commit alone, then stops: the rest resumes at the next start.
      const reservation = this.loop.isRunning && toReserve.length > 0 ? await this.reserve(toReserve) : [];
      const { next, released } = await this.queue.commit(chainSteps(validation, reservation));
      const reserved = next.filter((item) => item.order.state === 'RESERVED');
      const handedOver = this.erp.offer(reserved);
      settled = new Set([...released, ...handedOver.map((item) => item.order.orderId)]);
      leftInQueue = handedOver.length < reserved.length;
    } finally {
      await this.queue.finish(batch, settled);
    }
    // What the window did not take waits in the queue: it claims it once the claims above are gone.
    if (leftInQueue) this.erp.wake();
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

/**
 * The validation results with what the reservation made of the orders validated (one change each,
 * committed together), then the reservation results of the orders that were validated before.
 */
function chainSteps(validation: readonly StepResult[], reservation: readonly StepResult[]): StepResult[] {
  const reservedNow = new Map(reservation.map((result) => [result.item.order.orderId, result]));
  const chained = validation.map((result): StepResult => {
    const then = reservedNow.get(result.item.order.orderId);
    if (result.kind !== 'advance' || then === undefined) return result;
    reservedNow.delete(result.item.order.orderId);
    return { ...result, then };
  });
  return [...chained, ...reservedNow.values()];
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
