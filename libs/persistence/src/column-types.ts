// One entity class and one migration must work on PostgreSQL and SQLite. Entities use
// `portableColumn` (JavaScript types the drivers map), migrations use `columnTypesFor` (the
// database type names). Pairs: timestamp = timestamptz | datetime (stored as UTC text),
// bytes = bytea | blob, json = text, uuid = uuid | varchar.
import type { ColumnOptions, ColumnType, DataSource, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';

type ExtraColumnOptions = Omit<ColumnOptions, 'type'>;

/** Entity column options; a uuid needs no helper: `type: 'uuid'` is `varchar` on SQLite. */
export const portableColumn = {
  timestamp: (options: ExtraColumnOptions = {}): ColumnOptions => ({ ...options, type: Date }),
  // TypeORM's ColumnType has no Buffer; createDataSource teaches the PostgreSQL driver `bytea`.
  bytes: (options: ExtraColumnOptions = {}): ColumnOptions => ({ ...options, type: Buffer as unknown as ColumnType }),
  /** A JSON value stored as text (serialized by TypeORM). */
  json: (options: ExtraColumnOptions = {}): ColumnOptions => ({ ...options, type: 'simple-json' }),
  /**
   * A 64-bit integer read back as a JS number on both databases: node-postgres returns int8 as a
   * string (it may exceed 2^53), while our quantities, amounts and versions are safe integers.
   */
  bigint: (options: Omit<ExtraColumnOptions, 'transformer'> = {}): ColumnOptions => ({
    ...options,
    type: 'bigint',
    transformer: {
      to: (value: unknown) => value,
      from: (value: string | number | null) => (value === null ? null : Number(value)),
    },
  }),
};

export interface ColumnTypes {
  uuid: string;
  timestamp: string;
  bytes: string;
  json: string;
  /** A 64-bit integer. */
  bigint: string;
  /** The type of an auto-incremented 64-bit primary key (SQLite's rowid must be declared INTEGER). */
  bigIncrement: string;
}

const POSTGRES_TYPES: ColumnTypes = {
  uuid: 'uuid',
  timestamp: 'timestamptz',
  bytes: 'bytea',
  json: 'text',
  bigint: 'bigint',
  bigIncrement: 'bigint',
};

const SQLITE_TYPES: ColumnTypes = {
  uuid: 'varchar',
  timestamp: 'datetime',
  bytes: 'blob',
  json: 'text',
  bigint: 'bigint',
  bigIncrement: 'integer',
};

/** Column type names for the Table API in a migration, for the database the migration runs on. */
export function columnTypesFor(queryRunner: QueryRunner): ColumnTypes {
  return queryRunner.dataSource.options.type === 'postgres' ? POSTGRES_TYPES : SQLITE_TYPES;
}

/**
 * A value as the driver stores it in an entity's column, for a hand-written query parameter
 * (TypeORM converts entity values itself, but not parameters: a Date compared with a SQLite
 * `datetime` column must be passed as the driver's UTC text).
 */
export function columnParameter(
  dataSource: DataSource,
  entity: EntityTarget<ObjectLiteral>,
  propertyPath: string,
  value: unknown,
): unknown {
  const column = dataSource.getMetadata(entity).findColumnWithPropertyPath(propertyPath);
  if (column === undefined) throw new Error(`no column for property "${propertyPath}"`);
  return dataSource.driver.preparePersistentValue(value, column);
}
