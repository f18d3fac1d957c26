// Column helpers this service's entities share. (Candidates for libs/persistence.)
import type { ColumnOptions, EntityManager, SelectQueryBuilder, ObjectLiteral } from 'typeorm';

/** A 64-bit integer read as a JS number (pg returns bigint as a string; values stay below 2^53). */
export function bigintColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): ColumnOptions {
  return {
    ...options,
    type: 'bigint',
    transformer: { to: (value: unknown) => value, from: (value: string | number | null) => (value === null ? null : Number(value)) },
  };
}

/**
 * Locks the selected rows until the transaction ends (PostgreSQL). SQLite needs no row lock:
 * its transactions already run one at a time (BEGIN IMMEDIATE).
 */
export function forUpdate<T extends ObjectLiteral>(manager: EntityManager, query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return manager.connection.options.type === 'postgres' ? query.setLock('pessimistic_write') : query;
}
