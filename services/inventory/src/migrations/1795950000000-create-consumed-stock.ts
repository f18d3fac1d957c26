import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateConsumedStock1795950000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    // Shipped units the ERP's on hand does not reflect yet, per SKU x location and the ERP version
    // they count up to (ADR 0005). The key's (sku, ...) prefix serves the per-SKU reads.
    await queryRunner.createTable(
      new Table({
        name: 'consumed_stock',
        columns: [
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'location_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'erp_version', type: types.bigint, isPrimary: true },
          { name: 'quantity', type: types.bigint },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('consumed_stock');
  }
}
