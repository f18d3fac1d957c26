import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Locks the selected rows until the transaction ends (PostgreSQL `FOR UPDATE`). SQLite needs no
 * row lock: its transactions already run one at a time (BEGIN IMMEDIATE).
 */
export function forUpdate<T extends ObjectLiteral>(manager: EntityManager, query: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
  return manager.connection.options.type === 'postgres' ? query.setLock('pessimistic_write') : query;
}

/**
 * The condition of a `DELETE … WHERE <it> RETURNING …` that takes the rows `claim` selects (a
 * queue's oldest keys, `SELECT <key> … ORDER BY … LIMIT n`). On PostgreSQL
 * `<key> = ANY(ARRAY(<claim> FOR UPDATE SKIP LOCKED))`: rows another transaction holds are
 * skipped, and the claimed keys become one array, so the delete looks them up by primary key
 * whatever the statistics say (with IN the planner hash-joins the claim with a scan of the whole
 * table and its dead row versions). SQLite: `<key> IN (<claim>)`, its writers take turns.
 */
export function claimedKeys(connection: DataSource, key: string, claim: string): string {
  return connection.options.type === 'postgres' ? `${key} = ANY(ARRAY(${claim} FOR UPDATE SKIP LOCKED))` : `${key} IN (${claim})`;
}
