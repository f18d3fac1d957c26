import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDataSource, MIGRATIONS_TABLE } from './create-data-source.js';
import { runMigrations } from './migrations.js';
import { CreateSampleWidgets1700000000000, SampleWidget, sampleWidget } from './sample-widget.fixture.js';

describe('createDataSource on SQLite', () => {
  let directory: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'rm-persistence-'));
    dataSource = await createDataSource({
      type: 'sqlite',
      path: path.join(directory, 'nested', 'service.sqlite'),
      busyTimeoutMs: 1234,
      entities: [SampleWidget],
      migrations: [CreateSampleWidgets1700000000000],
    });
  });

  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    rmSync(directory, { recursive: true, force: true });
  });

  it('opens the file in WAL mode with a busy timeout and foreign keys on', async () => {
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: 1234 }]);
    expect(await dataSource.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
  });

  it('never synchronizes: tables appear only through migrations', async () => {
    expect(await tableNames(dataSource)).not.toContain('sample_widgets');
    expect(await runMigrations(dataSource)).toEqual(['CreateSampleWidgets1700000000000']);
    expect(await tableNames(dataSource)).toEqual(expect.arrayContaining(['sample_widgets', MIGRATIONS_TABLE]));
  });

  it('runs migrations once: a second run, even from a new DataSource on the same file, is a no-op', async () => {
    await runMigrations(dataSource);
    expect(await runMigrations(dataSource)).toEqual([]);
    const file = dataSource.options.database as string;
    await dataSource.destroy();
    dataSource = await createDataSource({
      type: 'sqlite',
      path: file,
      entities: [SampleWidget],
      migrations: [CreateSampleWidgets1700000000000],
    });
    expect(await runMigrations(dataSource)).toEqual([]);
    expect(await dataSource.query(`SELECT name FROM ${MIGRATIONS_TABLE}`)).toEqual([{ name: 'CreateSampleWidgets1700000000000' }]);
  });

  it('round-trips the portable column types', async () => {
    await runMigrations(dataSource);
    const shippedAt = new Date('2025-06-07T08:09:10.123Z');
    const widget = sampleWidget('round-trip', { payload: Buffer.from('héllo\u0000bytes'), labels: { a: '1', b: 'two' }, shippedAt });
    await dataSource.getRepository(SampleWidget).insert(widget);

    const loaded = await dataSource.getRepository(SampleWidget).findOneByOrFail({ id: widget.id });
    expect(loaded).toEqual(widget);
    expect(Buffer.isBuffer(loaded.payload)).toBe(true);
    expect(loaded.createdAt).toBeInstanceOf(Date);
  });
});

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ name: string }> = await dataSource.query(`SELECT name FROM sqlite_master WHERE type = 'table'`);
  return rows.map((row) => row.name);
}
