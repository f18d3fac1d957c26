// The reserved_stock migration on a database that already holds reservations: it starts from
// what the lines still hold, on PostgreSQL and on SQLite.
import { createDataSource, runMigrations } from '@retail-mesh/persistence';
import { MigrationDatabases } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryService } from '../inventory.definition.js';
import { CreateReservedStock1796600000000 } from './1796600000000-create-reserved-stock.js';

const databases = new MigrationDatabases('inventory');

afterAll(() => databases.remove());

describe.each(['postgres', 'sqlite'] as const)('CreateReservedStock on %s', (type) => {
  it('fills reserved_stock with what the existing reservation lines still hold', async () => {
    const at = inventoryService.migrations.indexOf(CreateReservedStock1796600000000);
    const before = inventoryService.migrations.slice(0, at);
    const options = await databases.options(type);
    const earlier: DataSource = await createDataSource({ ...options, entities: [], migrations: before });
    let dataSource: DataSource | undefined;
    try {
      await runMigrations(earlier);
      const line = (
        reservation: string,
        lineId: string,
        location: string,
        sku: string,
        quantity: number,
        released: number,
        consumed: number,
      ) =>
        earlier.query(
          `INSERT INTO reservation_line (reservation_id, line_id, location_id, sku, quantity, released_quantity, consumed_quantity)
           VALUES ('${reservation}', '${lineId}', '${location}', '${sku}', ${quantity}, ${released}, ${consumed})`,
        );
      await line('00000000-0000-4000-8000-000000000001', 'a', 'WH-1', 'SKU-1', 5, 1, 1);
      await line('00000000-0000-4000-8000-000000000002', 'a', 'WH-1', 'SKU-1', 2, 0, 0);
      await line('00000000-0000-4000-8000-000000000002', 'b', 'WH-2', 'SKU-1', 4, 4, 0);
      await line('00000000-0000-4000-8000-000000000003', 'a', 'WH-2', 'SKU-2', 3, 0, 2);
      await earlier.destroy();
      dataSource = await createDataSource({ ...options, entities: [], migrations: [...inventoryService.migrations] });
      expect(await runMigrations(dataSource)).toEqual(inventoryService.migrations.slice(at).map((migration) => migration.name));
      const rows: Array<{ sku: string; location_id: string; quantity: string | number }> = await dataSource.query(
        'SELECT sku, location_id, quantity FROM reserved_stock ORDER BY sku, location_id',
      );
      expect(rows.map((row) => ({ ...row, quantity: Number(row.quantity) }))).toEqual([
        { sku: 'SKU-1', location_id: 'WH-1', quantity: 5 },
        { sku: 'SKU-2', location_id: 'WH-2', quantity: 1 },
      ]);
    } finally {
      if (earlier.isInitialized) await earlier.destroy();
      if (dataSource?.isInitialized) await dataSource.destroy();
    }
  });
});
