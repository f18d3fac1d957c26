import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { INBOX_TABLE } from '../inbox-message.entity.js';

export class CreateInboxMessages1764201600001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: INBOX_TABLE,
        columns: [
          { name: 'consumer', type: 'varchar', length: '255', isPrimary: true },
          { name: 'event_id', type: types.uuid, isPrimary: true },
          { name: 'processed_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createIndex(INBOX_TABLE, new TableIndex({ name: 'inbox_messages_processed_at', columnNames: ['processed_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(INBOX_TABLE);
  }
}
