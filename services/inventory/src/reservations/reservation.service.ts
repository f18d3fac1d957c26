import { Injectable } from '@nestjs/common';
import { childTraceparent } from '@retail-mesh/observability';
import { withTransaction } from '@retail-mesh/persistence';
import { AlreadyExistsError, FailedPreconditionError, InvalidArgumentError, NotFoundError } from '@retail-mesh/service-kit';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { AvailabilityPublisher } from '../availability/availability.publisher.js';
import { DirtySkuRepository } from '../availability/dirty-sku.repository.js';
import type { ChannelPolicy } from '../channel-policy/channel-policy.js';
import { ChannelPolicyRepository } from '../channel-policy/channel-policy.repository.js';
import { InventoryMetrics, type ReservationChangeOutcome, type ReservationOutcome } from '../inventory.metrics.js';
import { positionKey } from '../stock/stock-change.js';
import { allocateLines, reservableQuantities, type AllocatedLine, type PositionOnHand } from './reservation-allocation.js';
import { ReservationOperationEntity } from './reservation-operation.entity.js';
import {
  assertConsumeRequest,
  assertLineOperationRequest,
  assertReservationId,
  assertReserveRequest,
  compareRepeatedRequest,
  sameLineQuantities,
  type ConsumeRequest,
  type LineOperationRequest,
  type ReserveRequest,
} from './reservation-request.js';
import { inRequestOrder, ReservationRepository } from './reservation.repository.js';
import {
  applyLineQuantities,
  compareText,
  consumedUnits,
  statusOfLines,
  type LineOperation,
  type Reservation,
  type ReservedLine,
} from './reservation.js';

export interface ReserveResult {
  reservation: Reservation;
  /** False when the idempotency key had been seen before. */
  created: boolean;
}

export type ReservationKey = { reservationId: string } | { orderId: string };

interface ChangeResult {
  reservation: Reservation;
  outcome: ReservationChangeOutcome;
  /** SKUs whose held units changed: their availability is recomputed. */
  changedSkus: string[];
}

/**
 * Holds stock for orders. Every change to held units marks the SKUs dirty in the same
 * transaction and wakes the availability publisher after the commit, so every channel's
 * availability drops (or rises) within the coalescing window.
 */
