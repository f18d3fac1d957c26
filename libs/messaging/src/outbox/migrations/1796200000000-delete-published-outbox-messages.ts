import type { MigrationInterface, QueryRunner } from 'typeorm';
import { OUTBOX_TABLE } from '../outbox-message.entity.js';

/**
 * The relay now deletes rows once the broker confirmed them instead of marking them published and
 * purging them later: the published_at index only served that purge and cost a write per row.
 */
export class DeletePublishedOutboxMessages1796200000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM ${OUTBOX_TABLE} WHERE published_at IS NOT NULL`);
    await queryRunner.dropIndex(OUTBOX_TABLE, 'outbox_messages_published_at');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX outbox_messages_published_at ON ${OUTBOX_TABLE} (published_at)`);
  }
}
