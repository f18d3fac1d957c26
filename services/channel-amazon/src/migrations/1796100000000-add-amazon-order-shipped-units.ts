import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AMAZON_ORDERS_TABLE } from '../orders/amazon-order.entity.js';

/**
 * amazon_orders.shipped_units_reported: the units Amazon shipped of an order it fulfils (AFN) that
 * the mesh has been told of. Orders read before knew of no shipment: 0 (an AFN order Amazon
 * shipped meanwhile is reported at its next change). A plain ADD COLUMN on both databases.
 */
export class AddAmazonOrderShippedUnits1796100000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${AMAZON_ORDERS_TABLE} ADD COLUMN shipped_units_reported integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE ${AMAZON_ORDERS_TABLE} DROP COLUMN shipped_units_reported`);
  }
}
