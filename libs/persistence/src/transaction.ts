import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { sqliteTransactionGate } from './sqlite-transaction-gate.js';

// The actions registered with afterCommit, per query runner of an open withTransaction.
const afterCommitActions = new WeakMap<QueryRunner, Array<() => void>>();

/**
 * Runs `work` in one transaction: commits when it resolves, rolls back when it throws.
 * Use the given manager for every statement that belongs to the transaction.
 *
 * On SQLite (one connection, one writer) transactions of a DataSource run one at a time and a
 * call from inside `work` nests as a savepoint; do not await other work on the same DataSource
 * from inside `work` (it would wait for this transaction to end). On PostgreSQL each transaction
 * has its own pooled connection.
 *
 * What `work` registers with `afterCommit` runs once the outermost transaction has committed.
 */
export function withTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3' && sqliteTransactionGate(dataSource) === undefined) {
    throw new Error('SQLite DataSources must come from createDataSource (it serialises their transactions)');
  }
  return transactionWithActions(dataSource, work);
}

async function transactionWithActions<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  let runner: QueryRunner | undefined;
  // Where this level's actions start: a nested level (a savepoint) that rolls back drops only its own.
  let firstOwnAction = 0;
  let result: T;
  try {
    result = await dataSource.transaction((manager) => {
      runner = manager.queryRunner!;
      const actions = afterCommitActions.get(runner);
      if (actions === undefined) afterCommitActions.set(runner, []);
      else firstOwnAction = actions.length;
      return work(manager);
    });
  } catch (error) {
    if (runner !== undefined) {
      if (firstOwnAction === 0) afterCommitActions.delete(runner);
      else afterCommitActions.get(runner)?.splice(firstOwnAction);
    }
    throw error;
  }
  // Still active: this was a savepoint, and the outer transaction may yet roll back.
  if (runner !== undefined && !runner.isTransactionActive) {
    const actions = afterCommitActions.get(runner) ?? [];
    afterCommitActions.delete(runner);
    runAfterCommit(actions);
  }
  return result;
}

/**
 * Runs `action` once the transaction of `manager` (a `withTransaction`) has committed, never after
 * a rollback: publish what it wrote, wake a worker, count an outcome. Actions run in the order
 * they were registered and must not throw (the commit has happened whatever they do).
 */
export function afterCommit(manager: EntityManager, action: () => void): void {
  const actions = manager.queryRunner === undefined ? undefined : afterCommitActions.get(manager.queryRunner);
  if (actions === undefined || manager.queryRunner?.isTransactionActive !== true) {
    throw new Error('afterCommit needs the EntityManager of a transaction opened with withTransaction');
  }
  actions.push(action);
}

function runAfterCommit(actions: Array<() => void>): void {
  const errors: unknown[] = [];
  for (const action of actions) {
    try {
      action();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'the transaction committed, but an after-commit action failed');
}

/**
 * Runs `work`, whose statements each stand alone (a crash between two of them leaves nothing
 * that needs the other): on PostgreSQL straight on the pool, each statement committing by itself,
 * which spares a BEGIN and a COMMIT round trip; on SQLite inside a transaction all the same, as
 * that is how a write waits for the single writer.
 */
export function withAutocommit<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'postgres') return work(dataSource.manager);
  return withTransaction(dataSource, work);
}
