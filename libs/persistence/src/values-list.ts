import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

// Set-based statements over many rows of an entity on either database: a VALUES list (for
// INSERT ... VALUES, or `WITH v(...) AS (VALUES ...) UPDATE ... FROM v`) whose values are stored
// as TypeORM stores them in their columns, and the rows a statement returns.

/** A column of a VALUES list: its name there and the entity property whose column type it takes. */
export interface ValuesColumn {
  name: string;
  property: string;
}

/** Every column of an entity, named as in its table. */
export function entityColumns(manager: EntityManager, entity: EntityTarget<ObjectLiteral>): ValuesColumn[] {
  return manager.connection.getMetadata(entity).columns.map((column) => ({ name: column.databaseName, property: column.propertyPath }));
}

/** The columns of an entity's properties, named as in its table. */
export function propertyColumns(
  manager: EntityManager,
  entity: EntityTarget<ObjectLiteral>,
  properties: readonly string[],
): ValuesColumn[] {
  const metadata = manager.connection.getMetadata(entity);
  return properties.map((property) => ({ name: columnOf(metadata.findColumnWithPropertyPath(property), property).databaseName, property }));
}

/**
 * The rows of a VALUES list (`(…), (…)`) and its parameters, each value as the driver stores it in
 * its column. On PostgreSQL each parameter is cast to the column's type (a parameter in VALUES has
 * no type of its own); SQLite takes the stored values as they are.
 */
export function valuesList(
  manager: EntityManager,
  entity: EntityTarget<ObjectLiteral>,
  columns: readonly ValuesColumn[],
  rows: ReadonlyArray<readonly unknown[]>,
): { sql: string; parameters: unknown[] } {
  const { driver } = manager.connection;
  const metadata = manager.connection.getMetadata(entity);
  const targets = columns.map(({ property }) => columnOf(metadata.findColumnWithPropertyPath(property), property));
  const postgres = manager.connection.options.type === 'postgres';
  const parameters: unknown[] = [];
  const sql = rows.map((row) => {
    const cells = row.map((value, index) => {
      parameters.push(driver.preparePersistentValue(value, targets[index]!));
      return postgres ? `CAST($${parameters.length} AS ${driver.normalizeType(targets[index]!)})` : '?';
    });
    return `(${cells.join(', ')})`;
  });
  return { sql: sql.join(', '), parameters };
}

/**
 * The rows a statement returns (RETURNING), on both databases: TypeORM would answer a PostgreSQL
 * UPDATE or DELETE with [rows, count]. In the manager's transaction when it has one.
 */
export async function returnedRows<T>(manager: EntityManager, sql: string, parameters: readonly unknown[]): Promise<T[]> {
  if (manager.queryRunner) return (await manager.queryRunner.query(sql, [...parameters], true)).records as T[];
  const runner = manager.connection.createQueryRunner();
  try {
    return (await runner.query(sql, [...parameters], true)).records as T[];
  } finally {
    await runner.release();
  }
}

function columnOf<T>(column: T | undefined, property: string): T {
  if (column === undefined) throw new Error(`no column for property "${property}"`);
  return column;
}
