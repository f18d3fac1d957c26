import { columnParameter, isUniqueViolation, portableColumn } from '@retail-mesh/persistence';
import { Column, type DataSource, type EntityTarget, type QueryDeepPartialEntity } from 'typeorm';
import type { WorkerLeaseKey, WorkerLeaseStore } from './worker-loop.js';

/**
 * The columns every lease table has besides its key: who holds the lease, until when. A lease
 * entity extends it and adds its key columns (`channel_account_id`, maybe `duty`).
 */
export abstract class LeaseRow {
  /** The replica's random id, chosen at start-up. */
  @Column({ type: 'varchar', length: 100 })
  holder!: string;

  @Column(portableColumn.timestamp({ name: 'expires_at' }))
  expiresAt!: Date;
}

/**
 * Leases in a table of the service's own (each service owns its tables; the table's key is its
 * choice: per account, or per account and duty). Taking a lease is one conditional UPDATE (the
 * holder extends it, anyone takes an expired one), else one INSERT that a concurrent taker's
 * makes fail on the primary key. Expiry is compared with the replicas' own clocks, so they must
 * agree to well within the lease time (NTP does).
 */
export class WorkerLeaseRepository<Lease extends LeaseRow> implements WorkerLeaseStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly entity: EntityTarget<Lease>,
    /** The row's key properties for a lease, e.g. `({ channelAccountId, duty }) => ({ channelAccountId, duty })`. */
    private readonly keyOf: (key: WorkerLeaseKey) => Partial<Lease>,
  ) {}

  async acquire(key: WorkerLeaseKey, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    const row = this.keyOf(key);
    const [keyCondition, keyParameters] = this.keyCondition(row);
    const taken = await this.dataSource
      .getRepository<LeaseRow>(this.entity)
      .createQueryBuilder()
      .update()
      .set({ holder, expiresAt })
      .where(keyCondition, keyParameters)
      .andWhere(`(${this.column('holder')} = :holder OR ${this.column('expiresAt')} <= :now)`, {
        holder,
        now: columnParameter(this.dataSource, this.entity, 'expiresAt', now),
      })
      .execute();
    if ((taken.affected ?? 0) > 0) return true;
    try {
      await this.dataSource
        .getRepository(this.entity)
        .createQueryBuilder()
        .insert()
        .values({ ...row, holder, expiresAt } as QueryDeepPartialEntity<Lease>)
        .execute();
      return true;
    } catch (error) {
      // Another replica holds it (or took it at the same moment).
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async release(key: WorkerLeaseKey, holder: string): Promise<void> {
    const [keyCondition, keyParameters] = this.keyCondition(this.keyOf(key));
    await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(this.entity)
      .where(keyCondition, keyParameters)
      .andWhere(`${this.column('holder')} = :holder`, { holder })
      .execute();
  }

  private keyCondition(row: Partial<Lease>): [string, Record<string, unknown>] {
    const parameters: Record<string, unknown> = {};
    const conditions = Object.entries(row).map(([property, value], index) => {
      parameters[`key${index}`] = value;
      return `${this.column(property)} = :key${index}`;
    });
    if (conditions.length === 0) throw new Error('a lease needs at least one key column');
    return [conditions.join(' AND '), parameters];
  }

  private column(property: string): string {
    const column = this.dataSource.getMetadata(this.entity).findColumnWithPropertyPath(property);
    if (column === undefined) throw new Error(`the lease table has no column for "${property}"`);
    return this.dataSource.driver.escape(column.databaseName);
  }
}