@Injectable()
export class ReservationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reservations: ReservationRepository,
    private readonly policies: ChannelPolicyRepository,
    private readonly dirty: DirtySkuRepository,
    private readonly availabilityPublisher: AvailabilityPublisher,
    private readonly metrics: InventoryMetrics,
  ) {}

  /**
   * Reserves every line or nothing (REJECTED with the shortages). A repeat of the key returns the
   * reservation as it stands (`created` false), unless it was rejected: then it is evaluated again,
   * with the repeat's lines when they differ (units of the order were cancelled meanwhile), so an
   * order retried after stock arrived gets its units.
   */
  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const [outcome] = await this.reserveBatch([request]);
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.result;
  }

  /**
   * `reserve` for several requests in one transaction: each request gets exactly what `reserve`
   * answers it, evaluated in request order (a later request sees the units an earlier one took,
   * and a repeated key in the batch sees the earlier one's reservation). A request `reserve` would
   * refuse gets its error and leaves the others unaffected: every refusal is decided before the
   * request writes anything. An unexpected failure (the database) fails the whole batch.
   */
  async reserveBatch(requests: readonly ReserveRequest[]): Promise<ReserveOutcome[]> {
    const outcomes = requests.map((request): ReserveOutcome | undefined => {
      try {
        assertReserveRequest(request);
        return undefined;
      } catch (error) {
        return { ok: false, error };
      }
    });
    const valid = requests.flatMap((request, index) => (outcomes[index] === undefined ? [{ request, index }] : []));
    if (valid.length > 0) {
      const evaluated = await withTransaction(this.dataSource, (manager) =>
        this.reserveInTransaction(
          manager,
          valid.map(({ request }) => request),
        ),
      );
      evaluated.forEach((outcome, position) => {
        outcomes[valid[position]!.index] = outcome.ok ? { ok: true, result: outcome.result } : outcome;
        if (outcome.ok) this.metrics.reservation(outcome.outcome);
      });
      if (evaluated.some((outcome) => outcome.ok && outcome.outcome === 'reserved')) this.availabilityPublisher.wake();
    }
    return outcomes as ReserveOutcome[];
  }

  /** Gives units back (order or line cancelled); `lines` empty = everything still held. */
  release(request: LineOperationRequest): Promise<Reservation> {
    assertLineOperationRequest(request, 'release');
    return this.change('release', request, 0);
  }

  /**
   * Units shipped: they stop being held. On hand is the ERP's to lower (its stock feed), so they
   * keep counting against availability until the stock change after the shipment (its ERP
   * version) is applied to their position; without a version, until the position's next change.
   */
  consume(request: ConsumeRequest): Promise<Reservation> {
    assertConsumeRequest(request);
    return this.change('consume', request, request.erpVersion);
  }

  async get(key: ReservationKey): Promise<Reservation> {
    const manager = this.dataSource.manager;
    if ('reservationId' in key) {
      assertReservationId(key.reservationId);
      return orNotFound(await this.reservations.findById(manager, key.reservationId, false), `reservation ${key.reservationId}`);
    }
    if (key.orderId.trim() === '') throw new InvalidArgumentError('missing_key', 'reservation_id or order_id is required');
    return orNotFound(
      await this.reservations.findByOrderId(manager, key.orderId),
      `a reservation for order ${JSON.stringify(key.orderId)}`,
    );
  }

  /**
   * Claims every request's key at once, then (holding the locks of the SKUs' stock positions, taken
   * once in (sku, location) order) evaluates the requests one after the other against what is
   * held, counting what each one takes, and writes the outcomes together.
   */
  private async reserveInTransaction(manager: EntityManager, requests: readonly ReserveRequest[]): Promise<Evaluated[]> {
    const now = new Date();
    const policies = new Map<string, ChannelPolicy | undefined>();
    for (const accountId of new Set(requests.map((request) => request.channelAccountId))) {
      policies.set(accountId, await this.policies.find(manager, accountId));
    }
    const outcomes: Evaluated[] = [];
    // Claimed as a rejected reservation at version 0; evaluated below, before anyone can see it.
    const headers = requests.map((request): Reservation | undefined => {
      const policy = policies.get(request.channelAccountId);
      const refusal = policyRefusal(request, policy);
      if (refusal) return undefined;
      return {
        reservationId: randomUUID(),
        idempotencyKey: request.idempotencyKey,
        orderId: request.orderId,
        channelAccountId: request.channelAccountId,
        channel: policy!.channel,
        requestedLines: request.lines,
        requestedLocationId: request.requestedLocationId,
        status: 'rejected',
        lines: [],
        shortages: [],
        version: 0,
        createdAt: now,
        updatedAt: now,
      };
    });
    const claimed = await this.reservations.claimMany(
      manager,
      headers.filter((header) => header !== undefined),
    );
    const stock = await this.lockStock(
      manager,
      requests.filter((request) => claimed.get(request.idempotencyKey)?.status === 'rejected'),
    );
    // What each key's reservation is after the requests before (a key may come twice).
    const current = new Map<string, Reservation>();
    const saved = new Map<string, Reservation>();
    const held: Array<{ reservationId: string; lines: AllocatedLine[] }> = [];
    const dirtySkus = new Set<string>();
    requests.forEach((request, index) => {
      const header = headers[index];
      if (header === undefined) {
        outcomes.push({ ok: false, error: policyRefusal(request, policies.get(request.channelAccountId))! });
        return;
      }
      const reservation = current.get(request.idempotencyKey) ?? claimed.get(request.idempotencyKey);
      if (reservation === undefined) {
        outcomes.push({
          ok: false,
          error: new AlreadyExistsError(
            'order_already_reserved',
            `order ${JSON.stringify(request.orderId)} already has a reservation under another idempotency key`,
          ),
        });
        return;
      }
      const created = !current.has(request.idempotencyKey) && reservation.reservationId === header.reservationId;
      const repeated = created ? 'same' : compareRepeatedRequest(reservation, request, header.channel);
      // A rejected reservation holds nothing, so it may take the order's new lines; any other keeps the ones it holds.
      if (repeated === 'different' || (repeated === 'other_lines' && reservation.status !== 'rejected')) {
        outcomes.push({
          ok: false,
          error: new AlreadyExistsError(
            'idempotency_key_reused',
            repeated === 'different'
              ? `idempotency key ${JSON.stringify(request.idempotencyKey)} was used for a different reservation request`
              : `idempotency key ${JSON.stringify(request.idempotencyKey)} has a ${reservation.status} reservation of other lines; only a rejected one takes new lines`,
          ),
        });
        return;
      }
      if (reservation.status !== 'rejected') {
        outcomes.push({ ok: true, result: { reservation, created }, outcome: 'repeated' });
        return;
      }
      const toEvaluate = repeated === 'other_lines' ? { ...reservation, requestedLines: request.lines } : reservation;
      const evaluated = this.evaluate(toEvaluate, policies.get(request.channelAccountId)!, stock, now, repeated === 'other_lines');
      if (evaluated !== reservation) saved.set(evaluated.reservationId, evaluated);
      if (evaluated.status === 'active') {
        held.push({ reservationId: evaluated.reservationId, lines: evaluated.lines });
        for (const line of evaluated.requestedLines) dirtySkus.add(line.sku);
      }
      current.set(request.idempotencyKey, evaluated);
      outcomes.push({
        ok: true,
        result: { reservation: evaluated, created },
        outcome: evaluated.status === 'active' ? 'reserved' : 'rejected',
      });
    });
    await this.reservations.insertLinesOf(manager, held);
    if (dirtySkus.size > 0) {
      await this.dirty.mark(manager, [...dirtySkus].sort(compareText), { sourceChangedAt: null, traceparent: childTraceparent() });
    }
    await this.reservations.saveHeaders(manager, [...saved.values()]);
    return outcomes;
  }

  /**
   * The stock positions of the SKUs the requests may reserve, locked until the transaction ends,
   * and what other reservations hold there. Every reservation takes these locks before it counts
   * what is held, so two reservations of the same units run one after the other.
   */
  private async lockStock(manager: EntityManager, requests: readonly ReserveRequest[]): Promise<LockedStock> {
    const skus = [...new Set(requests.flatMap((request) => request.lines.map((line) => line.sku)))].sort(compareText);
    const positions = skus.length === 0 ? [] : await this.reservations.lockPositions(manager, skus);
    const held = new Map<string, number>();
    for (const entry of skus.length === 0 ? [] : await this.reservations.heldBySkus(manager, skus)) {
      held.set(positionKey(entry.sku, entry.locationId), entry.quantity);
    }
    const positionsBySku = new Map<string, PositionOnHand[]>();
    for (const position of positions) positionsBySku.set(position.sku, [...(positionsBySku.get(position.sku) ?? []), position]);
    return { positionsBySku, held };
  }

  /**
   * Reserves what the allocation decides from what is reservable now (counting it as held for the
   * requests after), or records the shortages. `linesChanged`: the requested lines are new (a
   * rejected reservation retried with other lines), which is a change even when the shortages
   * stay the same. Returns `reservation` itself when nothing changed.
   */
  private evaluate(reservation: Reservation, policy: ChannelPolicy, stock: LockedStock, now: Date, linesChanged: boolean): Reservation {
    const positions = [...new Set(reservation.requestedLines.map((line) => line.sku))].flatMap(
      (sku) => stock.positionsBySku.get(sku) ?? [],
    );
    const held = positions.map((position) => ({
      sku: position.sku,
      locationId: position.locationId,
      quantity: stock.held.get(positionKey(position.sku, position.locationId)) ?? 0,
    }));
    const allocation = allocateLines(
      reservation.requestedLines,
      reservableQuantities(policy, positions, held, reservation.requestedLocationId),
    );
    const next: Reservation = { ...reservation, version: reservation.version + 1, updatedAt: now };
    if (allocation.ok) {
      for (const line of allocation.lines) {
        const key = positionKey(line.sku, line.locationId);
        stock.held.set(key, (stock.held.get(key) ?? 0) + line.quantity);
      }
      const lines = allocation.lines.map((line): ReservedLine => ({ ...line, releasedQuantity: 0, consumedQuantity: 0 }));
      return { ...next, status: 'active', shortages: [], lines: inRequestOrder(reservation.requestedLines, lines) };
    }
    // A retry that ends as it was is no change (no new version).
    if (!linesChanged && reservation.version > 0 && JSON.stringify(reservation.shortages) === JSON.stringify(allocation.shortages)) {
      return reservation;
    }
    return { ...next, status: 'rejected', shortages: allocation.shortages };
  }

  /** `shipmentVersion`: the consuming shipment's ERP version (0 = unknown, and for releases). */
  private async change(operation: LineOperation, request: LineOperationRequest, shipmentVersion: number): Promise<Reservation> {
    const { reservation, outcome, changedSkus } = await withTransaction(this.dataSource, (manager) =>
      this.changeInTransaction(manager, operation, request, shipmentVersion),
    );
    this.metrics.reservationChange(operation, outcome);
    if (changedSkus.length > 0) this.availabilityPublisher.wake();
    return reservation;
  }

  /** Under the reservation's row lock: a repeated id is recognised, then the units are taken. */
  private async changeInTransaction(
    manager: EntityManager,
    operation: LineOperation,
    request: LineOperationRequest,
    shipmentVersion: number,
  ): Promise<ChangeResult> {
    const current = orNotFound(
      await this.reservations.findById(manager, request.reservationId, true),
      `reservation ${request.reservationId}`,
    );
    const unchanged = (result: ReservationChangeOutcome): ChangeResult => ({ reservation: current, outcome: result, changedSkus: [] });
    if (request.operationId !== null) {
      const previous = await this.reservations.findOperation(manager, current.reservationId, operation, request.operationId);
      if (previous !== undefined) {
        if (!sameLineQuantities(previous.requestedLines, request.lines)) {
          const field = operation === 'release' ? 'release_id' : 'shipment_id';
          throw new AlreadyExistsError(
            `${field}_reused`,
            `${field} ${JSON.stringify(request.operationId)} was used for other lines of reservation ${current.reservationId}`,
          );
        }
        return unchanged('repeated');
      }
    }
    if (operation === 'consume' && current.status === 'rejected') {
      throw new FailedPreconditionError(
        'reservation_rejected',
        `reservation ${current.reservationId} was rejected: it holds nothing to consume`,
      );
    }
    const change = applyLineQuantities(current, operation, request.lines);
    if (!change.ok) {
      throw change.reason === 'unknown_line'
        ? new InvalidArgumentError(change.reason, change.message)
        : new FailedPreconditionError(change.reason, change.message);
    }
    const status = statusOfLines(change.lines);
    const changed = change.changedSkus.length > 0 || status !== current.status;
    const now = new Date();
    if (changed || request.operationId !== null) {
      await this.reservations.insertOperation(
        manager,
        Object.assign(new ReservationOperationEntity(), {
          reservationId: current.reservationId,
          operation,
          operationId: request.operationId ?? randomUUID(),
          requestedLines: request.lines,
          reason: request.reason,
          createdAt: now,
        }),
      );
    }
    if (!changed) return unchanged('unchanged');
    await this.reservations.updateLines(manager, current.reservationId, current.lines, change.lines);
    // Shipped units leave on hand only with the ERP's stock change after the shipment: until then they stay counted.
    if (operation === 'consume') {
      await this.reservations.recordConsumed(manager, consumedUnits(current.lines, change.lines), shipmentVersion, now);
    }
    const next: Reservation = { ...current, lines: change.lines, status, version: current.version + 1, updatedAt: now };
    await this.reservations.saveHeader(manager, next);
    if (change.changedSkus.length > 0) {
      await this.dirty.mark(manager, change.changedSkus, { sourceChangedAt: null, traceparent: childTraceparent() });
    }
    return { reservation: next, outcome: 'applied', changedSkus: change.changedSkus };
  }
}

