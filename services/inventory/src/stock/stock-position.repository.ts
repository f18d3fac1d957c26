import { Injectable } from '@nestjs/common';
import { EntityColumns, inChunks, keysetPage, SqlParameters } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import type { StockChange } from './stock-change.js';
import { STOCK_POSITION_TABLE, StockPositionEntity } from './stock-position.entity.js';

// Six parameters a row: keeps each statement well under both databases' bound-parameter limits.
const CHANGES_PER_STATEMENT = 200;
// Keeps each IN (...) list well under both databases' bound-parameter limits.
const SKUS_PER_QUERY = 500;

export interface StockPositionFilter {
  skus: string[];
  /** Empty = every location. */
  locationId: string;
}

export interface StockPositionKey {
  sku: string;
  locationId: string;
}

export interface SkuLocationOnHand extends StockPositionKey {
  onHand: number;
}

@Injectable()
export class StockPositionRepository {
  /**
   * Applies each change whose version is newer than the stored one (creating missing positions)
   * and returns the keys it applied. One `INSERT … ON CONFLICT DO UPDATE … WHERE erp_version <
   * excluded.erp_version RETURNING` per 200 changes decides, so concurrent transactions holding two
   * versions of a key cannot both win, whatever order they commit in. At most one change per key:
   * the caller keeps the newest of a batch.
   */
  async applyMany(manager: EntityManager, changes: readonly StockChange[], now: Date): Promise<StockPositionKey[]> {
    const columns = EntityColumns.of(manager.connection, StockPositionEntity, [
      'sku',
      'locationId',
      'onHand',
      'erpVersion',
      'erpChangedAt',
      'updatedAt',
    ]);
    return inChunks(changes, CHANGES_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((change) => [change.sku, change.locationId, change.onHand, change.version, change.changedAt, now]),
      );
      // Written by hand, values in order: the publisher's hottest statement.
      const query = `
        INSERT INTO ${STOCK_POSITION_TABLE} (${columns.names})
        ${source}
        ON CONFLICT (sku, location_id) DO UPDATE SET
          on_hand = excluded.on_hand,
          erp_version = excluded.erp_version,
          erp_changed_at = excluded.erp_changed_at,
          updated_at = excluded.updated_at
        WHERE ${STOCK_POSITION_TABLE}.erp_version < excluded.erp_version
        RETURNING sku, location_id`;
      const returned: Array<{ sku: string; location_id: string }> = await manager.query(query, parameters.values);
      return returned.map((row) => ({ sku: row.sku, locationId: row.location_id }));
    });
  }

  findOne(manager: EntityManager, key: StockPositionKey): Promise<StockPositionEntity> {
    return manager.findOneByOrFail(StockPositionEntity, { sku: key.sku, locationId: key.locationId });
  }

  /** The on-hand of `skus` at every location, in (sku, location) order (read by hand: the publisher's hot read). */
  async findBySkus(manager: EntityManager, skus: readonly string[]): Promise<SkuLocationOnHand[]> {
    return inChunks(skus, SKUS_PER_QUERY, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const rows: Array<{ sku: string; location_id: string; on_hand: string | number }> = await manager.query(
        `SELECT sku, location_id, on_hand FROM ${STOCK_POSITION_TABLE} WHERE sku ${parameters.inList(chunk)}
         ORDER BY sku, location_id`,
        parameters.values,
      );
      return rows.map((row) => ({ sku: row.sku, locationId: row.location_id, onHand: Number(row.on_hand) }));
    });
  }

  /** One page in (sku, location) order, starting after `after`. */
  list(
    manager: EntityManager,
    filter: StockPositionFilter,
    after: StockPositionKey | undefined,
    limit: number,
  ): Promise<StockPositionEntity[]> {
    const query = keysetPage(manager.createQueryBuilder(StockPositionEntity, 'position'), ['sku', 'locationId'], after, limit);
    if (filter.skus.length > 0) query.andWhere('position.sku IN (:...skus)', { skus: filter.skus });
    if (filter.locationId !== '') query.andWhere('position.locationId = :locationId', { locationId: filter.locationId });
    return query.getMany();
  }

  /** Every SKU that has a position. */
  async distinctSkus(manager: EntityManager): Promise<string[]> {
    const rows: Array<{ sku: string }> = await manager
      .createQueryBuilder(StockPositionEntity, 'position')
      .select('DISTINCT position.sku', 'sku')
      .orderBy('sku', 'ASC')
      .getRawMany();
    return rows.map((row) => row.sku);
  }
}
