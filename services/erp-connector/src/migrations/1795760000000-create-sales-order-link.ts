import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateSalesOrderLink1795760000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sales_order_link',
        columns: [
          { name: 'order_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '128' },
          { name: 'external_id', type: 'varchar', length: '255' },
          { name: 'erp_order_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer' },
          { name: 'last_error_code', type: 'varchar', length: '64', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'claim_token', type: 'varchar', length: '36', isNullable: true },
          { name: 'claimed_until', type: types.timestamp, isNullable: true },
          { name: 'created_at', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createIndex(
      'sales_order_link',
      new TableIndex({ name: 'sales_order_link_erp_order_id', columnNames: ['erp_order_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sales_order_link');
  }
}
