import type { EntitySchema, Logger, LoggerOptions, MigrationInterface } from 'typeorm';

/** An entity class or schema. Classes, not glob paths: compiled ESM loads classes reliably. */
export type EntityDefinition = (new (...args: never[]) => object) | EntitySchema;

/** A migration class; TypeORM orders migrations by the 13-digit timestamp ending its name. */
export type MigrationClass = new () => MigrationInterface;

interface CommonDatabaseOptions {
  entities: EntityDefinition[];
  migrations: MigrationClass[];
  logging?: LoggerOptions;
  logger?: Logger;
}

export interface PostgresDatabaseOptions extends CommonDatabaseOptions {
  type: 'postgres';
  /** `postgres://user:password@host:port/database`; a `?schema=` parameter is read when `schema` is not given. */
  url: string;
  /** The service's own schema (created if missing). Its tables and its migrations table live there. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** Shown in `pg_stat_activity`. */
  applicationName?: string;
}

export interface SqliteDatabaseOptions extends CommonDatabaseOptions {
  type: 'sqlite';
  /** Database file (its directory is created), or `:memory:` for unit tests. */
  path: string;
  /** How long a statement waits for another process's write lock before SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
}

export type DatabaseOptions = PostgresDatabaseOptions | SqliteDatabaseOptions;

/** Where the database is, without the entities and migrations: what a service's configuration decides. */
export type DatabaseConnectionOptions =
  Omit<PostgresDatabaseOptions, 'entities' | 'migrations'> | Omit<SqliteDatabaseOptions, 'entities' | 'migrations'>;
