import { columnTypesFor } from '@retail-mesh/persistence';
import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateCatalogTables1764300000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    const version = { name: 'version', type: types.bigint };
    const updatedAt = { name: 'updated_at', type: types.timestamp };

    await queryRunner.createTable(
      new Table({
        name: 'products',
        columns: [
          { name: 'product_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'title', type: 'varchar', length: '500' },
          { name: 'description', type: 'text' },
          { name: 'brand', type: 'varchar', length: '200' },
          { name: 'status', type: 'integer' },
          version,
          updatedAt,
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'variants',
        columns: [
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'product_id', type: 'varchar', length: '64' },
          { name: 'position', type: 'integer' },
          { name: 'gtin', type: 'varchar', length: '14', isNullable: true },
          { name: 'title', type: 'varchar', length: '500' },
          { name: 'options', type: types.json },
          { name: 'status', type: 'integer' },
          { name: 'weight_grams', type: types.bigint },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'variants_product',
            columnNames: ['product_id'],
            referencedTableName: 'products',
            referencedColumnNames: ['product_id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [
          new TableIndex({ name: 'variants_product_id', columnNames: ['product_id', 'position'] }),
          new TableIndex({ name: 'variants_gtin', columnNames: ['gtin'], isUnique: true }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'channel_listings',
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '50' },
          { name: 'external_product_id', type: 'varchar', length: '255' },
          { name: 'external_variant_id', type: 'varchar', length: '255' },
          { name: 'external_inventory_item_id', type: 'varchar', length: '255' },
          { name: 'external_location_id', type: 'varchar', length: '255' },
          { name: 'status', type: 'integer' },
          { name: 'status_detail', type: 'text' },
          { name: 'external_attributes', type: types.json },
          version,
          updatedAt,
        ],
        // Listings of a SKU across accounts (price and product changes fan out by SKU).
        indices: [new TableIndex({ name: 'channel_listings_sku', columnNames: ['sku'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'price_lists',
        columns: [
          { name: 'price_list_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'currency', type: 'varchar', length: '3' },
          version,
          updatedAt,
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'price_list_accounts',
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'price_list_id', type: 'varchar', length: '64' },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'price_list_accounts_price_list',
            columnNames: ['price_list_id'],
            referencedTableName: 'price_lists',
            referencedColumnNames: ['price_list_id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [new TableIndex({ name: 'price_list_accounts_price_list_id', columnNames: ['price_list_id'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'prices',
        columns: [
          { name: 'price_list_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'amount_minor', type: types.bigint },
          { name: 'compare_at_amount_minor', type: types.bigint, isNullable: true },
          version,
          updatedAt,
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'prices_price_list',
            columnNames: ['price_list_id'],
            referencedTableName: 'price_lists',
            referencedColumnNames: ['price_list_id'],
            onDelete: 'CASCADE',
          }),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'promotions',
        columns: [
          { name: 'promotion_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'status', type: 'integer' },
          { name: 'channel_account_ids', type: types.json },
          { name: 'skus', type: types.json },
          { name: 'discount_kind', type: 'varchar', length: '20' },
          { name: 'discount_basis_points', type: 'integer', isNullable: true },
          { name: 'discount_amount_minor', type: types.bigint, isNullable: true },
          { name: 'discount_currency', type: 'varchar', length: '3', isNullable: true },
          { name: 'starts_at', type: types.timestamp },
          { name: 'ends_at', type: types.timestamp, isNullable: true },
          { name: 'priority', type: 'integer' },
          version,
          updatedAt,
        ],
        indices: [new TableIndex({ name: 'promotions_status', columnNames: ['status'] })],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'effective_prices',
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'sku', type: 'varchar', length: '64', isPrimary: true },
          { name: 'channel', type: 'varchar', length: '50' },
          { name: 'amount_minor', type: types.bigint },
          { name: 'currency', type: 'varchar', length: '3' },
          { name: 'compare_at_amount_minor', type: types.bigint, isNullable: true },
          { name: 'price_list_id', type: 'varchar', length: '64' },
          { name: 'promotion_id', type: 'varchar', length: '64' },
          version,
          { name: 'computed_at', type: types.timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'effective_prices',
      'promotions',
      'prices',
      'price_list_accounts',
      'price_lists',
      'channel_listings',
      'variants',
      'products',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
