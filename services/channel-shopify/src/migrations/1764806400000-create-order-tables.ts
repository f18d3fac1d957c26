import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { SHOPIFY_ORDER_CURSORS_TABLE } from '../orders/order-cursor.entity.js';
import { SHOPIFY_ORDERS_TABLE } from '../orders/shopify-order.entity.js';
import { SHOPIFY_SHIPMENTS_TABLE } from '../orders/shopify-shipment.entity.js';
import { SHOPIFY_WEBHOOK_DELIVERIES_TABLE } from '../orders/shopify-webhook-delivery.entity.js';

export class CreateOrderTables1764806400000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: SHOPIFY_ORDERS_TABLE,
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'channel_order_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'order_name', type: 'varchar', length: '100' },
          { name: 'payload', type: 'text' },
          { name: 'shopify_updated_at', type: types.timestamp },
          { name: 'shopify_cancelled_at', type: types.timestamp, isNullable: true },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'first_seen_at', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
          { name: 'order_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'submitted_at', type: types.timestamp, isNullable: true },
          { name: 'cancel_submitted_at', type: types.timestamp, isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: types.timestamp },
          { name: 'rejected_reason', type: 'varchar', length: '1000', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
          { name: 'claimed_by', type: 'varchar', length: '100', isNullable: true },
          { name: 'claim_expires_at', type: types.timestamp, isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(SHOPIFY_ORDERS_TABLE, new TableIndex({ name: 'shopify_orders_due', columnNames: ['next_attempt_at'] }));
    await queryRunner.createTable(
      new Table({
        name: SHOPIFY_WEBHOOK_DELIVERIES_TABLE,
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'webhook_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'topic', type: 'varchar', length: '64' },
          { name: 'channel_order_id', type: 'varchar', length: '100' },
          { name: 'event_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'received_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: SHOPIFY_ORDER_CURSORS_TABLE,
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'updated_at_seen', type: types.timestamp },
          { name: 'last_poll_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: SHOPIFY_SHIPMENTS_TABLE,
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'shipment_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'channel_order_id', type: 'varchar', length: '100' },
          { name: 'fulfillment_ids', type: 'varchar', length: '1000' },
          { name: 'confirmed_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(SHOPIFY_SHIPMENTS_TABLE);
    await queryRunner.dropTable(SHOPIFY_ORDER_CURSORS_TABLE);
    await queryRunner.dropTable(SHOPIFY_WEBHOOK_DELIVERIES_TABLE);
    await queryRunner.dropTable(SHOPIFY_ORDERS_TABLE);
  }
}
