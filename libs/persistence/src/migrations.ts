import { MigrationExecutor, type DataSource } from 'typeorm';

/**
 * Runs the pending migrations of the DataSource, all in one transaction, and returns their names.
 * Running it again is a no-op. On PostgreSQL an advisory lock per schema makes replicas that
 * start together take turns: the first migrates, the others then find nothing pending.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') {
    const executed = await dataSource.runMigrations({ transaction: 'all' });
    return executed.map((migration) => migration.name);
  }
  const lockKey = `retail-mesh:migrations:${dataSource.options.schema ?? 'public'}`;
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'all';
      const executed = await executor.executePendingMigrations();
      return executed.map((migration) => migration.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
    }
  } finally {
    await runner.release();
  }
}
