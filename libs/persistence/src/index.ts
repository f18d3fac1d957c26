export { columnParameter, columnTypesFor, portableColumn, type ColumnTypes } from './column-types.js';
export { createDataSource, MIGRATIONS_TABLE, resolvePostgresSchema } from './create-data-source.js';
export type {
  DatabaseConnectionOptions,
  DatabaseOptions,
  EntityDefinition,
  MigrationClass,
  PostgresDatabaseOptions,
  SqliteDatabaseOptions,
} from './database-options.js';
export { runMigrations } from './migrations.js';
export { setFillFactor } from './fill-factor.js';
export { claimedKeys, forUpdate } from './row-lock.js';
export { keysetPage } from './keyset-page.js';
export { afterCommit, withAutocommit, withTransaction } from './transaction.js';
export { isUniqueViolation } from './unique-violation.js';
export { GroupCommit } from './group-commit.js';
export {
  EntityColumns,
  hydrated,
  inChunks,
  returnedRows,
  SqlParameters,
  timestampMinusSeconds,
  type ValuesColumn,
} from './hand-written-sql.js';