/** What `reserve` answers one request of a batch: its result, or the error it would throw. */
export type ReserveOutcome = { ok: true; result: ReserveResult } | { ok: false; error: unknown };

type Evaluated = { ok: true; result: ReserveResult; outcome: ReservationOutcome } | { ok: false; error: unknown };

/** The locked positions of a batch's SKUs and the units held at each (the batch's own reservations added as it goes). */
interface LockedStock {
  positionsBySku: Map<string, PositionOnHand[]>;
  held: Map<string, number>;
}

/** Why the request's channel account cannot reserve (no policy, or a policy of another channel type). */
function policyRefusal(request: ReserveRequest, policy: ChannelPolicy | undefined): Error | undefined {
  if (policy === undefined) {
    return new NotFoundError(
      'channel_policy_not_found',
      `no availability policy for channel account ${JSON.stringify(request.channelAccountId)}`,
    );
  }
  if (request.channel !== '' && request.channel !== policy.channel) {
    return new InvalidArgumentError(
      'channel_mismatch',
      `channel account ${policy.channelAccountId} is a ${policy.channel} account, not ${request.channel}`,
    );
  }
  return undefined;
}

function orNotFound(reservation: Reservation | undefined, what: string): Reservation {
  if (reservation === undefined) throw new NotFoundError('reservation_not_found', `no ${what}`);
  return reservation;
}
