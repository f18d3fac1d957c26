import { setFillFactor } from '@retail-mesh/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room on every page for updated row versions (HOT updates, no index writes): the desired and pushed
 * quantity of a SKU is one row, rewritten with every availability change and every push.
 */
export class HotUpdates1796700000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await setFillFactor(queryRunner, table, 50);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) await setFillFactor(queryRunner, table, 100);
  }
}

const TABLES = ['desired_inventory'];
