import { Injectable } from '@nestjs/common';
import { keysetPage } from '@retail-mesh/persistence';
import type { EntityManager } from 'typeorm';
import type { StockFeedChange } from '../stock-feed/stock-feed-record.js';
import { ErpStockPositionEntity } from './erp-stock-position.entity.js';

export interface ErpStockFilter {
  /** Empty = every SKU. */
  skus: string[];
  /** Empty = every location. */
  locationId: string;
}

@Injectable()
export class ErpStockPositionRepository {
  /** Records the latest change per SKU x location of a page (feed order: a later change wins). */
  async record(manager: EntityManager, changes: StockFeedChange[]): Promise<void> {
    const latest = new Map<string, ErpStockPositionEntity>();
    for (const change of changes) {
      latest.set(`${change.sku}\u0000${change.locationId}`, {
        sku: change.sku,
        locationId: change.locationId,
        onHand: change.onHand,
        version: Number(change.feedId),
        erpChangeId: change.feedId,
        changedAt: change.changedAt,
      });
    }
    if (latest.size > 0) await manager.upsert(ErpStockPositionEntity, [...latest.values()], ['sku', 'locationId']);
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
