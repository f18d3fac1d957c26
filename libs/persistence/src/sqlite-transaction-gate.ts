// TypeORM's better-sqlite3 driver gives every caller the same QueryRunner on the same
// connection. Two transactions that overlap in time (two requests awaiting between statements)
// therefore collide: the second BEGIN fails with "cannot start a transaction within a
// transaction", or one flow's statements land inside the other's transaction and are committed
// or rolled back with it. SQLite has one writer anyway, so this gate lets one transaction at a
// time use the connection and makes statements issued outside any transaction wait until the
// open one ends (so they never read its uncommitted rows nor write into it).
//
// Ownership is tracked with AsyncLocalStorage: everything awaited inside `exclusive(work)`
// belongs to that transaction, including nested transactions (savepoints). Transactions that
// TypeORM starts on its own, outside `exclusive` (the implicit transaction of `save()` called
// without one, migrations), take the gate anonymously: they are serialised too, but statements
// without an owner may run inside them meanwhile. Services open transactions with
// `withTransaction`, which always goes through `exclusive`.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, QueryRunner } from 'typeorm';

interface Holder {
  readonly anonymous: boolean;
}

export class SqliteTransactionGate {
  private readonly owners = new AsyncLocalStorage<Holder>();
  private holder: Holder | undefined;
  private statementsOutsideTransactions = 0;
  private waiters: Array<() => void> = [];

  /** Runs `work` as the only transaction on the connection; a call from inside it nests. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.isHeldByCaller()) return work();
    const holder: Holder = { anonymous: false };
    await this.acquire(holder);
    try {
      return await this.owners.run(holder, work);
    } finally {
      this.release();
    }
  }

  /** Runs one statement, waiting while a transaction that is not the caller's holds the connection. */
  async statement<T>(run: () => Promise<T>): Promise<T> {
    while (this.holder !== undefined && !this.belongsToHolder()) await this.nextChange();
    if (this.holder !== undefined) return run();
    this.statementsOutsideTransactions += 1;
    try {
      return await run();
    } finally {
      this.statementsOutsideTransactions -= 1;
      this.notify();
    }
  }

  isHeldByCaller(): boolean {
    return this.holder !== undefined && this.owners.getStore() === this.holder;
  }

  isHeldAnonymously(): boolean {
    return this.holder?.anonymous === true;
  }

  async acquireAnonymously(): Promise<void> {
    await this.acquire({ anonymous: true });
  }

  release(): void {
    this.holder = undefined;
    this.notify();
  }

  private async acquire(holder: Holder): Promise<void> {
    // Check and take in the same turn of the event loop: nothing may run in between.
    while (this.holder !== undefined || this.statementsOutsideTransactions > 0) await this.nextChange();
    this.holder = holder;
  }

  private belongsToHolder(): boolean {
    const caller = this.owners.getStore();
    return caller === this.holder || (this.holder?.anonymous === true && caller === undefined);
  }

  private nextChange(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    // Wake every waiter in arrival order; each re-checks its condition and waits again if needed.
    for (const wake of this.waiters.splice(0)) wake();
  }
}

// The QueryRunner methods the gate wraps, with the depth TypeORM keeps protected.
interface GatedRunner {
  query: QueryRunner['query'];
  startTransaction: QueryRunner['startTransaction'];
  commitTransaction: QueryRunner['commitTransaction'];
  rollbackTransaction: QueryRunner['rollbackTransaction'];
  transactionDepth: number;
}

const gates = new WeakMap<DataSource, SqliteTransactionGate>();

export function sqliteTransactionGate(dataSource: DataSource): SqliteTransactionGate | undefined {
  return gates.get(dataSource);
}

/** Installs the gate on an initialized better-sqlite3 DataSource (its one shared QueryRunner and its manager). */
export function installSqliteTransactionGate(dataSource: DataSource): SqliteTransactionGate {
  const gate = new SqliteTransactionGate();
  const runner = dataSource.driver.createQueryRunner('master') as unknown as GatedRunner;

  const query = runner.query.bind(runner);
  // BEGIN IMMEDIATE takes the write lock up front, so a transaction that reads and then writes
  // waits (busy timeout) for another process instead of failing with SQLITE_BUSY mid-way.
  runner.query = ((sql: string, parameters?: unknown[], structured?: boolean) =>
    gate.statement(() =>
      query(sql === 'BEGIN TRANSACTION' ? 'BEGIN IMMEDIATE TRANSACTION' : sql, parameters, structured as never),
    )) as never;

  const startTransaction = runner.startTransaction.bind(runner);
  runner.startTransaction = async (isolationLevel) => {
    const nested = gate.isHeldByCaller() || (gate.isHeldAnonymously() && runner.transactionDepth > 0);
    if (nested) return startTransaction(isolationLevel);
    await gate.acquireAnonymously();
    try {
      await startTransaction(isolationLevel);
    } catch (error) {
      gate.release();
      throw error;
    }
  };

  const commitTransaction = runner.commitTransaction.bind(runner);
  runner.commitTransaction = async () => {
    await commitTransaction();
    if (runner.transactionDepth === 0 && gate.isHeldAnonymously()) gate.release();
  };

  const rollbackTransaction = runner.rollbackTransaction.bind(runner);
  runner.rollbackTransaction = async () => {
    const outermost = runner.transactionDepth <= 1;
    try {
      await rollbackTransaction();
    } finally {
      if (outermost && gate.isHeldAnonymously()) gate.release();
    }
  };

  // DataSource.transaction delegates to its manager: route it through the gate with an owner.
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = ((...args: unknown[]) => gate.exclusive(() => transaction(...args))) as typeof manager.transaction;

  gates.set(dataSource, gate);
  return gate;
}
