import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Locks the selected rows until the transaction ends (PostgreSQL `FOR UPDATE`). SQLite needs no
 * row lock: its transactions already run one at a time (BEGIN IMMEDIATE).
 */
export function forUpdate<T extends ObjectLiteral>(manager: EntityManager, query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return manager.connection.options.type === 'postgres' ? query.setLock('pessimistic_write') : query;
}
