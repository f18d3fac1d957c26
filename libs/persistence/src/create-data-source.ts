import { DataSource } from 'typeorm';
import type { DatabaseOptions, PostgresDatabaseOptions, SqliteDatabaseOptions } from './database-options.js';
import { installSqliteTransactionGate } from './sqlite-transaction-gate.js';
import { isUniqueViolation } from './unique-violation.js';

/** Where TypeORM records executed migrations (in the service's schema on PostgreSQL). */
export const MIGRATIONS_TABLE = 'schema_migrations';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;
// Schema names go into SQL and into the connection's search_path unquoted: keep them plain.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates and initializes a DataSource: PostgreSQL (one schema per service) or SQLite.
 * Never synchronizes; run migrations explicitly with `runMigrations`.
 */
export async function createDataSource(options: DatabaseOptions): Promise<DataSource> {
  const dataSource = options.type === 'postgres' ? await postgresDataSource(options) : sqliteDataSource(options);
  await dataSource.initialize();
  if (options.type === 'sqlite') installSqliteTransactionGate(dataSource);
  return dataSource;
}

/** The schema a PostgreSQL DataSource uses (`schema` option, else the url's `?schema=`). */
export function resolvePostgresSchema(options: Pick<PostgresDatabaseOptions, 'url' | 'schema'>): string {
  const schema = options.schema ?? new URL(options.url).searchParams.get('schema') ?? undefined;
  if (schema === undefined) throw new Error('PostgreSQL needs a schema per service: pass `schema` (or ?schema= in the url)');
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and _`);
  return schema;
}

async function postgresDataSource(options: PostgresDatabaseOptions): Promise<DataSource> {
  const schema = resolvePostgresSchema(options);
  const url = new URL(options.url);
  url.searchParams.delete('schema');
  await ensureSchema(url.toString(), schema);
  const dataSource = new DataSource({
    type: 'postgres',
    url: url.toString(),
    schema,
    poolSize: options.poolSize ?? DEFAULT_POOL_SIZE,
    applicationName: options.applicationName,
    uuidExtension: 'pgcrypto',
    // Raw SQL (and anything not qualified by TypeORM) resolves names in the service's schema.
    // No bitmap scans (docs/adr/0011): the work queues are claimed in index order with a LIMIT,
    // and a bitmap heap scan re-reads every dead row version its index still points to.
    extra: { options: `-c search_path=${schema} -c enable_bitmapscan=off` },
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    logging: options.logging,
    logger: options.logger,
  });
  acceptPortableEntityTypes(dataSource);
  return dataSource;
}

function sqliteDataSource(options: SqliteDatabaseOptions): DataSource {
  const inMemory = options.path === ':memory:';
  return new DataSource({
    type: 'better-sqlite3',
    database: options.path,
    // WAL: readers never block the writer. The driver always turns foreign keys on.
    enableWAL: !inMemory,
    timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
    // NORMAL is durable across process crashes in WAL mode (only an OS crash or power loss can
    // drop the last commits) and avoids an fsync per commit.
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('synchronous = NORMAL');
    },
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    logging: options.logging,
    logger: options.logger,
  });
}

async function ensureSchema(url: string, schema: string): Promise<void> {
  // A one-connection DataSource without a schema: the real one may need the schema to exist
  // while it initializes (extensions are created in the first schema of its search_path).
  const bootstrap = new DataSource({ type: 'postgres', url, poolSize: 1 });
  await bootstrap.initialize();
  try {
    // Check first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database.
    const existing: unknown[] = await bootstrap.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (existing.length === 0) {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch((error: unknown) => {
        // Another replica created it at the same moment.
        if (!isUniqueViolation(error)) throw error;
      });
    }
  } finally {
    await bootstrap.destroy();
  }
}

// Entities declare `type: Date` and `type: Buffer` (see `portableColumn`) so one class works on
// both databases. The SQLite driver maps those itself; the PostgreSQL driver rejects Buffer and
// maps Date to `timestamp without time zone`, so map them to the columns our migrations create.
function acceptPortableEntityTypes(dataSource: DataSource): void {
  const driver = dataSource.driver;
  const normalizeType = driver.normalizeType.bind(driver);
  driver.normalizeType = (column) => {
    const type: unknown = column.type;
    if (type === Buffer) return 'bytea';
    if (type === Date) return 'timestamp with time zone';
    return normalizeType(column);
  };
}
