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
import { allocateLines, reservableQuantities } from './reservation-allocation.js';
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
import { ReservationRepository } from './reservation.repository.js';
import { applyLineQuantities, compareText, consumedUnits, statusOfLines, type LineOperation, type Reservation } from './reservation.js';

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
    assertReserveRequest(request);
    const { result, outcome } = await withTransaction(this.dataSource, (manager) => this.reserveInTransaction(manager, request));
    this.metrics.reservation(outcome);
    if (outcome === 'reserved') this.availabilityPublisher.wake();
    return result;
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

  private async reserveInTransaction(
    manager: EntityManager,
    request: ReserveRequest,
  ): Promise<{ result: ReserveResult; outcome: ReservationOutcome }> {
    const policy = await this.policies.find(manager, request.channelAccountId);
    if (policy === undefined) {
      throw new NotFoundError(
        'channel_policy_not_found',
        `no availability policy for channel account ${JSON.stringify(request.channelAccountId)}`,
      );
    }
    if (request.channel !== '' && request.channel !== policy.channel) {
      throw new InvalidArgumentError(
        'channel_mismatch',
        `channel account ${policy.channelAccountId} is a ${policy.channel} account, not ${request.channel}`,
      );
    }
    const now = new Date();
    // Claimed as a rejected reservation at version 0; evaluated below, before anyone can see it.
    const claimed = await this.reservations.claim(manager, {
      reservationId: randomUUID(),
      idempotencyKey: request.idempotencyKey,
      orderId: request.orderId,
      channelAccountId: request.channelAccountId,
      channel: policy.channel,
      requestedLines: request.lines,
      requestedLocationId: request.requestedLocationId,
      status: 'rejected',
      shortages: [],
      version: 0,
      createdAt: now,
      updatedAt: now,
    });
    if (claimed === undefined) {
      throw new AlreadyExistsError(
        'order_already_reserved',
        `order ${JSON.stringify(request.orderId)} already has a reservation under another idempotency key`,
      );
    }
    const { reservation, created } = claimed;
    const repeated = created ? 'same' : compareRepeatedRequest(reservation, request, policy.channel);
    // A rejected reservation holds nothing, so it may take the order's new lines; any other keeps the ones it holds.
    if (repeated === 'different' || (repeated === 'other_lines' && reservation.status !== 'rejected')) {
      throw new AlreadyExistsError(
        'idempotency_key_reused',
        repeated === 'different'
          ? `idempotency key ${JSON.stringify(request.idempotencyKey)} was used for a different reservation request`
          : `idempotency key ${JSON.stringify(request.idempotencyKey)} has a ${reservation.status} reservation of other lines; only a rejected one takes new lines`,
      );
    }
    if (reservation.status !== 'rejected') return { result: { reservation, created }, outcome: 'repeated' };
    const toEvaluate = repeated === 'other_lines' ? { ...reservation, requestedLines: request.lines } : reservation;
    const evaluated = await this.evaluate(manager, toEvaluate, policy, now, repeated === 'other_lines');
    return { result: { reservation: evaluated, created }, outcome: evaluated.status === 'active' ? 'reserved' : 'rejected' };
  }

  /**
   * Locks the stock positions of the requested SKUs, counts what other reservations hold there
   * and reserves what the allocation decides, or records the shortages. `linesChanged`: the
   * requested lines are new (a rejected reservation retried with other lines), which is a change
   * even when the shortages stay the same.
   */
  private async evaluate(
    manager: EntityManager,
    reservation: Reservation,
    policy: ChannelPolicy,
    now: Date,
    linesChanged: boolean,
  ): Promise<Reservation> {
    const skus = [...new Set(reservation.requestedLines.map((line) => line.sku))].sort(compareText);
    const positions = await this.reservations.lockPositions(manager, skus);
    const held = await this.reservations.heldBySkus(manager, skus);
    const allocation = allocateLines(
      reservation.requestedLines,
      reservableQuantities(policy, positions, held, reservation.requestedLocationId),
    );
    const next: Reservation = { ...reservation, version: reservation.version + 1, updatedAt: now };
    if (allocation.ok) {
      await this.reservations.insertLines(manager, reservation.reservationId, allocation.lines);
      await this.dirty.mark(manager, skus, { sourceChangedAt: null, traceparent: childTraceparent() });
      await this.reservations.saveHeader(manager, { ...next, status: 'active', shortages: [] });
      return orNotFound(
        await this.reservations.findById(manager, reservation.reservationId, false),
        `reservation ${reservation.reservationId}`,
      );
    }
    // A retry that ends as it was is no change (no new version).
    if (!linesChanged && reservation.version > 0 && JSON.stringify(reservation.shortages) === JSON.stringify(allocation.shortages)) {
      return reservation;
    }
    const rejected: Reservation = { ...next, status: 'rejected', shortages: allocation.shortages };
    await this.reservations.saveHeader(manager, rejected);
    return rejected;
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

function orNotFound(reservation: Reservation | undefined, what: string): Reservation {
  if (reservation === undefined) throw new NotFoundError('reservation_not_found', `no ${what}`);
  return reservation;
}
