import type { DataSource, EntityManager } from 'typeorm';
import { sqliteTransactionGate } from './sqlite-transaction-gate.js';

/**
 * Runs `work` in one transaction: commits when it resolves, rolls back when it throws.
 * Use the given manager for every statement that belongs to the transaction.
 *
 * On SQLite (one connection, one writer) transactions of a DataSource run one at a time and a
 * call from inside `work` nests as a savepoint; do not await other work on the same DataSource
 * from inside `work` (it would wait for this transaction to end). On PostgreSQL each transaction
 * has its own pooled connection.
 */
export function withTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'better-sqlite3' && sqliteTransactionGate(dataSource) === undefined) {
    throw new Error('SQLite DataSources must come from createDataSource (it serialises their transactions)');
  }
  return dataSource.transaction(work);
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
