import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { claimedKeys } from './row-lock.js';

const connection = (type: string) => ({ options: { type } }) as DataSource;

describe('claimedKeys', () => {
  const claim = 'SELECT id FROM queue ORDER BY id LIMIT $1';

  it('skips locked rows and hands the claimed keys over as one array on PostgreSQL', () => {
    expect(claimedKeys(connection('postgres'), 'id', claim)).toBe(`id = ANY(ARRAY(${claim} FOR UPDATE SKIP LOCKED))`);
  });

  it('uses a plain IN on SQLite, whose writers take turns', () => {
    expect(claimedKeys(connection('better-sqlite3'), 'id', claim)).toBe(`id IN (${claim})`);
  });
});
