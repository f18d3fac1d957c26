import { Injectable } from '@nestjs/common';
import { EntityColumns, forUpdate, inChunks, returnedRows, SqlParameters } from '@retail-mesh/persistence';
import { In, type EntityManager } from 'typeorm';
import { positionKey } from '../stock/stock-change.js';
import { STOCK_POSITION_TABLE, StockPositionEntity } from '../stock/stock-position.entity.js';
import { CONSUMED_STOCK_TABLE, ConsumedStockEntity } from './consumed-stock.entity.js';
import type { AllocatedLine, PositionOnHand, SkuLocationQuantity } from './reservation-allocation.js';
import {
  compareText,
  consumedStockVersion,
  type LineOperation,
  type RequestedLine,
  type Reservation,
  type ReservedLine,
} from './reservation.js';
import { ReservationLineEntity } from './reservation-line.entity.js';
import { ReservationOperationEntity } from './reservation-operation.entity.js';
import { ReservationEntity } from './reservation.entity.js';
import { RESERVED_STOCK_TABLE, ReservedStockEntity } from './reserved-stock.entity.js';

// Keeps each IN (...) list well under both databases' bound-parameter limits.
const SKUS_PER_QUERY = 500;
// Five parameters a row, for the same reason.
const CONSUMED_ROWS_PER_STATEMENT = 200;
// Three parameters a row.
const RESERVED_ROWS_PER_STATEMENT = 300;
// Reservation headers (twelve columns) and lines (seven) per statement, for the same reason.
const HEADERS_PER_STATEMENT = 100;
const LINES_PER_STATEMENT = 200;

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

  /**
   * `claim` for several requests (in request order) at once: inserts the headers whose key and
   * order are free (in key order, so two concurrent claims of overlapping keys take their locks in
   * the same order; of two keys for one order, the first in request order), then reads the
   * reservation with its lines, locked until the transaction ends, of every key it did not insert
   * (one it inserted is the header as given, locked by the insert). Keyed by idempotency key; a
   * key whose order another key holds is missing.
   */
  async claimMany(manager: EntityManager, headers: readonly ReservationHeader[]): Promise<Map<string, Reservation>> {
    const byKey = new Map<string, ReservationHeader>();
    const orders = new Set<string>();
    for (const header of headers) {
      if (byKey.has(header.idempotencyKey) || orders.has(header.orderId)) continue;
      byKey.set(header.idempotencyKey, header);
      orders.add(header.orderId);
    }
    const candidates = [...byKey.keys()].sort(compareText).map((key) => byKey.get(key)!);
    const inserted = await this.insertNewHeaders(manager, candidates);
    const claimed = new Map<string, Reservation>();
    for (const header of candidates) if (inserted.has(header.idempotencyKey)) claimed.set(header.idempotencyKey, { ...header, lines: [] });
    // The other keys' rows were there before (a repeat), or their order has a reservation under another key.
    const keys = [...new Set(headers.map((header) => header.idempotencyKey))].filter((key) => !inserted.has(key)).sort(compareText);
    await inChunks(keys, SKUS_PER_QUERY, async (chunk) => {
      const query = manager
        .createQueryBuilder(ReservationEntity, 'reservation')
        .where({ idempotencyKey: In(chunk) })
        .orderBy('reservation.idempotencyKey', 'ASC');
      const entities = await forUpdate(manager, query).getMany();
      const lines = await this.linesOf(
        manager,
        entities.map((entity) => entity.reservationId),
      );
      for (const entity of entities) claimed.set(entity.idempotencyKey, toReservation(entity, lines.get(entity.reservationId) ?? []));
    });
    return claimed;
  }

  /** Writes the headers of reservations this transaction claimed (requested lines, status, shortages, version, updated time). */
  async saveHeaders(manager: EntityManager, reservations: readonly Reservation[]): Promise<void> {
    const changed = ['requested_lines', 'status', 'shortages', 'version', 'updated_at'];
    await this.writeHeaders(
      manager,
      reservations,
      `ON CONFLICT (reservation_id) DO UPDATE SET ${changed.map((column) => `${column} = excluded.${column}`).join(', ')}`,
    );
  }

  /** Inserts the lines several reservations hold, in as few statements as the parameter limits allow. */
  async insertLinesOf(
    manager: EntityManager,
    held: ReadonlyArray<{ reservationId: string; lines: readonly AllocatedLine[] }>,
  ): Promise<void> {
    const columns = EntityColumns.of(manager.connection, ReservationLineEntity, LINE_COLUMNS);
    const rows = held.flatMap(({ reservationId, lines }) =>
      lines.map((line) => [reservationId, line.lineId, line.locationId, line.sku, line.quantity, 0, 0]),
    );
    await inChunks(rows, LINES_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      await manager.query(`INSERT INTO reservation_line (${columns.names}) ${parameters.rowSource(columns, chunk)}`, parameters.values);
    });
    await this.addReserved(
      manager,
      held.flatMap(({ lines }) => lines),
    );
  }

  findById(manager: EntityManager, reservationId: string, lock: boolean): Promise<Reservation | undefined> {
    return this.findOne(manager, { reservationId }, lock);
  }

  findByOrderId(manager: EntityManager, orderId: string): Promise<Reservation | undefined> {
    return this.findOne(manager, { orderId }, false);
  }

  /** Writes requested lines, status, shortages, version and updated time (the caller holds the row's lock). */
  async saveHeader(manager: EntityManager, reservation: Reservation): Promise<void> {
    await manager.update(
      ReservationEntity,
      { reservationId: reservation.reservationId },
      {
        requestedLines: reservation.requestedLines,
        status: reservation.status,
        shortages: reservation.shortages,
        version: reservation.version,
        updatedAt: reservation.updatedAt,
      },
    );
  }

  /** Writes the released and consumed quantities of `lines` that differ from `before`, and what they no longer hold. */
  async updateLines(manager: EntityManager, reservationId: string, before: ReservedLine[], lines: ReservedLine[]): Promise<void> {
    const freed: SkuLocationQuantity[] = [];
    for (const [index, line] of lines.entries()) {
      const old = before[index];
      if (old?.releasedQuantity === line.releasedQuantity && old.consumedQuantity === line.consumedQuantity) continue;
      await manager.update(
        ReservationLineEntity,
        { reservationId, lineId: line.lineId, locationId: line.locationId },
        { releasedQuantity: line.releasedQuantity, consumedQuantity: line.consumedQuantity },
      );
      const wasHeld = old ? old.quantity - old.releasedQuantity - old.consumedQuantity : 0;
      freed.push({
        sku: line.sku,
        locationId: line.locationId,
        quantity: line.quantity - line.releasedQuantity - line.consumedQuantity - wasHeld,
      });
    }
    await this.addReserved(manager, freed);
  }

  /**
   * The on-hand of `skus` at every location, locked in (sku, location) order until the
   * transaction ends (PostgreSQL). Every reservation takes these locks before it counts what is
   * held, so two reservations of the same units run one after the other and the second sees the
   * first's lines; the consistent order rules out deadlocks between them. SQLite transactions
   * already run one at a time.
   */
  async lockPositions(manager: EntityManager, skus: string[]): Promise<PositionOnHand[]> {
    const rows = await this.lockedPositions(manager, skus);
    return rows.map((row) => ({ sku: row.sku, locationId: row.locationId, onHand: row.onHand }));
  }

  /**
   * Units that are not free per SKU x location (only where there are some): held by active
   * reservations, plus units shipped that the ERP's on hand does not reflect yet (recorded at an
   * ERP version the position's is not above). Availability and reservations subtract both, so
   * shipped units are never shown as available, nor subtracted twice (ADR 0005).
   */
  async heldBySkus(manager: EntityManager, skus: string[]): Promise<SkuLocationQuantity[]> {
    const held = new Map<string, SkuLocationQuantity>();
    const add = (row: { sku: string; locationId: string; quantity: string | number }) => {
      const key = positionKey(row.sku, row.locationId);
      // PostgreSQL's SUM over bigint is numeric, which node-postgres hands over as a string.
      const quantity = Number(row.quantity);
      const known = held.get(key);
      if (known === undefined) held.set(key, { sku: row.sku, locationId: row.locationId, quantity });
      else known.quantity += quantity;
    };
    await inChunks([...new Set(skus)], SKUS_PER_QUERY, async (chunk) => {
      // Written by hand, one statement: every reservation and availability computation runs it.
      const parameters = SqlParameters.for(manager.connection);
      const rows: Array<{ sku: string; locationId: string; quantity: string | number }> = await manager.query(
        `SELECT sku, location_id AS "locationId", quantity
         FROM ${RESERVED_STOCK_TABLE}
         WHERE sku ${parameters.inList(chunk)} AND quantity > 0
         UNION ALL
         SELECT consumed.sku, consumed.location_id, SUM(consumed.quantity)
         FROM ${CONSUMED_STOCK_TABLE} consumed
         JOIN ${STOCK_POSITION_TABLE} position
           ON position.sku = consumed.sku AND position.location_id = consumed.location_id AND position.erp_version <= consumed.erp_version
         WHERE consumed.sku ${parameters.inList(chunk)}
         GROUP BY consumed.sku, consumed.location_id`,
        parameters.values,
      );
      rows.forEach(add);
    });
    return [...held.values()];
  }

  /**
   * Remembers units shipped per SKU x location at the ERP version they count up to
   * (`consumedStockVersion`: the shipment's, or the position's current one when `shipmentVersion`
   * is 0); units at the same version add up. Rows of the SKUs that no longer count (their
   * position's version is above theirs) are deleted first, so the table keeps only what may still
   * count plus what expired since the SKUs' last shipment; the stock path never touches it.
   */
  async recordConsumed(manager: EntityManager, units: readonly SkuLocationQuantity[], shipmentVersion: number, now: Date): Promise<void> {
    if (units.length === 0) return;
    const skus = [...new Set(units.map((unit) => unit.sku))];
    // Locked in the order reservations and stock changes lock them: consumptions of the same SKUs
    // take turns on their consumed_stock rows instead of deadlocking, and versions cannot move meanwhile.
    const positions = await this.lockedPositions(manager, skus);
    await inChunks(skus, SKUS_PER_QUERY, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      await manager.query(
        `DELETE FROM ${CONSUMED_STOCK_TABLE}
         WHERE sku ${parameters.inList(chunk)}
           AND erp_version < (
             SELECT ${STOCK_POSITION_TABLE}.erp_version FROM ${STOCK_POSITION_TABLE}
             WHERE ${STOCK_POSITION_TABLE}.sku = ${CONSUMED_STOCK_TABLE}.sku
               AND ${STOCK_POSITION_TABLE}.location_id = ${CONSUMED_STOCK_TABLE}.location_id)`,
        parameters.values,
      );
    });

    const versionOf = new Map(positions.map((position) => [positionKey(position.sku, position.locationId), position.erpVersion]));
    const rows = units.flatMap((unit) => {
      const erpVersion = consumedStockVersion(versionOf.get(positionKey(unit.sku, unit.locationId)) ?? 0, shipmentVersion);
      return erpVersion === undefined ? [] : [[unit.sku, unit.locationId, erpVersion, unit.quantity, now]];
    });
    const columns = EntityColumns.of(manager.connection, ConsumedStockEntity, ['sku', 'locationId', 'erpVersion', 'quantity', 'updatedAt']);
    await inChunks(rows, CONSUMED_ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      await manager.query(
        `INSERT INTO ${CONSUMED_STOCK_TABLE} (${columns.names})
         ${parameters.rowSource(columns, chunk)}
         ON CONFLICT (sku, location_id, erp_version) DO UPDATE SET
           quantity = ${CONSUMED_STOCK_TABLE}.quantity + excluded.quantity,
           updated_at = excluded.updated_at`,
        parameters.values,
      );
    });
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

  /** Inserts the headers whose key and order are free; returns the keys inserted. */
  private async insertNewHeaders(manager: EntityManager, headers: readonly ReservationHeader[]): Promise<Set<string>> {
    const rows = await inChunks(headers, HEADERS_PER_STATEMENT, (chunk) =>
      returnedRows<{ idempotency_key: string }>(
        manager,
        ...this.headersInsert(manager, chunk, 'ON CONFLICT DO NOTHING RETURNING idempotency_key'),
      ),
    );
    return new Set(rows.map((row) => row.idempotency_key));
  }

  /**
   * Inserts reservation headers with the given conflict clause, in statements of 100 (written by
   * hand: TypeORM's insert builder costs more than the database does here).
   */
  private async writeHeaders(manager: EntityManager, headers: readonly ReservationHeader[], onConflict: string): Promise<void> {
    await inChunks(headers, HEADERS_PER_STATEMENT, async (chunk) => {
      await manager.query(...this.headersInsert(manager, chunk, onConflict));
    });
  }

  /** The INSERT of these headers (at most HEADERS_PER_STATEMENT) with `tail` after its rows, and its parameters. */
  private headersInsert(manager: EntityManager, headers: readonly ReservationHeader[], tail: string): [string, unknown[]] {
    const columns = EntityColumns.of(manager.connection, ReservationEntity, HEADER_COLUMNS);
    const parameters = SqlParameters.for(manager.connection);
    const source = parameters.rowSource(
      columns,
      headers.map((header) => columns.valuesOf(header)),
    );
    return [`INSERT INTO reservation (${columns.names}) ${source} ${tail}`, parameters.values];
  }

  private async linesOf(manager: EntityManager, reservationIds: readonly string[]): Promise<Map<string, ReservationLineEntity[]>> {
    const byReservation = new Map<string, ReservationLineEntity[]>();
    if (reservationIds.length === 0) return byReservation;
    for (const line of await manager.findBy(ReservationLineEntity, { reservationId: In([...reservationIds]) })) {
      byReservation.set(line.reservationId, [...(byReservation.get(line.reservationId) ?? []), line]);
    }
    return byReservation;
  }

  /**
   * Adds what lines hold (negative: what they no longer hold) to reserved_stock, one row per SKU x
   * location, in key order: concurrent writers of the same keys take their row locks in one order.
   */
  private async addReserved(manager: EntityManager, changes: readonly SkuLocationQuantity[]): Promise<void> {
    const totals = new Map<string, SkuLocationQuantity>();
    for (const change of changes) {
      const key = positionKey(change.sku, change.locationId);
      const total = totals.get(key) ?? { sku: change.sku, locationId: change.locationId, quantity: 0 };
      total.quantity += change.quantity;
      totals.set(key, total);
    }
    const rows = [...totals.values()]
      .filter((total) => total.quantity !== 0)
      .sort((a, b) => compareText(a.sku, b.sku) || compareText(a.locationId, b.locationId))
      .map((total) => [total.sku, total.locationId, total.quantity]);
    const columns = EntityColumns.of(manager.connection, ReservedStockEntity, ['sku', 'locationId', 'quantity']);
    await inChunks(rows, RESERVED_ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      await manager.query(
        `INSERT INTO ${RESERVED_STOCK_TABLE} (${columns.names}) ${parameters.rowSource(columns, chunk)}
         ON CONFLICT (sku, location_id) DO UPDATE SET quantity = ${RESERVED_STOCK_TABLE}.quantity + excluded.quantity`,
        parameters.values,
      );
    });
  }

  /** The positions of `skus`, locked in (sku, location) order until the transaction ends (PostgreSQL). */
  private async lockedPositions(manager: EntityManager, skus: string[]): Promise<StockPositionEntity[]> {
    if (skus.length === 0) return [];
    const query = manager
      .createQueryBuilder(StockPositionEntity, 'position')
      .where('position.sku IN (:...skus)', { skus: [...skus].sort(compareText) })
      .orderBy('position.sku', 'ASC')
      .addOrderBy('position.locationId', 'ASC');
    return forUpdate(manager, query).getMany();
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
  const lines = inRequestOrder(
    entity.requestedLines,
    lineEntities.map((line): ReservedLine => ({
      lineId: line.lineId,
      sku: line.sku,
      locationId: line.locationId,
      quantity: line.quantity,
      releasedQuantity: line.releasedQuantity,
      consumedQuantity: line.consumedQuantity,
    })),
  );
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

/** Lines in request order, the parts of a split line by location. */
export function inRequestOrder(requested: readonly RequestedLine[], lines: ReservedLine[]): ReservedLine[] {
  const position = new Map(requested.map((line, index) => [line.lineId, index]));
  return lines.sort((a, b) => (position.get(a.lineId) ?? 0) - (position.get(b.lineId) ?? 0) || compareText(a.locationId, b.locationId));
}

// The columns of a reservation header and of a reservation line, in the order their values are given.
const HEADER_COLUMNS = [
  'reservationId',
  'idempotencyKey',
  'orderId',
  'channelAccountId',
  'channel',
  'requestedLines',
  'requestedLocationId',
  'status',
  'shortages',
  'version',
  'createdAt',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof ReservationHeader>;
const LINE_COLUMNS = ['reservationId', 'lineId', 'locationId', 'sku', 'quantity', 'releasedQuantity', 'consumedQuantity'] as const;

function toEntity(header: ReservationHeader): ReservationEntity {
  return Object.assign(new ReservationEntity(), header);
}
