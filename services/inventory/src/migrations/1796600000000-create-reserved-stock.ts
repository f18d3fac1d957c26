import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The units reservations hold per SKU x location (ReservedStockEntity), filled from the lines held so far. */
export class CreateReservedStock1796600000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'reserved_stock',
        columns: [
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'location_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'quantity', type: types.bigint },
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO reserved_stock (sku, location_id, quantity)
       SELECT sku, location_id, SUM(quantity - released_quantity - consumed_quantity)
       FROM reservation_line
       GROUP BY sku, location_id
       HAVING SUM(quantity - released_quantity - consumed_quantity) > 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reserved_stock');
  }
}
