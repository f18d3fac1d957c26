import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateStockFeedTables1795759900000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'feed_cursor',
        columns: [
          { name: 'feed', type: 'varchar', length: '64', isPrimary: true },
          { name: 'after_cursor', type: 'varchar', length: '64' },
          { name: 'last_version', type: types.bigint },
          { name: 'last_change_at', type: types.timestamp, isNullable: true },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'erp_stock_position',
        columns: [
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'location_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'on_hand', type: types.bigint },
          { name: 'version', type: types.bigint },
          { name: 'erp_change_id', type: 'varchar', length: '32' },
          { name: 'changed_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('erp_stock_position');
    await queryRunner.dropTable('feed_cursor');
  }
}
