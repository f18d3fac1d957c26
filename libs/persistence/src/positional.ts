import type { DataSource } from 'typeorm';

/**
 * Bound-parameter placeholders for hand-written statements on either database: `$1, $2, …` on
 * PostgreSQL, `?` on SQLite. For hot paths that pass values in order instead of building a
 * TypeORM query (whose per-parameter bookkeeping dominates a multi-row insert).
 */
export class Placeholders {
  private count = 0;

  constructor(private readonly numbered: boolean) {}

  static for(dataSource: DataSource): Placeholders {
    return new Placeholders(dataSource.options.type === 'postgres');
  }

  /** The next placeholder. */
  next(): string {
    this.count += 1;
    return this.numbered ? `$${this.count}` : '?';
  }

  /** `(p, p, …)` for one row of `columns` values. */
  row(columns: number): string {
    const placeholders: string[] = [];
    for (let column = 0; column < columns; column += 1) placeholders.push(this.next());
    return `(${placeholders.join(', ')})`;
  }

  /** `p, p, …` for a list of `count` values (an IN list). */
  list(count: number): string {
    const placeholders: string[] = [];
    for (let index = 0; index < count; index += 1) placeholders.push(this.next());
    return placeholders.join(', ');
  }
}
