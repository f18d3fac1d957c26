import { createTestSchema, TEST_POSTGRES_URL, uniqueName, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource, MIGRATIONS_TABLE } from './create-data-source.js';
import type { PostgresDatabaseOptions } from './database-options.js';
import { setFillFactor } from './fill-factor.js';
import { runMigrations } from './migrations.js';
import { CreateSampleWidgets1700000000000, SampleWidget, sampleWidget } from './sample-widget.fixture.js';
import { afterCommit, withAutocommit, withTransaction } from './transaction.js';
import { isUniqueViolation } from './unique-violation.js';

const sample = { entities: [SampleWidget], migrations: [CreateSampleWidgets1700000000000] };

describe('createDataSource on PostgreSQL', () => {
  let schema: TestSchema;
  let dataSource: DataSource;
  const opened: DataSource[] = [];

  async function open(options: Partial<PostgresDatabaseOptions> = {}): Promise<DataSource> {
    const created = await createDataSource({ type: 'postgres', url: schema.url, schema: schema.name, ...sample, ...options });
    opened.push(created);
    return created;
  }

  beforeAll(async () => {
    schema = await createTestSchema('rm_persistence');
    dataSource = await open({ poolSize: 3 });
  });

  afterAll(async () => {
    for (const each of opened) if (each.isInitialized) await each.destroy();
    await schema.remove();
  });

  it('creates a missing schema and keeps the tables and the migrations table in it', async () => {
    const missing = uniqueName('rm_persistence_new');
    const fresh = await createDataSource({ type: 'postgres', url: `${TEST_POSTGRES_URL}?schema=${missing}`, ...sample });
    try {
      expect(await runMigrations(fresh)).toEqual(['CreateSampleWidgets1700000000000']);
      const tables: Array<{ table_name: string }> = await fresh.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [missing],
      );
      expect(tables.map((row) => row.table_name)).toEqual(['sample_widgets', MIGRATIONS_TABLE].sort());
      expect(await fresh.query('SHOW search_path')).toEqual([{ search_path: missing }]);
    } finally {
      await fresh.query(`DROP SCHEMA ${missing} CASCADE`);
      await fresh.destroy();
    }
  });

  it('plans without bitmap scans on every pooled connection (docs/adr/0011)', async () => {
    const settings = await Promise.all(Array.from({ length: 3 }, () => dataSource.query('SHOW enable_bitmapscan')));
    expect(settings).toEqual(Array.from({ length: 3 }, () => [{ enable_bitmapscan: 'off' }]));
  });

  it('refuses to run without a schema', async () => {
    await expect(createDataSource({ type: 'postgres', url: TEST_POSTGRES_URL, ...sample })).rejects.toThrow(/schema/);
  });

  it('runs pending migrations once even when replicas start together, then is a no-op', async () => {
    const replicas = [dataSource, await open(), await open()];
    const executed = await Promise.all(replicas.map((replica) => runMigrations(replica)));
    expect(executed.flat()).toEqual(['CreateSampleWidgets1700000000000']);
    expect(await runMigrations(dataSource)).toEqual([]);
    expect(await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([{ name: 'CreateSampleWidgets1700000000000' }]);
  });

  it('sets the fill factor of a table, and refuses one PostgreSQL would not take', async () => {
    await runMigrations(dataSource);
    const reloptions = async () =>
      (
        (await dataSource.query(`SELECT reloptions FROM pg_class WHERE oid = 'sample_widgets'::regclass`)) as Array<{
          reloptions: string[] | null;
        }>
      )[0]!.reloptions;
    const queryRunner = dataSource.createQueryRunner();
    try {
      await setFillFactor(queryRunner, 'sample_widgets', 50);
      expect(await reloptions()).toEqual(['fillfactor=50']);
      await setFillFactor(queryRunner, 'sample_widgets', 100);
      expect(await reloptions()).toEqual(['fillfactor=100']);
      await expect(setFillFactor(queryRunner, 'sample_widgets', 5)).rejects.toThrow(RangeError);
    } finally {
      await queryRunner.release();
    }
  });

  it('creates portable columns with the PostgreSQL types and round-trips them', async () => {
    await runMigrations(dataSource);
    const columns: Array<{ column_name: string; data_type: string }> = await dataSource.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'sample_widgets'`,
      [schema.name],
    );
    expect(Object.fromEntries(columns.map((column) => [column.column_name, column.data_type]))).toMatchObject({
      id: 'uuid',
      payload: 'bytea',
      labels: 'text',
      created_at: 'timestamp with time zone',
    });

    const widget = sampleWidget('pg-round-trip', { payload: Buffer.from([0, 7, 255]), shippedAt: new Date('2025-12-31T23:59:59.999Z') });
    await dataSource.getRepository(SampleWidget).insert(widget);
    expect(await dataSource.getRepository(SampleWidget).findOneByOrFail({ id: widget.id })).toEqual(widget);
  });

  it('uses the pool size it was given', () => {
    const pool = (dataSource.driver as unknown as { master: { options: { max: number } } }).master;
    expect(pool.options.max).toBe(3);
  });

  it('reports unique violations (SQLSTATE 23505) and rolls a failed transaction back', async () => {
    await runMigrations(dataSource);
    const widget = sampleWidget('pg-unique');
    await withTransaction(dataSource, (manager) => manager.insert(SampleWidget, widget));
    const duplicate = await withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('pg-unique-other'));
      await manager.insert(SampleWidget, sampleWidget('pg-unique'));
    }).catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(await dataSource.getRepository(SampleWidget).countBy({ name: 'pg-unique-other' })).toBe(0);
    const notNull = await dataSource
      .getRepository(SampleWidget)
      .insert(sampleWidget('pg-null', { quantity: null as never }))
      .catch((error: unknown) => error);
    expect(notNull).toBeInstanceOf(Error);
    expect(isUniqueViolation(notNull)).toBe(false);
  });

  it('runs concurrent transactions on separate connections', async () => {
    await runMigrations(dataSource);
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        withTransaction(dataSource, async (manager) => {
          await manager.insert(SampleWidget, sampleWidget(`pg-concurrent-${index}`));
          await manager.query('SELECT pg_sleep(0.01)');
        }),
      ),
    );
    const names = await dataSource.getRepository(SampleWidget).find({ select: { name: true } });
    expect(names.filter((row) => row.name.startsWith('pg-concurrent-'))).toHaveLength(12);
  });

  it('runs afterCommit actions once the row is visible to other connections, and never after a rollback', async () => {
    await runMigrations(dataSource);
    const seen: Array<Promise<number>> = [];
    await withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('pg-after-commit'));
      afterCommit(manager, () => seen.push(dataSource.getRepository(SampleWidget).countBy({ name: 'pg-after-commit' })));
    });
    const rolledBack = withTransaction(dataSource, async (manager) => {
      afterCommit(manager, () => seen.push(Promise.resolve(-1)));
      throw new Error('rolled back');
    });
    await expect(rolledBack).rejects.toThrow('rolled back');
    expect(await Promise.all(seen)).toEqual([1]);
  });

  it('commits each statement of withAutocommit by itself: a later failure takes nothing back', async () => {
    await runMigrations(dataSource);
    const failing = withAutocommit(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('pg-autocommit-kept'));
      throw new Error('the second statement failed');
    });
    await expect(failing).rejects.toThrow('the second statement failed');
    expect(await dataSource.getRepository(SampleWidget).countBy({ name: 'pg-autocommit-kept' })).toBe(1);
  });
});

describe('setFillFactor on SQLite', () => {
  it('changes nothing: SQLite has no fill factor', async () => {
    const sqlite = await createDataSource({ type: 'sqlite', path: ':memory:', ...sample });
    const queryRunner = sqlite.createQueryRunner();
    try {
      await runMigrations(sqlite);
      await setFillFactor(queryRunner, 'sample_widgets', 50);
      await sqlite.getRepository(SampleWidget).insert(sampleWidget('sqlite-fill-factor'));
      expect(await sqlite.getRepository(SampleWidget).countBy({ name: 'sqlite-fill-factor' })).toBe(1);
    } finally {
      await queryRunner.release();
      await sqlite.destroy();
    }
  });
});
