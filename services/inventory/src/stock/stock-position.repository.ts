import { Injectable } from '@nestjs/common';
import { keysetPage } from '@retail-mesh/persistence';
import { In, type EntityManager } from 'typeorm';
import type { StockChange } from './stock-change.js';
import { StockPositionEntity } from './stock-position.entity.js';

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
   * Applies `change` if its version is newer than the stored one; returns whether it did and the
   * position as it now stands. One conditional UPDATE decides, so concurrent deliveries of two
   * versions cannot both win, whatever order they commit in.
   */
  async apply(manager: EntityManager, change: StockChange, now: Date): Promise<{ applied: boolean; position: StockPositionEntity }> {
    // Make sure the row exists (version 0 loses to any valid change, so the placeholder is never
    // committed). ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit
    // instead of failing the transaction with a unique violation.
    await manager
      .createQueryBuilder()
      .insert()
      .into(StockPositionEntity)
      .values({ sku: change.sku, locationId: change.locationId, onHand: 0, erpVersion: 0, erpChangedAt: null, updatedAt: now })
      .orIgnore()
      .updateEntity(false)
      .execute();
    const result = await manager
      .createQueryBuilder()
      .update(StockPositionEntity)
      .set({ onHand: change.onHand, erpVersion: change.version, erpChangedAt: change.changedAt, updatedAt: now })
      .where('sku = :sku AND location_id = :locationId AND erp_version < :version', {
        sku: change.sku,
        locationId: change.locationId,
        version: change.version,
      })
      .execute();
    const position = await manager.findOneByOrFail(StockPositionEntity, { sku: change.sku, locationId: change.locationId });
    return { applied: (result.affected ?? 0) > 0, position };
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
