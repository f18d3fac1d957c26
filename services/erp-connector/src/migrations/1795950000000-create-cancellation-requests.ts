import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateCancellationRequests1795950000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    // What the connector asked the ERP to cancel, so the feed's report of it is not published back.
    await queryRunner.createTable(
      new Table({
        name: 'erp_cancellation_request',
        columns: [
          { name: 'event_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'erp_order_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'erp_line', type: 'integer', isPrimary: true },
          { name: 'order_line_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'requested_quantity', type: types.bigint },
          { name: 'reported_quantity', type: types.bigint },
          { name: 'created_at', type: types.timestamp },
        ],
      }),
    );
    await queryRunner.createIndex(
      'erp_cancellation_request',
      new TableIndex({ name: 'erp_cancellation_request_erp_order_id', columnNames: ['erp_order_id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('erp_cancellation_request');
  }
}
