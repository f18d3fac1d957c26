import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * orders.fulfilled_by_channel: the channel fulfils the order itself (Amazon FBA). Existing orders
 * are the seller's to ship, hence false. A plain ADD COLUMN on both databases (SQLite stores
 * booleans as 0/1, so its default is written 0).
 */
export class AddFulfilledByChannel1796000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const no = queryRunner.connection.options.type === 'postgres' ? 'false' : '0';
    await queryRunner.query(`ALTER TABLE orders ADD COLUMN fulfilled_by_channel boolean NOT NULL DEFAULT ${no}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE orders DROP COLUMN fulfilled_by_channel');
  }
}
