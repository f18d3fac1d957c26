import { setFillFactor } from '@retail-mesh/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on every page for updated row versions (HOT updates, no index writes): a stock position,
 * the units reserved and the availability published are one row per SKU x location or account,
 * each rewritten with every change of its SKU.
 */
export class HotUpdates1796700000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await setFillFactor(queryRunner, table, 50);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await setFillFactor(queryRunner, table, 100);
  }
}

const TABLES = ['stock_position', 'reserved_stock', 'published_availability'];
