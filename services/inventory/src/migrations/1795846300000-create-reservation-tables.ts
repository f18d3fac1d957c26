import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateReservationTables1795846300000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'reservation',
        columns: [
          { name: 'reservation_id', type: types.uuid, isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '128' },
          { name: 'order_id', type: 'varchar', length: '64' },
          { name: 'channel_account_id', type: 'varchar', length: '64' },
          { name: 'channel', type: 'varchar', length: '32' },
          { name: 'requested_lines', type: types.json },
          { name: 'requested_location_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'shortages', type: types.json },
          { name: 'version', type: types.bigint },
          { name: 'created_at', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    // The idempotency key and the order are claimed by these constraints, never by check-then-insert.
    await queryRunner.createIndex(
      'reservation',
      new TableIndex({ name: 'reservation_idempotency_key', columnNames: ['idempotency_key'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'reservation',
      new TableIndex({ name: 'reservation_order_id', columnNames: ['order_id'], isUnique: true }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reservation_line',
        columns: [
          { name: 'reservation_id', type: types.uuid, isPrimary: true },
          { name: 'line_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'location_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'quantity', type: types.bigint },
          { name: 'released_quantity', type: types.bigint },
          { name: 'consumed_quantity', type: types.bigint },
        ],
      }),
    );
    // Units held per SKU x location, summed by every availability computation and reservation.
    await queryRunner.createIndex(
      'reservation_line',
      new TableIndex({ name: 'reservation_line_sku_location', columnNames: ['sku', 'location_id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reservation_operation',
        columns: [
          { name: 'reservation_id', type: types.uuid, isPrimary: true },
          { name: 'operation', type: 'varchar', length: '16', isPrimary: true },
          { name: 'operation_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'requested_lines', type: types.json },
          { name: 'reason', type: 'varchar', length: '500' },
          { name: 'created_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reservation_operation');
    await queryRunner.dropTable('reservation_line');
    await queryRunner.dropTable('reservation');
  }
}
