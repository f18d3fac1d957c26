import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { DESIRED_INVENTORY_TABLE } from '../availability/desired-inventory.entity.js';
import { PUSH_LEASE_TABLE } from '../availability/push-lease.entity.js';

export class CreateAvailabilityTables1764288000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: DESIRED_INVENTORY_TABLE,
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '255', isPrimary: true },
          { name: 'desired_quantity', type: 'integer' },
          { name: 'desired_version', type: types.bigint },
          { name: 'source_changed_at', type: types.timestamp, isNullable: true },
          { name: 'pending_since', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
          { name: 'pushed_version', type: types.bigint, isNullable: true },
          { name: 'pushed_quantity', type: 'integer', isNullable: true },
          { name: 'pushed_at', type: types.timestamp, isNullable: true },
          { name: 'shopify_quantity', type: 'integer', isNullable: true },
          { name: 'hold_until', type: types.timestamp, isNullable: true },
          { name: 'last_error_code', type: 'varchar', length: '64', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
          { name: 'last_error_at', type: types.timestamp, isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      DESIRED_INVENTORY_TABLE,
      new TableIndex({ name: 'desired_inventory_pending', columnNames: ['channel_account_id', 'pending_since'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: PUSH_LEASE_TABLE,
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '100' },
          { name: 'expires_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(PUSH_LEASE_TABLE);
    await queryRunner.dropTable(DESIRED_INVENTORY_TABLE);
  }
}
