import type { QueryRunner } from 'typeorm';

/**
 * Leaves `100 - percent`% of each new page of `table` free (PostgreSQL; SQLite has no such
 * setting), for tables whose rows are updated over and over (a row per SKU, a row per order in
 * flight): an update that fits on its row's page and changes no indexed column is a HOT update,
 * which writes no index entries and whose dead versions the page reclaims on its own, without
 * waiting for VACUUM. Pages written before keep their fill until the table is rewritten.
 */
export async function setFillFactor(queryRunner: QueryRunner, table: string, percent: number): Promise<void> {
  if (!Number.isInteger(percent) || percent < 10 || percent > 100)
    throw new RangeError(`fill factor ${percent} is not an integer from 10 to 100`);
  if (queryRunner.connection.options.type !== 'postgres') return;
  await queryRunner.query(`ALTER TABLE ${table} SET (fillfactor = ${percent})`);
}
