import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { DESIRED_LISTINGS_TABLE } from '../availability/desired-listing.entity.js';
import { FEED_SUBMISSIONS_TABLE } from '../feeds/feed-submission.entity.js';
import { ORDER_FEED_ACTIONS_TABLE } from '../order-feeds/order-feed-action.entity.js';
import { AMAZON_ORDERS_TABLE } from '../orders/amazon-order.entity.js';
import { ORDER_CURSORS_TABLE } from '../orders/order-cursor.entity.js';
import { WORKER_LEASE_TABLE } from '../workers/worker-lease.entity.js';

export class CreateChannelAmazonTables1795800000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    const account = { name: 'channel_account_id', type: 'varchar', length: '100' };
    await queryRunner.createTable(
      new Table({
        name: DESIRED_LISTINGS_TABLE,
        columns: [
          { ...account, isPrimary: true },
          { name: 'sku', type: 'varchar', length: '255', isPrimary: true },
          { name: 'desired_quantity', type: 'integer' },
          { name: 'desired_version', type: types.bigint },
          { name: 'source_changed_at', type: types.timestamp, isNullable: true },
          { name: 'pending_since', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
          { name: 'pushed_version', type: types.bigint, isNullable: true },
          { name: 'pushed_quantity', type: 'integer', isNullable: true },
          { name: 'pushed_at', type: types.timestamp, isNullable: true },
          { name: 'hold_until', type: types.timestamp, isNullable: true },
          { name: 'last_error_code', type: 'varchar', length: '64', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      DESIRED_LISTINGS_TABLE,
      new TableIndex({ name: 'desired_listings_pending', columnNames: ['channel_account_id', 'pending_since'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: FEED_SUBMISSIONS_TABLE,
        columns: [
          { name: 'feed_id', type: 'varchar', length: '64', isPrimary: true },
          account,
          { name: 'feed_type', type: 'varchar', length: '64' },
          { name: 'purpose', type: 'varchar', length: '16' },
          { name: 'processing_status', type: 'varchar', length: '16' },
          { name: 'listings_items', type: types.json, isNullable: true },
          { name: 'submitted_at', type: types.timestamp },
          { name: 'completed_at', type: types.timestamp, isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex(
      FEED_SUBMISSIONS_TABLE,
      new TableIndex({ name: 'feed_submissions_open', columnNames: ['channel_account_id', 'purpose', 'completed_at'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: ORDER_FEED_ACTIONS_TABLE,
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          account,
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'dedupe_key', type: 'varchar', length: '255' },
          { name: 'amazon_order_id', type: 'varchar', length: '32' },
          { name: 'order_id', type: 'varchar', length: '64' },
          { name: 'erp_order_id', type: 'varchar', length: '64' },
          { name: 'cancel_items', type: types.json, isNullable: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'feed_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'feed_records', type: types.json, isNullable: true },
          { name: 'attempts', type: 'integer' },
          { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
          { name: 'created_at', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createIndex(
      ORDER_FEED_ACTIONS_TABLE,
      new TableIndex({ name: 'order_feed_actions_dedupe', columnNames: ['channel_account_id', 'kind', 'dedupe_key'], isUnique: true }),
    );
    await queryRunner.createIndex(
      ORDER_FEED_ACTIONS_TABLE,
      new TableIndex({ name: 'order_feed_actions_state', columnNames: ['channel_account_id', 'state'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: AMAZON_ORDERS_TABLE,
        columns: [
          { ...account, isPrimary: true },
          { name: 'amazon_order_id', type: 'varchar', length: '32', isPrimary: true },
          { name: 'last_update_date', type: 'varchar', length: '40' },
          { name: 'order_status', type: 'varchar', length: '32' },
          { name: 'order_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'submitted_at', type: types.timestamp, isNullable: true },
          { name: 'cancel_submitted_at', type: types.timestamp, isNullable: true },
          { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: ORDER_CURSORS_TABLE,
        columns: [
          { ...account, isPrimary: true },
          { name: 'last_updated_after', type: types.timestamp },
          { name: 'updated_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: WORKER_LEASE_TABLE,
        columns: [
          { ...account, isPrimary: true },
          { name: 'duty', type: 'varchar', length: '32', isPrimary: true },
          { name: 'holder', type: 'varchar', length: '100' },
          { name: 'expires_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      WORKER_LEASE_TABLE,
      ORDER_CURSORS_TABLE,
      AMAZON_ORDERS_TABLE,
      ORDER_FEED_ACTIONS_TABLE,
      FEED_SUBMISSIONS_TABLE,
      DESIRED_LISTINGS_TABLE,
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
