// How publishing passes share the dirty marks on PostgreSQL: a pass skips the marks another
// transaction holds and the SKUs the caller says are busy, and a rollback puts its marks back.
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { createTestSchema, TEST_POSTGRES_URL, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inventoryService } from '../inventory.definition.js';
import { DirtySkuEntity } from './dirty-sku.entity.js';
import { DirtySkuRepository } from './dirty-sku.repository.js';

describe('dirty marks on PostgreSQL', () => {
  const dirty = new DirtySkuRepository();
  let schema: TestSchema;
  let dataSource: DataSource;

  const mark = (skus: string[]) => withTransaction(dataSource, (manager) => dirty.mark(manager, skus, { sourceChangedAt: null }));
  const markedSkus = async () => (await dataSource.getRepository(DirtySkuEntity).find({ order: { id: 'ASC' } })).map((row) => row.sku);

  beforeAll(async () => {
    schema = await createTestSchema('rm_inventory_dirty');
    dataSource = await createDataSource({
      type: 'postgres',
      url: TEST_POSTGRES_URL,
      schema: schema.name,
      entities: [...inventoryService.entities],
      migrations: [...inventoryService.migrations],
    });
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
  });

  beforeEach(async () => {
    await dataSource.getRepository(DirtySkuEntity).clear();
  });

  it('leaves the marks of busy SKUs for a later pass', async () => {
    await mark(['SKU-A', 'SKU-B', 'SKU-A', 'SKU-C']);
    const batch = await withTransaction(dataSource, (manager) => dirty.takeBatch(manager, 10, new Set(['SKU-A'])));
    expect(batch.skus.map((entry) => entry.sku)).toEqual(['SKU-B', 'SKU-C']);
    expect(await markedSkus()).toEqual(['SKU-A', 'SKU-A']);
  });

  it('lets a concurrent pass take the next marks instead of waiting for the first to commit, and a rollback restores them', async () => {
    await mark(['SKU-1', 'SKU-2', 'SKU-3']);
    let releaseFirst: () => void = () => undefined;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstTook: string[] = [];
    let tookFirst: () => void = () => undefined;
    const firstTaken = new Promise<void>((resolve) => (tookFirst = resolve));
    const first = withTransaction(dataSource, async (manager) => {
      firstTook = (await dirty.takeBatch(manager, 1)).skus.map((entry) => entry.sku);
      tookFirst();
      await firstHolds;
      throw new Error('the pass failed');
    });

    await firstTaken;
    const second = await withTransaction(dataSource, (manager) => dirty.takeBatch(manager, 10, new Set(firstTook)));
    expect(firstTook).toEqual(['SKU-1']);
    expect(second.skus.map((entry) => entry.sku)).toEqual(['SKU-2', 'SKU-3']);
    releaseFirst();
    await expect(first).rejects.toThrow('the pass failed');
    expect(await markedSkus()).toEqual(['SKU-1']);
  });
});
