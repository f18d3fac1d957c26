import { timestampMinusSeconds } from '@retail-mesh/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ORDER_CURSORS_TABLE } from '../orders/order-cursor.entity.js';

/**
 * The order poll's cursor changes meaning: it was where Amazon's answer to the last complete poll
 * ended (its LastUpdatedBefore), and every poll read again from the overlap before it
 * (AMAZON_ORDER_POLL_OVERLAP_MS); now every order updated before it has been listed at least that
 * long after its update, and the next settled pass starts from it without reading again. An old
 * cursor vouches for that only up to the overlap before it, so it moves back by the overlap's
 * default, 5 minutes: the first settled pass lists those minutes once more. Down leaves the
 * cursors: the old polls read from the overlap before an earlier cursor, which only repeats orders.
 */
export class SettledOrderCursor1797000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const movedBack = timestampMinusSeconds(queryRunner.connection, 'last_updated_after', OVERLAP_SECONDS);
    await queryRunner.query(`UPDATE ${ORDER_CURSORS_TABLE} SET last_updated_after = ${movedBack}`);
  }

  async down(): Promise<void> {}
}

const OVERLAP_SECONDS = 300;
