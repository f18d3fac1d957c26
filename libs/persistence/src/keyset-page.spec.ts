import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keysetPage } from './keyset-page.js';
import { SampleWidget, sampleWidget, sampleWidgetDatabase } from './sample-widget.fixture.js';

describe('keysetPage on SQLite', () => {
  let dataSource: DataSource;
  // Quantities repeat, so the second key decides the order within a quantity.
  const widgets = [
    ['f', 2],
    ['a', 3],
    ['c', 1],
    ['e', 2],
    ['b', 1],
    ['d', 2],
    ['g', 3],
  ] as const;

  beforeEach(async () => {
    dataSource = await sampleWidgetDatabase();
    await dataSource.getRepository(SampleWidget).save(widgets.map(([name, quantity]) => sampleWidget(name, { quantity })));
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  const page = (after: Pick<SampleWidget, 'quantity' | 'name'> | undefined, limit: number) =>
    keysetPage(dataSource.manager.createQueryBuilder(SampleWidget, 'widget'), ['quantity', 'name'], after, limit).getMany();

  it('walks every row once, in key order, page by page', async () => {
    const seen: string[] = [];
    let after: SampleWidget | undefined;
    for (;;) {
      const rows = await page(after, 2);
      seen.push(...rows.map((row) => `${row.quantity}${row.name}`));
      if (rows.length < 2) break;
      after = rows[rows.length - 1];
    }
    expect(seen).toEqual(['1b', '1c', '2d', '2e', '2f', '3a', '3g']);
  });

  it('walks backwards in descending order', async () => {
    const descending = (after: Pick<SampleWidget, 'quantity' | 'name'> | undefined) =>
      keysetPage(dataSource.manager.createQueryBuilder(SampleWidget, 'widget'), ['quantity', 'name'], after, 3, 'DESC').getMany();
    const first = await descending(undefined);
    const second = await descending(first[first.length - 1]);
    expect([...first, ...second].map((row) => `${row.quantity}${row.name}`)).toEqual(['3g', '3a', '2f', '2e', '2d', '1c']);
  });

  it('keeps the conditions the caller added', async () => {
    const rows = await keysetPage(
      dataSource.manager.createQueryBuilder(SampleWidget, 'widget').where('widget.name != :skipped', { skipped: 'e' }),
      ['quantity', 'name'],
      { quantity: 2, name: 'd' },
      10,
    ).getMany();
    expect(rows.map((row) => row.name)).toEqual(['f', 'a', 'g']);
  });
});
