import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateInventoryTables1795759900000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'stock_position',
        columns: [
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'location_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'on_hand', type: types.bigint },
          { name: 'erp_version', type: types.bigint },
          { name: 'erp_changed_at', type: types.timestamp, isNullable: true },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'channel_policy',
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '32' },
          { name: 'safety_stock', type: types.bigint },
          { name: 'allocation_kind', type: 'varchar', length: '16' },
          { name: 'allocation_value', type: types.bigint, isNullable: true },
          { name: 'max_quantity', type: types.bigint, isNullable: true },
          { name: 'eligible_location_ids', type: types.json },
          { name: 'version', type: types.bigint },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'published_availability',
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '32' },
          { name: 'available_quantity', type: types.bigint },
          { name: 'version', type: types.bigint },
          { name: 'computed_at', type: types.timestamp },
          { name: 'source_changed_at', type: types.timestamp, isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex('published_availability', new TableIndex({ name: 'published_availability_sku', columnNames: ['sku'] }));
    await queryRunner.createTable(
      new Table({
        name: 'dirty_sku',
        columns: [
          { name: 'id', type: types.bigIncrement, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'source_changed_at', type: types.timestamp, isNullable: true },
          { name: 'traceparent', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('dirty_sku');
    await queryRunner.dropTable('published_availability');
    await queryRunner.dropTable('channel_policy');
    await queryRunner.dropTable('stock_position');
  }
}
