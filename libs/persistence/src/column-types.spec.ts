import type { DataSource, EntityManager, ValueTransformer } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { portableColumn } from './column-types.js';
import { forUpdate } from './row-lock.js';
import { SampleWidget, sampleWidget, sampleWidgetDatabase } from './sample-widget.fixture.js';

describe('portableColumn.bigint', () => {
  const column = portableColumn.bigint({ name: 'on_hand', nullable: true });
  const transformer = column.transformer as ValueTransformer;

  it('declares a bigint column and keeps the other options', () => {
    expect(column).toMatchObject({ type: 'bigint', name: 'on_hand', nullable: true });
  });

  it('reads the string node-postgres returns, a number and null back as numbers', () => {
    expect(transformer.from('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(transformer.from(42)).toBe(42);
    expect(transformer.from(null)).toBeNull();
  });

  it('writes the value unchanged', () => {
    expect(transformer.to(7)).toBe(7);
    expect(transformer.to(null)).toBeNull();
  });
});

describe('forUpdate', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = await sampleWidgetDatabase();
    await dataSource.getRepository(SampleWidget).save(sampleWidget('locked'));
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  const widgets = () => dataSource.manager.createQueryBuilder(SampleWidget, 'widget').where('widget.name = :name', { name: 'locked' });

  it('adds no lock on SQLite, whose transactions already run one at a time', async () => {
    const query = forUpdate(dataSource.manager, widgets());
    expect(query.getQuery()).not.toContain('FOR UPDATE');
    expect((await query.getOne())?.name).toBe('locked');
  });

  it('asks for a pessimistic write lock on PostgreSQL', () => {
    const postgresManager = { connection: { options: { type: 'postgres' } } } as unknown as EntityManager;
    expect(forUpdate(postgresManager, widgets()).expressionMap.lockMode).toBe('pessimistic_write');
  });
});
