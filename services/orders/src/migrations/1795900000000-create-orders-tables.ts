import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateOrdersTables1795900000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'orders',
        columns: [
          { name: 'order_id', type: types.uuid, isPrimary: true },
          { name: 'channel_account_id', type: 'varchar', length: '100' },
          { name: 'channel', type: 'varchar', length: '50' },
          { name: 'channel_order_id', type: 'varchar', length: '255' },
          { name: 'channel_order_number', type: 'varchar', length: '100' },
          { name: 'idempotency_key', type: 'varchar', length: '400' },
          { name: 'state', type: 'varchar', length: '32' },
          { name: 'hold_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'hold_detail', type: 'text' },
          { name: 'cancel_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'waived_hold_reasons', type: types.json },
          { name: 'payment_status', type: 'varchar', length: '32' },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'taxes_included', type: 'boolean' },
          { name: 'requested_location_id', type: 'varchar', length: '64' },
          { name: 'purchase_order_number', type: 'varchar', length: '100' },
          { name: 'placed_at', type: types.timestamp },
          { name: 'details', type: types.json },
          { name: 'erp_order_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'erp_attempt', type: 'integer' },
          { name: 'reservation_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'version', type: types.bigint },
          { name: 'created_at', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
          { name: 'accepted_at', type: types.timestamp, isNullable: true },
          { name: 'work_due_at', type: types.timestamp, isNullable: true },
          { name: 'work_attempts', type: 'integer' },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'claim_token', type: 'varchar', length: '64', isNullable: true },
          { name: 'claimed_until', type: types.timestamp, isNullable: true },
        ],
      }),
    );
    // SubmitOrder's idempotency: the second insert of a channel order fails here, never a check-then-insert.
    await queryRunner.createIndex(
      'orders',
      new TableIndex({ name: 'orders_channel_order', columnNames: ['channel_account_id', 'channel_order_id'], isUnique: true }),
    );
    await queryRunner.createIndex(
      'orders',
      new TableIndex({ name: 'orders_idempotency_key', columnNames: ['idempotency_key'], isUnique: true }),
    );
    // The worker's queue: due orders, oldest first.
    await queryRunner.createIndex('orders', new TableIndex({ name: 'orders_work_due', columnNames: ['work_due_at'] }));
    // ListOrders: newest placed first, filtered by state or channel.
    await queryRunner.createIndex('orders', new TableIndex({ name: 'orders_placed', columnNames: ['placed_at', 'order_id'] }));
    await queryRunner.createIndex('orders', new TableIndex({ name: 'orders_state_placed', columnNames: ['state', 'placed_at'] }));
    await queryRunner.createIndex('orders', new TableIndex({ name: 'orders_erp_order', columnNames: ['erp_order_id'] }));

    await queryRunner.createTable(
      new Table({
        name: 'order_lines',
        columns: [
          { name: 'order_id', type: types.uuid, isPrimary: true },
          { name: 'line_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'position', type: 'integer' },
          { name: 'channel_line_id', type: 'varchar', length: '255' },
          { name: 'sku', type: 'varchar', length: '64' },
          { name: 'title', type: 'varchar', length: '500' },
          { name: 'quantity', type: types.bigint },
          { name: 'unit_price_minor', type: types.bigint },
          { name: 'discounts', type: types.json },
          { name: 'taxes', type: types.json },
          { name: 'shipped_quantity', type: types.bigint },
          { name: 'cancelled_quantity', type: types.bigint },
          { name: 'location_id', type: 'varchar', length: '64', isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['order_id'], referencedTableName: 'orders', referencedColumnNames: ['order_id'] }],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'order_history',
        columns: [
          { name: 'id', type: types.bigIncrement, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'order_id', type: types.uuid },
          { name: 'version', type: types.bigint },
          { name: 'from_state', type: 'varchar', length: '32', isNullable: true },
          { name: 'to_state', type: 'varchar', length: '32' },
          { name: 'change', type: 'varchar', length: '32' },
          { name: 'actor', type: 'varchar', length: '200' },
          { name: 'hold_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'cancel_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'detail', type: 'text' },
          { name: 'erp_change_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'changed_at', type: types.timestamp },
        ],
        foreignKeys: [{ columnNames: ['order_id'], referencedTableName: 'orders', referencedColumnNames: ['order_id'] }],
      }),
    );
    await queryRunner.createIndex('order_history', new TableIndex({ name: 'order_history_order', columnNames: ['order_id', 'id'] }));
    // NULLs are distinct in both databases: only changes that came from the ERP are unique.
    await queryRunner.createIndex(
      'order_history',
      new TableIndex({ name: 'order_history_erp_change', columnNames: ['order_id', 'erp_change_id'], isUnique: true }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'order_shipments',
        columns: [
          { name: 'shipment_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'order_id', type: types.uuid },
          { name: 'erp_shipment_id', type: 'varchar', length: '100' },
          { name: 'details', type: types.json },
          { name: 'shipped_at', type: types.timestamp },
          { name: 'created_at', type: types.timestamp },
        ],
        foreignKeys: [{ columnNames: ['order_id'], referencedTableName: 'orders', referencedColumnNames: ['order_id'] }],
      }),
    );
    await queryRunner.createIndex(
      'order_shipments',
      new TableIndex({ name: 'order_shipments_erp_shipment', columnNames: ['order_id', 'erp_shipment_id'], isUnique: true }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'reservation_releases',
        columns: [
          { name: 'release_id', type: types.uuid, isPrimary: true },
          { name: 'order_id', type: types.uuid },
          { name: 'reservation_id', type: 'varchar', length: '64' },
          { name: 'lines', type: types.json },
          { name: 'reason', type: 'varchar', length: '500' },
          { name: 'due_at', type: types.timestamp, isNullable: true },
          { name: 'attempts', type: 'integer' },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'created_at', type: types.timestamp },
          { name: 'released_at', type: types.timestamp, isNullable: true },
        ],
        foreignKeys: [{ columnNames: ['order_id'], referencedTableName: 'orders', referencedColumnNames: ['order_id'] }],
      }),
    );
    await queryRunner.createIndex('reservation_releases', new TableIndex({ name: 'reservation_releases_due', columnNames: ['due_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reservation_releases');
    await queryRunner.dropTable('order_shipments');
    await queryRunner.dropTable('order_history');
    await queryRunner.dropTable('order_lines');
    await queryRunner.dropTable('orders');
  }
}
