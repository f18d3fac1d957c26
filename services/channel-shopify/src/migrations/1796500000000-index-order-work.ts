import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { SHOPIFY_ORDERS_TABLE } from '../orders/shopify-order.entity.js';

/**
 * The order intake's due rows (`OrderIntakeRepository.due`) get an index of only the rows with
 * work, under the exact condition the worker queries (so both databases' planners use it). The
 * index on next_attempt_at held every order ever received (an order keeps its last attempt time
 * once submitted), so each round walked all submitted orders to find the new ones: at 100 orders
 * a second it was the adapter's costliest statement.
 */
export class IndexOrderWork1796500000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(SHOPIFY_ORDERS_TABLE, 'shopify_orders_due');
    await queryRunner.createIndex(SHOPIFY_ORDERS_TABLE, ORDER_WORK_INDEX);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex(SHOPIFY_ORDERS_TABLE, ORDER_WORK_INDEX);
    await queryRunner.createIndex(SHOPIFY_ORDERS_TABLE, new TableIndex({ name: 'shopify_orders_due', columnNames: ['next_attempt_at'] }));
  }
}

const ORDER_WORK_INDEX = new TableIndex({
  name: 'shopify_orders_work',
  columnNames: ['next_attempt_at'],
  where: 'rejected_reason IS NULL AND (submitted_at IS NULL OR (shopify_cancelled_at IS NOT NULL AND cancel_submitted_at IS NULL))',
});
