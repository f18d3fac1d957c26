import { Injectable } from '@nestjs/common';
import { columnParameter, keysetPage } from '@retail-mesh/persistence';
import { In, type EntityManager } from 'typeorm';
import type { StockChange } from './stock-change.js';
import { STOCK_POSITION_TABLE, StockPositionEntity } from './stock-position.entity.js';

// Six parameters a row: keeps each statement well under both databases' bound-parameter limits.
const CHANGES_PER_STATEMENT = 200;

export interface StockPositionFilter {
  skus: string[];
  /** Empty = every location. */
  locationId: string;
}

export interface StockPositionKey {
  sku: string;
  locationId: string;
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
    const applied: StockPositionKey[] = [];
    const updatedAt = columnParameter(manager.connection, StockPositionEntity, 'updatedAt', now);
    for (let start = 0; start < changes.length; start += CHANGES_PER_STATEMENT) {
      const parameters: Record<string, unknown> = { updatedAt };
      const rows = changes.slice(start, start + CHANGES_PER_STATEMENT).map((change, index) => {
        parameters[`sku${index}`] = change.sku;
        parameters[`location${index}`] = change.locationId;
        parameters[`onHand${index}`] = change.onHand;
        parameters[`version${index}`] = change.version;
        parameters[`changedAt${index}`] = columnParameter(manager.connection, StockPositionEntity, 'erpChangedAt', change.changedAt);
        return `(:sku${index}, :location${index}, :onHand${index}, :version${index}, :changedAt${index}, :updatedAt)`;
      });
      const sql = `
        INSERT INTO ${STOCK_POSITION_TABLE} (sku, location_id, on_hand, erp_version, erp_changed_at, updated_at)
        VALUES ${rows.join(', ')}
        ON CONFLICT (sku, location_id) DO UPDATE SET
          on_hand = excluded.on_hand,
          erp_version = excluded.erp_version,
          erp_changed_at = excluded.erp_changed_at,
          updated_at = excluded.updated_at
        WHERE ${STOCK_POSITION_TABLE}.erp_version < excluded.erp_version
        RETURNING sku, location_id`;
      const [query, values] = manager.connection.driver.escapeQueryWithParameters(sql, parameters);
      const returned: Array<{ sku: string; location_id: string }> = await manager.query(query, values);
      applied.push(...returned.map((row) => ({ sku: row.sku, locationId: row.location_id })));
    }
    return applied;
  }

  findOne(manager: EntityManager, key: StockPositionKey): Promise<StockPositionEntity> {
    return manager.findOneByOrFail(StockPositionEntity, { sku: key.sku, locationId: key.locationId });
  }

  findBySkus(manager: EntityManager, skus: string[]): Promise<StockPositionEntity[]> {
    if (skus.length === 0) return Promise.resolve([]);
    return manager.find(StockPositionEntity, { where: { sku: In(skus) }, order: { sku: 'ASC', locationId: 'ASC' } });
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
