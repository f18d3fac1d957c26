import { Injectable } from '@nestjs/common';
import { forUpdate } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import { StockPositionEntity } from '../stock/stock-position.entity.js';
import type { AllocatedLine, PositionOnHand, SkuLocationQuantity } from './reservation-allocation.js';
import { compareText, type LineOperation, type Reservation, type ReservedLine } from './reservation.js';
import { ReservationLineEntity } from './reservation-line.entity.js';
import { ReservationOperationEntity } from './reservation-operation.entity.js';
import { ReservationEntity } from './reservation.entity.js';

// Keeps each IN (...) list well under both databases' bound-parameter limits.
const SKUS_PER_QUERY = 500;

type ReservationHeader = Omit<Reservation, 'lines'>;

@Injectable()
export class ReservationRepository {
  /**
   * Inserts `header` unless its idempotency key or its order already has a reservation (the
   * unique indexes decide: INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the
   * same key to commit), then reads the key's reservation, locked until the transaction ends.
   * `created` is true when the row is the one just inserted; undefined when the order is taken
   * by another key.
   */
  async claim(manager: EntityManager, header: ReservationHeader): Promise<{ reservation: Reservation; created: boolean } | undefined> {
    await manager.createQueryBuilder().insert().into(ReservationEntity).values(toEntity(header)).orIgnore().updateEntity(false).execute();
    const reservation = await this.findOne(manager, { idempotencyKey: header.idempotencyKey }, true);
    return reservation && { reservation, created: reservation.reservationId === header.reservationId };
  }

  findById(manager: EntityManager, reservationId: string, lock: boolean): Promise<Reservation | undefined> {
    return this.findOne(manager, { reservationId }, lock);
  }

  findByOrderId(manager: EntityManager, orderId: string): Promise<Reservation | undefined> {
    return this.findOne(manager, { orderId }, false);
  }

  /** Writes status, shortages, version and updated time (the caller holds the row's lock). */
  async saveHeader(manager: EntityManager, reservation: Reservation): Promise<void> {
    await manager.update(
      ReservationEntity,
      { reservationId: reservation.reservationId },
      { status: reservation.status, shortages: reservation.shortages, version: reservation.version, updatedAt: reservation.updatedAt },
    );
  }

  async insertLines(manager: EntityManager, reservationId: string, lines: AllocatedLine[]): Promise<void> {
    if (lines.length === 0) return;
    const rows = lines.map((line) => ({ reservationId, ...line, releasedQuantity: 0, consumedQuantity: 0 }));
    await manager.createQueryBuilder().insert().into(ReservationLineEntity).values(rows).updateEntity(false).execute();
  }

  /** Writes the released and consumed quantities of `lines` that differ from `before`. */
  async updateLines(manager: EntityManager, reservationId: string, before: ReservedLine[], lines: ReservedLine[]): Promise<void> {
    for (const [index, line] of lines.entries()) {
      const old = before[index];
      if (old?.releasedQuantity === line.releasedQuantity && old.consumedQuantity === line.consumedQuantity) continue;
      await manager.update(
        ReservationLineEntity,
        { reservationId, lineId: line.lineId, locationId: line.locationId },
        { releasedQuantity: line.releasedQuantity, consumedQuantity: line.consumedQuantity },
      );
    }
  }

  /**
   * The on-hand of `skus` at every location, locked in (sku, location) order until the
   * transaction ends (PostgreSQL). Every reservation takes these locks before it counts what is
   * held, so two reservations of the same units run one after the other and the second sees the
   * first's lines; the consistent order rules out deadlocks between them. SQLite transactions
   * already run one at a time.
   */
  async lockPositions(manager: EntityManager, skus: string[]): Promise<PositionOnHand[]> {
    if (skus.length === 0) return [];
    const query = manager
      .createQueryBuilder(StockPositionEntity, 'position')
      .where('position.sku IN (:...skus)', { skus: [...skus].sort(compareText) })
      .orderBy('position.sku', 'ASC')
      .addOrderBy('position.locationId', 'ASC');
    const rows = await forUpdate(manager, query).getMany();
    return rows.map((row) => ({ sku: row.sku, locationId: row.locationId, onHand: row.onHand }));
  }

  /** Units active reservations hold per SKU x location (only where they hold some). */
  async heldBySkus(manager: EntityManager, skus: string[]): Promise<SkuLocationQuantity[]> {
    const held: SkuLocationQuantity[] = [];
    const unique = [...new Set(skus)];
    for (let start = 0; start < unique.length; start += SKUS_PER_QUERY) {
      const rows: Array<{ sku: string; locationId: string; quantity: string | number }> = await manager
        .createQueryBuilder(ReservationLineEntity, 'line')
        .select('line.sku', 'sku')
        .addSelect('line.locationId', 'locationId')
        .addSelect('SUM(line.quantity - line.releasedQuantity - line.consumedQuantity)', 'quantity')
        .where('line.sku IN (:...skus)', { skus: unique.slice(start, start + SKUS_PER_QUERY) })
        .andWhere('line.quantity > line.releasedQuantity + line.consumedQuantity')
        .groupBy('line.sku')
        .addGroupBy('line.locationId')
        .getRawMany();
      // PostgreSQL's SUM over bigint is numeric, which node-postgres hands over as a string.
      for (const row of rows) held.push({ sku: row.sku, locationId: row.locationId, quantity: Number(row.quantity) });
    }
    return held;
  }

  async findOperation(
    manager: EntityManager,
    reservationId: string,
    operation: LineOperation,
    operationId: string,
  ): Promise<ReservationOperationEntity | undefined> {
    return (await manager.findOneBy(ReservationOperationEntity, { reservationId, operation, operationId })) ?? undefined;
  }

  async insertOperation(manager: EntityManager, row: ReservationOperationEntity): Promise<void> {
    await manager.insert(ReservationOperationEntity, row);
  }

  private async findOne(
    manager: EntityManager,
    where: Partial<Pick<ReservationEntity, 'reservationId' | 'idempotencyKey' | 'orderId'>>,
    lock: boolean,
  ): Promise<Reservation | undefined> {
    const query = manager.createQueryBuilder(ReservationEntity, 'reservation').where(where);
    const entity = await (lock ? forUpdate(manager, query) : query).getOne();
    if (entity === null) return undefined;
    const lines = await manager.findBy(ReservationLineEntity, { reservationId: entity.reservationId });
    return toReservation(entity, lines);
  }
}

function toReservation(entity: ReservationEntity, lineEntities: ReservationLineEntity[]): Reservation {
  // Lines in request order, the parts of a split line by location.
  const position = new Map(entity.requestedLines.map((line, index) => [line.lineId, index]));
  const lines = lineEntities
    .map((line): ReservedLine => ({
      lineId: line.lineId,
      sku: line.sku,
      locationId: line.locationId,
      quantity: line.quantity,
      releasedQuantity: line.releasedQuantity,
      consumedQuantity: line.consumedQuantity,
    }))
    .sort((a, b) => (position.get(a.lineId) ?? 0) - (position.get(b.lineId) ?? 0) || compareText(a.locationId, b.locationId));
  return {
    reservationId: entity.reservationId,
    idempotencyKey: entity.idempotencyKey,
    orderId: entity.orderId,
    channelAccountId: entity.channelAccountId,
    channel: entity.channel,
    requestedLines: entity.requestedLines,
    requestedLocationId: entity.requestedLocationId,
    status: entity.status,
    lines,
    shortages: entity.shortages,
    version: entity.version,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}

function toEntity(header: ReservationHeader): ReservationEntity {
  return Object.assign(new ReservationEntity(), header);
}
