import { describe, expect, it } from 'vitest';
import { Placeholders } from './positional.js';

describe('Placeholders', () => {
  it('numbers PostgreSQL parameters across rows and lists', () => {
    const placeholders = new Placeholders(true);
    expect([placeholders.row(3), placeholders.row(2), placeholders.list(2)]).toEqual(['($1, $2, $3)', '($4, $5)', '$6, $7']);
  });

  it('uses ? on SQLite', () => {
    const placeholders = new Placeholders(false);
    expect([placeholders.row(2), placeholders.next()]).toEqual(['(?, ?)', '?']);
  });
});
