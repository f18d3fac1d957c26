import { Injectable } from '@nestjs/common';
import { OutboxPublisher } from '@retail-mesh/service-kit';
import { DataSource } from 'typeorm';
import { toStockChangeBatchEvent } from '../stock-feed/stock-changed.mapper.js';
import { ErpStockPositionRepository } from './erp-stock-position.repository.js';

const POSITIONS_PER_TRANSACTION = 500;

@Injectable()
export class ErpStockService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly positions: ErpStockPositionRepository,
    private readonly outbox: OutboxPublisher,
  ) {}

  /**
   * Publishes the positions the feed last reported again (`skus` empty: all), with their feed
   * versions, as erp.stock_change_batch events of up to 500: a consumer that has them drops them
   * as stale, one that lost an event applies it. Returns the number of positions published.
   */
  async resync(skus: string[]): Promise<number> {
    let published = 0;
    let after: { sku: string; locationId: string } | undefined;
    for (;;) {
      const rows = await this.positions.list(this.dataSource.manager, { skus, locationId: '' }, after, POSITIONS_PER_TRANSACTION);
      if (rows.length === 0) return published;
      await this.outbox.transaction(async ({ publish }) => {
        await publish({
          ...toStockChangeBatchEvent(
            rows.map((row) => ({
              feedId: row.erpChangeId,
              sku: row.sku,
              locationId: row.locationId,
              onHand: row.onHand,
              changedAt: row.changedAt,
            })),
          ),
          // A new emission of the facts, not the feed page's event: a fresh id, or inboxes that
          // processed the original (and the outbox's unique id) would refuse it.
          id: undefined,
        });
      });
      published += rows.length;
      if (rows.length < POSITIONS_PER_TRANSACTION) return published;
      const last = rows[rows.length - 1];
      after = { sku: last.sku, locationId: last.locationId };
    }
  }
}
