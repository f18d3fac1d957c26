import { Injectable } from '@nestjs/common';
import { EntityColumns, inChunks, keysetPage, SqlParameters } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import type { StockFeedChange } from '../stock-feed/stock-feed-record.js';
import { ERP_STOCK_POSITION_TABLE, ErpStockPositionEntity } from './erp-stock-position.entity.js';

// Six parameters a row: well under both databases' bound-parameter limits.
const ROWS_PER_STATEMENT = 500;

export interface ErpStockFilter {
  /** Empty = every SKU. */
  skus: string[];
  /** Empty = every location. */
  locationId: string;
}

@Injectable()
export class ErpStockPositionRepository {
  /**
   * Records the latest change per SKU x location of a page (feed order: a later change wins).
   * Written by hand, values in order: it runs for every feed page, and TypeORM's upsert builder
   * cost more than the database did.
   */
  async record(manager: EntityManager, changes: StockFeedChange[]): Promise<void> {
    const latest = new Map<string, StockFeedChange>();
    for (const change of changes) latest.set(`${change.sku}\u0000${change.locationId}`, change);
    const newest = [...latest.values()];
    const columns = EntityColumns.of(manager.connection, ErpStockPositionEntity, [
      'sku',
      'locationId',
      'onHand',
      'version',
      'erpChangeId',
      'changedAt',
    ]);
    await inChunks(newest, ROWS_PER_STATEMENT, async (chunk) => {
      const parameters = SqlParameters.for(manager.connection);
      const source = parameters.rowSource(
        columns,
        chunk.map((change) => [change.sku, change.locationId, change.onHand, Number(change.feedId), change.feedId, change.changedAt]),
      );
      await manager.query(
        `INSERT INTO ${ERP_STOCK_POSITION_TABLE} (${columns.names})
         ${source}
         ON CONFLICT (sku, location_id) DO UPDATE SET
           on_hand = excluded.on_hand, version = excluded.version, erp_change_id = excluded.erp_change_id, changed_at = excluded.changed_at`,
        parameters.values,
      );
    });
  }

  /** One page in (sku, location) order, after the given key. */
  list(
    manager: EntityManager,
    filter: ErpStockFilter,
    after: { sku: string; locationId: string } | undefined,
    limit: number,
  ): Promise<ErpStockPositionEntity[]> {
    const query = keysetPage(manager.createQueryBuilder(ErpStockPositionEntity, 'position'), ['sku', 'locationId'], after, limit);
    if (filter.skus.length > 0) query.andWhere('position.sku IN (:...skus)', { skus: filter.skus });
    if (filter.locationId !== '') query.andWhere('position.locationId = :locationId', { locationId: filter.locationId });
    return query.getMany();
  }
}
