import { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SampleWidget, sampleWidget, sampleWidgetDatabase } from './sample-widget.fixture.js';
import { afterCommit, withAutocommit, withTransaction } from './transaction.js';
import { isUniqueViolation } from './unique-violation.js';

// Lets other async work run between two statements of a transaction, as real I/O would.
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('withTransaction on SQLite', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = await sampleWidgetDatabase();
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  const count = () => dataSource.getRepository(SampleWidget).count();

  it('commits when the work resolves and rolls back when it throws', async () => {
    await withTransaction(dataSource, (manager) => manager.insert(SampleWidget, sampleWidget('kept')));
    const failing = withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('dropped'));
      throw new Error('business rule broken');
    });
    await expect(failing).rejects.toThrow('business rule broken');
    expect(await dataSource.getRepository(SampleWidget).find({ select: { name: true } })).toEqual([{ name: 'kept' }]);
  });

  it('runs withAutocommit as a transaction: on SQLite that is how a write waits for the writer', async () => {
    const failing = withAutocommit(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('autocommit-dropped'));
      throw new Error('the second statement failed');
    });
    await expect(failing).rejects.toThrow('the second statement failed');
    expect(await count()).toBe(0);
  });

  it('runs overlapping transactions one at a time: each commits or rolls back alone', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, index) =>
        withTransaction(dataSource, async (manager) => {
          await manager.insert(SampleWidget, sampleWidget(`first-${index}`));
          await yieldToOthers();
          await manager.insert(SampleWidget, sampleWidget(`second-${index}`));
          await yieldToOthers();
          if (index % 4 === 0) throw new Error(`transaction ${index} fails`);
        }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(10);
    const names = (await dataSource.getRepository(SampleWidget).find()).map((widget) => widget.name);
    expect(names).toHaveLength(60);
    for (let index = 0; index < 40; index += 1) {
      const expected = index % 4 === 0 ? [] : [`first-${index}`, `second-${index}`];
      expect(names.filter((name) => name.endsWith(`-${index}`)).sort()).toEqual(expected);
    }
  });

  it('keeps uncommitted rows invisible to reads outside the transaction', async () => {
    let insideTransaction!: () => void;
    const inserted = new Promise<void>((resolve) => (insideTransaction = resolve));
    let finish!: () => void;
    const finishing = new Promise<void>((resolve) => (finish = resolve));
    const transaction = withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('uncommitted'));
      insideTransaction();
      await finishing;
      throw new Error('rolled back');
    });
    await inserted;
    const countOutside = count();
    finish();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(await countOutside).toBe(0);
  });

  it('serialises raw DataSource.transaction and implicit save() transactions with withTransaction', async () => {
    const work = Array.from({ length: 30 }, (_, index) => {
      if (index % 3 === 0) return dataSource.getRepository(SampleWidget).save(sampleWidget(`saved-${index}`));
      if (index % 3 === 1) {
        return dataSource.transaction(async (manager) => {
          await yieldToOthers();
          await manager.insert(SampleWidget, sampleWidget(`raw-${index}`));
        });
      }
      return withTransaction(dataSource, async (manager) => {
        await manager.insert(SampleWidget, sampleWidget(`helper-${index}`));
        await yieldToOthers();
      });
    });
    await Promise.all(work);
    expect(await count()).toBe(30);
  });

  it('nests a transaction started inside another as a savepoint', async () => {
    await withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('outer'));
      const inner = withTransaction(dataSource, async (innerManager) => {
        await innerManager.insert(SampleWidget, sampleWidget('inner'));
        throw new Error('inner fails');
      });
      await expect(inner).rejects.toThrow('inner fails');
    });
    expect((await dataSource.getRepository(SampleWidget).find()).map((widget) => widget.name)).toEqual(['outer']);
  });

  it('runs what afterCommit registered once the transaction committed, in order, and never after a rollback', async () => {
    const ran: string[] = [];
    await withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('committed'));
      afterCommit(manager, () => ran.push('first'));
      afterCommit(manager, () => ran.push('second'));
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['first', 'second']);
    const rolledBack = withTransaction(dataSource, async (manager) => {
      afterCommit(manager, () => ran.push('rolled back'));
      throw new Error('business rule broken');
    });
    await expect(rolledBack).rejects.toThrow('business rule broken');
    // The next transaction on the same connection starts with nothing registered.
    await withTransaction(dataSource, async (manager) => afterCommit(manager, () => ran.push('next')));
    expect(ran).toEqual(['first', 'second', 'next']);
  });

  it('runs the actions of a nested transaction when the outer one commits; a savepoint rolled back drops only its own', async () => {
    const ran: string[] = [];
    await withTransaction(dataSource, async (manager) => {
      afterCommit(manager, () => ran.push('outer'));
      await withTransaction(dataSource, async (innerManager) => afterCommit(innerManager, () => ran.push('inner committed')));
      expect(ran).toEqual([]);
      const failing = withTransaction(dataSource, async (innerManager) => {
        afterCommit(innerManager, () => ran.push('inner rolled back'));
        throw new Error('inner fails');
      });
      await expect(failing).rejects.toThrow('inner fails');
      afterCommit(manager, () => ran.push('outer, after the savepoints'));
    });
    expect(ran).toEqual(['outer', 'inner committed', 'outer, after the savepoints']);
  });

  it('refuses afterCommit outside a transaction of withTransaction', () => {
    expect(() => afterCommit(dataSource.manager, () => undefined)).toThrow(/withTransaction/);
  });

  it('reports an action that throws after running the others: the commit stands', async () => {
    const ran: string[] = [];
    const committing = withTransaction(dataSource, async (manager) => {
      await manager.insert(SampleWidget, sampleWidget('kept despite the action'));
      afterCommit(manager, () => {
        throw new Error('action broken');
      });
      afterCommit(manager, () => ran.push('still runs'));
    });
    await expect(committing).rejects.toThrow(/committed, but an after-commit action failed/);
    expect(ran).toEqual(['still runs']);
    expect(await count()).toBe(1);
  });

  it('reports unique and primary-key violations from the driver', async () => {
    const widget = sampleWidget('unique');
    await dataSource.getRepository(SampleWidget).insert(widget);
    const duplicateKey = await dataSource
      .getRepository(SampleWidget)
      .insert(widget)
      .catch((error: unknown) => error);
    const duplicateName = await dataSource
      .getRepository(SampleWidget)
      .insert(sampleWidget('unique'))
      .catch((error: unknown) => error);
    const notNull = await dataSource
      .getRepository(SampleWidget)
      .insert(sampleWidget('other', { quantity: null as never }))
      .catch((error: unknown) => error);
    expect(isUniqueViolation(duplicateKey)).toBe(true);
    expect(isUniqueViolation(duplicateName)).toBe(true);
    expect(notNull).toBeInstanceOf(Error);
    expect(isUniqueViolation(notNull)).toBe(false);
    expect(isUniqueViolation(new Error('unrelated'))).toBe(false);
  });

  it('refuses a SQLite DataSource that createDataSource did not make', async () => {
    const plain = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await plain.initialize();
    try {
      expect(() => withTransaction(plain, async () => undefined)).toThrow(/createDataSource/);
    } finally {
      await plain.destroy();
    }
  });
});
