import { createTestSchema, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDataSource } from './create-data-source.js';
import { EntityColumns, hydrated, returnedRows, SqlParameters, timestampMinusSeconds } from './hand-written-sql.js';
import { runMigrations } from './migrations.js';
import { CreateSampleWidgets1700000000000, SampleWidget, sampleWidget } from './sample-widget.fixture.js';

describe('hand-written SQL on PostgreSQL', () => {
  let schema: TestSchema;
  let dataSource: DataSource;

  beforeAll(async () => {
    schema = await createTestSchema('rm_hand_written_sql');
    dataSource = await createDataSource({
      type: 'postgres',
      url: schema.url,
      schema: schema.name,
      entities: [SampleWidget],
      migrations: [CreateSampleWidgets1700000000000],
    });
    await runMigrations(dataSource);
  });

  beforeEach(async () => {
    await dataSource.query('DELETE FROM sample_widgets');
  });

  afterAll(async () => {
    await dataSource.destroy();
    await schema.remove();
  });

  async function insert(widgets: SampleWidget[]): Promise<void> {
    const columns = EntityColumns.of(dataSource, SampleWidget);
    const parameters = SqlParameters.for(dataSource);
    const source = parameters.rowSource(
      columns,
      widgets.map((widget) => columns.valuesOf(widget)),
    );
    await dataSource.query(`INSERT INTO sample_widgets (${columns.names}) ${source}`, parameters.values);
  }

  it('inserts entities from a row source and reads them back whole with hydrated', async () => {
    const widgets = [sampleWidget('a', { shippedAt: new Date('2025-12-31T23:59:59.999Z') }), sampleWidget('b', { labels: {} })];
    await insert(widgets);
    const raw: Array<Record<string, unknown>> = await dataSource.query('SELECT * FROM sample_widgets ORDER BY name');
    expect(hydrated(dataSource, SampleWidget, raw)).toEqual(widgets);
  });

  it('moves a stored timestamp back by whole seconds', async () => {
    await insert([sampleWidget('moved', { createdAt: new Date('2025-03-04T00:02:07.089Z') })]);
    await dataSource.query(`UPDATE sample_widgets SET created_at = ${timestampMinusSeconds(dataSource, 'created_at', 300)}`);
    const [moved] = await dataSource.getRepository(SampleWidget).find();
    expect(moved!.createdAt).toEqual(new Date('2025-03-03T23:57:07.089Z'));
  });

  it('types the arrays of a CTE row source, each column type computed once, for comparisons and assignments', async () => {
    const widgets = ['a', 'b', 'c'].map((name) => sampleWidget(name));
    await insert(widgets);
    const normalizeType = vi.spyOn(dataSource.driver, 'normalizeType');
    const columns = EntityColumns.of(dataSource, SampleWidget, ['id', 'quantity', 'labels', 'shippedAt']);
    const shippedAt = new Date('2026-01-02T03:04:05.678Z');
    const parameters = SqlParameters.for(dataSource);
    const source = parameters.rowSource(
      columns,
      widgets.map((widget, index) => [widget.id, index + 10, { row: String(index) }, index === 1 ? null : shippedAt]),
    );
    expect(normalizeType).toHaveBeenCalledTimes(4);
    normalizeType.mockRestore();
    expect(source).toBe(
      'SELECT * FROM unnest(CAST($1 AS uuid[]), CAST($2 AS integer[]), CAST($3 AS text[]), CAST($4 AS timestamp with time zone[]))',
    );

    // Comparisons and assignments need the types: uuid = uuid, timestamptz from a parameter.
    const updated = await returnedRows<{ name: string }>(
      dataSource.manager,
      `WITH v(${columns.names}) AS (${source})
       UPDATE sample_widgets SET quantity = v.quantity, labels = v.labels, shipped_at = v.shipped_at
       FROM v WHERE sample_widgets.id = v.id AND v.quantity > 10
       RETURNING sample_widgets.name`,
      parameters.values,
    );
    expect(updated.map((row) => row.name).sort()).toEqual(['b', 'c']);
    const read = await dataSource.getRepository(SampleWidget).find({ order: { name: 'ASC' } });
    expect(read.map(({ quantity, labels, shippedAt: shipped }) => ({ quantity, labels, shipped }))).toEqual([
      { quantity: 1, labels: { colour: 'blue' }, shipped: null },
      { quantity: 11, labels: { row: '1' }, shipped: null },
      { quantity: 12, labels: { row: '2' }, shipped: shippedAt },
    ]);
  });

  it('inserts entities from unnest arrays, one parameter per column whatever the row count, and reads them back whole', async () => {
    const widgets = [
      sampleWidget('quote\'s "comma", {brace}', { shippedAt: new Date('2025-12-31T23:59:59.999Z'), payload: Buffer.from([0, 92, 255]) }),
      sampleWidget('b', { labels: { 'a,b': '{"x"}' } }),
      sampleWidget('c'),
    ];
    const columns = EntityColumns.of(dataSource, SampleWidget);
    const parameters = SqlParameters.for(dataSource);
    const source = parameters.rowSource(
      columns,
      widgets.map((widget) => columns.valuesOf(widget)),
    );
    expect(source).toBe(
      'SELECT * FROM unnest(CAST($1 AS uuid[]), CAST($2 AS character varying[]), CAST($3 AS integer[]), CAST($4 AS bytea[]), ' +
        'CAST($5 AS text[]), CAST($6 AS timestamp with time zone[]), CAST($7 AS timestamp with time zone[]))',
    );
    expect(parameters.values).toHaveLength(7);
    await dataSource.query(`INSERT INTO sample_widgets (${columns.names}) ${source}`, parameters.values);
    const raw: Array<Record<string, unknown>> = await dataSource.query('SELECT * FROM sample_widgets');
    const byName = (a: SampleWidget, b: SampleWidget) => a.name.localeCompare(b.name);
    expect(hydrated(dataSource, SampleWidget, raw).sort(byName)).toEqual([...widgets].sort(byName));
  });

  it('stores strings the array text must escape or quote, and instants to the millisecond, as given', async () => {
    const awkward = ['back\\slash "quoted"', 'NULL', '', ' padded ', 'ünïcode'];
    const widgets = awkward.map((name, index) => sampleWidget(name, { shippedAt: new Date(Date.UTC(2026, 10, 29, 23, 59, 59, index)) }));
    await insert(widgets);
    const raw: Array<Record<string, unknown>> = await dataSource.query('SELECT * FROM sample_widgets');
    const byName = (a: SampleWidget, b: SampleWidget) => a.name.localeCompare(b.name);
    expect(hydrated(dataSource, SampleWidget, raw).sort(byName)).toEqual([...widgets].sort(byName));
    const parameters = SqlParameters.for(dataSource);
    const found = await dataSource.query(
      `SELECT name FROM sample_widgets WHERE name ${parameters.inList(awkward.slice(0, 3))}`,
      parameters.values,
    );
    expect(found.map((row: { name: string }) => row.name).sort()).toEqual(awkward.slice(0, 3).sort());
  });

  it('matches IN and NOT IN lists as one array parameter', async () => {
    const names = ['a', 'quote\'s "b", {c}', 'd'];
    await insert(names.map((name) => sampleWidget(name)));
    const parameters = SqlParameters.for(dataSource);
    const matching = `name ${parameters.inList(['quote\'s "b", {c}', 'd', 'absent'])}`;
    const notMatching = `name ${parameters.notInList(['d'])}`;
    expect([matching, notMatching]).toEqual(['name = ANY($1)', 'name <> ALL($2)']);
    const rows: Array<{ name: string }> = await dataSource.query(
      `SELECT name FROM sample_widgets WHERE ${matching} AND ${notMatching}`,
      parameters.values,
    );
    expect(rows.map((row) => row.name)).toEqual(['quote\'s "b", {c}']);
  });

  it('numbers placeholders across values, lists and row sources', () => {
    const parameters = SqlParameters.for(dataSource);
    const columns = EntityColumns.of(dataSource, SampleWidget, ['name']);
    expect([parameters.add(1), parameters.inList(['a', 'b']), parameters.rowSource(columns, [['x'], ['y']])]).toEqual([
      '$1',
      '= ANY($2)',
      'SELECT * FROM unnest(CAST($3 AS character varying[]))',
    ]);
    expect(parameters.values).toEqual([1, '{"a","b"}', '{"x","y"}']);
  });
});
