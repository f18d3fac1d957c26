import { describe, expect, it } from 'vitest';
import { groupBy } from './group-by.js';

describe('groupBy', () => {
  it('groups items by key in arrival order, keys in first-seen order', () => {
    const rows = [
      { account: 'b', id: 1 },
      { account: 'a', id: 2 },
      { account: 'b', id: 3 },
    ];
    expect([...groupBy(rows, (row) => row.account)]).toEqual([
      ['b', [rows[0], rows[2]]],
      ['a', [rows[1]]],
    ]);
    expect([
      ...groupBy(
        rows,
        (row) => row.account,
        (row) => row.id,
      ),
    ]).toEqual([
      ['b', [1, 3]],
      ['a', [2]],
    ]);
    expect(groupBy([], (row: { account: string }) => row.account).size).toBe(0);
  });
});
