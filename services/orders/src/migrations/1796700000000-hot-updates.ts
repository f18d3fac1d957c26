import { setFillFactor } from '@retail-mesh/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on every page for updated row versions (HOT updates, no index writes): an order in flight is
 * rewritten at each claim and each step (about eight times); finished orders stay as they are, so
 * less room than for a row per SKU.
 */
export class HotUpdates1796700000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await setFillFactor(queryRunner, table, 70);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await setFillFactor(queryRunner, table, 100);
  }
}

const TABLES = ['orders'];
