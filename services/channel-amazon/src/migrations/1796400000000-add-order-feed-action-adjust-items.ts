import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ORDER_FEED_ACTIONS_TABLE } from '../order-feeds/order-feed-action.entity.js';

/**
 * order_feed_actions.adjust_items: the units and amounts of an order adjustment (kind `adjust`,
 * POST_PAYMENT_ADJUSTMENT_DATA), ADR 0006; null for the other kinds. JSON as text, like
 * cancel_items. A plain ADD COLUMN on both databases.
 */
export class AddOrderFeedActionAdjustItems1796400000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${ORDER_FEED_ACTIONS_TABLE} ADD COLUMN adjust_items text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${ORDER_FEED_ACTIONS_TABLE} DROP COLUMN adjust_items`);
  }
}
