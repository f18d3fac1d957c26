import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Narrows `query` to one page in ascending (or, with `direction` 'DESC', descending) order of
 * `keys` (properties that together identify a row), starting after the row whose key is `after`
 * (keyset pagination: no OFFSET scan, and rows inserted meanwhile neither shift nor repeat the
 * pages). Add the other conditions with andWhere.
 */
export function keysetPage<T extends ObjectLiteral, K extends keyof T & string>(
  query: SelectQueryBuilder<T>,
  keys: readonly [K, ...K[]],
  after: Pick<T, K> | undefined,
  limit: number,
  direction: 'ASC' | 'DESC' = 'ASC',
): SelectQueryBuilder<T> {
  const column = (key: K) => `${query.alias}.${key}`;
  const beyond = direction === 'ASC' ? '>' : '<';
  query.orderBy(column(keys[0]), direction);
  for (const key of keys.slice(1)) query.addOrderBy(column(key), direction);
  query.limit(limit);
  if (after === undefined) return query;
  // (k1 > a1) OR (k1 = a1 AND k2 > a2) OR ... (< when descending): the rows after `after` in that order.
  const parameters: Record<string, unknown> = {};
  const alternatives = keys.map((key, index) => {
    parameters[`keysetAfter${index}`] = after[key];
    const equalBefore = keys.slice(0, index).map((previous, previousIndex) => `${column(previous)} = :keysetAfter${previousIndex}`);
    return `(${[...equalBefore, `${column(key)} ${beyond} :keysetAfter${index}`].join(' AND ')})`;
  });
  return query.andWhere(`(${alternatives.join(' OR ')})`, parameters);
}
