import { timestampMinusSeconds } from '@retail-mesh/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SHOPIFY_ORDER_CURSORS_TABLE } from '../orders/order-cursor.entity.js';

/**
 * The order poll's cursor changes meaning: it was the newest `updated_at` a poll had seen, and
 * every poll read again from the overlap before it (SHOPIFY_ORDER_POLL_OVERLAP_MS); now every
 * order updated before it has been listed at least that long after its update, and the next poll
 * settles from it without reading again. An old cursor vouches for that only up to the overlap
 * before it, so it moves back by the overlap's default, 5 minutes: the first settled pass lists
 * those minutes once more. Down leaves the cursors: the old polls read from the overlap before
 * an earlier cursor, which only repeats orders.
 */
export class SettledOrderCursor1796900000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const movedBack = timestampMinusSeconds(queryRunner.connection, 'updated_at_seen', OVERLAP_SECONDS);
    await queryRunner.query(`UPDATE ${SHOPIFY_ORDER_CURSORS_TABLE} SET updated_at_seen = ${movedBack}`);
  }

  async down(): Promise<void> {}
}

const OVERLAP_SECONDS = 300;
