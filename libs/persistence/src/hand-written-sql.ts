import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

// Hand-written statements over many rows, on either database: for hot paths where TypeORM's
// query builders (their per-parameter bookkeeping) cost more than the database does. Values go
// in placeholder order (`$1, $2, …` on PostgreSQL, `?` on SQLite), each stored as TypeORM stores
// it in its column; large inputs are split into statements of a bounded number of rows.

type ColumnMetadata = EntityMetadata['columns'][number];

/** A column of a VALUES list: its name there and the entity property whose column type it takes. */
export interface ValuesColumn {
  name: string;
  property: string;
}

/**
 * Columns of an entity that VALUES rows are given in, looked up once per statement shape: each
 * value is prepared as the driver stores it in its column (dates, booleans, JSON, transformers).
 */
export class EntityColumns {
  /** The column names, comma-separated: for `INSERT INTO t (…)` or `WITH v(…)`. */
  readonly names: string;

  private constructor(
    private readonly dataSource: DataSource,
    readonly columns: readonly ValuesColumn[],
    private readonly metadata: readonly ColumnMetadata[],
    /** The column types on PostgreSQL (of its array parameters), computed once per column. */
    readonly types: readonly string[],
  ) {
    this.names = columns.map(({ name }) => name).join(', ');
  }

  /**
   * The columns of `properties` (every column of the entity when omitted), named as in the table;
   * a `{ name, property }` names a column of the VALUES list that takes a property's type (say
   * `expected_version` for `version`).
   */
  static of(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, properties?: ReadonlyArray<string | ValuesColumn>): EntityColumns {
    const entityMetadata = dataSource.getMetadata(entity);
    const metadata: ColumnMetadata[] = [];
    const columns: ValuesColumn[] = [];
    for (const each of properties ?? entityMetadata.columns.map((column) => column.propertyPath)) {
      const property = typeof each === 'string' ? each : each.property;
      const column = entityMetadata.findColumnWithPropertyPath(property);
      if (column === undefined) throw new Error(`no column for property "${property}"`);
      metadata.push(column);
      columns.push({ name: typeof each === 'string' ? column.databaseName : each.name, property });
    }
    const types = dataSource.options.type === 'postgres' ? metadata.map((column) => dataSource.driver.normalizeType(column)) : [];
    return new EntityColumns(dataSource, columns, metadata, types);
  }

  /** The values of an entity's (or a row's) properties, in the order of the columns. */
  valuesOf(entity: ObjectLiteral): unknown[] {
    return this.columns.map(({ property }) => entity[property]);
  }

  /** `value` as the driver stores it in the column at `index`. */
  prepare(index: number, value: unknown): unknown {
    return this.dataSource.driver.preparePersistentValue(value, this.metadata[index]!);
  }
}

/**
 * The placeholders of one statement with their values, in order. Build the SQL and pass
 * `values` as its parameters.
 */
export class SqlParameters {
  readonly values: unknown[] = [];

  constructor(private readonly numbered: boolean) {}

  static for(dataSource: DataSource): SqlParameters {
    return new SqlParameters(dataSource.options.type === 'postgres');
  }

  /** The placeholder of one value, passed as given. */
  add(value: unknown): string {
    this.values.push(value);
    return this.numbered ? `$${this.values.length}` : '?';
  }

  /** `p, p, …` for the values of an IN list, passed as given. */
  private list(values: readonly unknown[]): string {
    return values.map((value) => this.add(value)).join(', ');
  }

  /**
   * `IN (p, p, …)` of the values, passed as given; on PostgreSQL `= ANY(p)` of one array
   * parameter, whose text does not grow with the list (see `arrays`).
   */
  inList(values: readonly unknown[]): string {
    return this.numbered ? `= ANY(${this.add(arrayParameter(values))})` : `IN (${this.list(values)})`;
  }

  /** `NOT IN (p, p, …)` of the values; on PostgreSQL `<> ALL(p)` of one array parameter. */
  notInList(values: readonly unknown[]): string {
    return this.numbered ? `<> ALL(${this.add(arrayParameter(values))})` : `NOT IN (${this.list(values)})`;
  }

  /**
   * The rows in the order of `columns` as the source of `INSERT INTO t (…) <source>` or of
   * `WITH v(…) AS (<source>)`, each value stored as its column stores it: on PostgreSQL
   * `SELECT * FROM unnest(…)` of one array parameter per column (see `arrays`), on SQLite
   * `VALUES (p, …), (p, …)`. Rows come out in order.
   */
  rowSource(columns: EntityColumns, rows: ReadonlyArray<readonly unknown[]>): string {
    if (!this.numbered) return `VALUES ${this.rows(columns, rows)}`;
    return `SELECT * FROM unnest(${this.arrays(columns, rows).join(', ')})`;
  }

