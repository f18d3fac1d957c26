import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { OUTBOX_TABLE } from '../outbox-message.entity.js';

export class CreateOutboxMessages1764201600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: OUTBOX_TABLE,
        columns: [
          { name: 'seq', type: types.bigIncrement, isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'id', type: types.uuid },
          { name: 'routing_key', type: 'varchar', length: '255' },
          { name: 'body', type: types.bytes },
          { name: 'headers', type: types.json },
          { name: 'created_at', type: types.timestamp },
          { name: 'published_at', type: types.timestamp, isNullable: true },
          { name: 'attempts', type: 'integer', default: 0 },
        ],
      }),
    );
    await queryRunner.createIndex(OUTBOX_TABLE, new TableIndex({ name: 'outbox_messages_id', columnNames: ['id'], isUnique: true }));
    // What the relay scans: the unpublished rows in order, however many published rows are kept.
    await queryRunner.createIndex(
      OUTBOX_TABLE,
      new TableIndex({ name: 'outbox_messages_unpublished', columnNames: ['seq'], where: 'published_at IS NULL' }),
    );
    await queryRunner.createIndex(OUTBOX_TABLE, new TableIndex({ name: 'outbox_messages_published_at', columnNames: ['published_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(OUTBOX_TABLE);
  }
}