  /** `(p, …), (p, …)` for rows of values in the order of `columns`, each stored as its column stores it. */
  private rows(columns: EntityColumns, rows: ReadonlyArray<readonly unknown[]>): string {
    return rows.map((row) => `(${row.map((value, index) => this.add(columns.prepare(index, value))).join(', ')})`).join(', ');
  }

  /**
   * PostgreSQL: the rows as one array parameter per column, each cast to its column's array type.
   * The statement keeps one shape whatever the number of rows, where PostgreSQL parses, analyses
   * and plans a VALUES list row by row on every call (measured: a 200-row upsert cost it 1.74 ms
   * of CPU with VALUES, 1.27 ms with unnest, and node-postgres 1.0 ms against 0.7 ms).
   */
  private arrays(columns: EntityColumns, rows: ReadonlyArray<readonly unknown[]>): string[] {
    return columns.types.map((type, index) => {
      const values = rows.map((row) => columns.prepare(index, row[index]));
      const placeholder = this.add(arrayParameter(values, type === 'timestamp with time zone'));
      return `CAST(${placeholder} AS ${type}[])`;
    });
  }
}

/**
 * A one-dimensional array parameter as PostgreSQL's array literal text, which is what node-postgres
 * sends for an array anyway: written here in one pass, where node-postgres prepares, formats (dates
 * in local time, field by field) and escapes element by element; that was 6-9% of the busy time
 * of the services that write the most rows. Strings are always quoted (an unquoted NULL is null).
 * Dates become ISO 8601 in UTC only for `timestamptz` (`datesAreInstants`): a column without a
 * zone would read the UTC digits where node-postgres sends local ones. An array holding anything
 * else (Buffers, objects) is left to node-postgres.
 */
export function arrayParameter(values: readonly unknown[], datesAreInstants = false): string | readonly unknown[] {
  let literal = '{';
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (index > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else if (typeof value === 'string') literal += quotedElement(value);
    else if (typeof value === 'number' || typeof value === 'bigint') literal += String(value);
    else if (typeof value === 'boolean') literal += value ? 'true' : 'false';
    else if (value instanceof Date && datesAreInstants && !Number.isNaN(value.getTime())) literal += value.toISOString();
    else return values;
  }
  return `${literal}}`;
}

function quotedElement(value: string): string {
  const plain = !value.includes('"') && !value.includes('\\');
  return `"${plain ? value : value.replace(/[\\"]/g, '\\$&')}"`;
}

/**
 * Runs `statement` on consecutive chunks of at most `size` items, one after the other, and returns
 * what they returned, in order: keeps each statement under both databases' bound-parameter limits.
 */
export async function inChunks<T, R = never>(
  items: readonly T[],
  size: number,
  statement: (chunk: T[]) => Promise<readonly R[] | void>,
): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    const returned = await statement(items.slice(start, start + size));
    if (returned) results.push(...returned);
  }
  return results;
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

/** Entities from the rows of a hand-written statement, each column read as TypeORM reads it (types, transformers). */
export function hydrated<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  rows: ReadonlyArray<Record<string, unknown>>,
): T[] {
  const metadata = dataSource.getMetadata(entity);
  const { driver } = dataSource;
  return rows.map((row) => {
    const loaded = metadata.create() as T;
    for (const column of metadata.columns) column.setEntityValue(loaded, driver.prepareHydratedValue(row[column.databaseName], column));
    return loaded;
  });
}

/**
 * A timestamp column less `seconds`, as an SQL expression of the connection's database: PostgreSQL
 * `timestamptz` arithmetic; SQLite keeps TypeORM's datetime as UTC text `YYYY-MM-DD HH:MM:SS.SSS`
 * and gets the same text back. For statements that move stored times (migrations).
 */
export function timestampMinusSeconds(connection: DataSource, column: string, seconds: number): string {
  if (!Number.isInteger(seconds)) throw new Error(`whole seconds only, got ${seconds}`);
  return connection.options.type === 'postgres'
    ? `${column} - interval '${seconds} seconds'`
    : `strftime('%Y-%m-%d %H:%M:%f', ${column}, '${-seconds} seconds')`;
}
