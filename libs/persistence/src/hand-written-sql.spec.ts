import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { arrayParameter, EntityColumns, hydrated, inChunks, SqlParameters, timestampMinusSeconds } from './hand-written-sql.js';
import { SampleWidget, sampleWidget, sampleWidgetDatabase } from './sample-widget.fixture.js';

describe('SqlParameters', () => {
  it('numbers PostgreSQL placeholders across values and lists, one array parameter per list', () => {
    const parameters = new SqlParameters(true);
    expect([parameters.add('x'), parameters.inList(['a', 'b']), parameters.notInList(['c'])]).toEqual(['$1', '= ANY($2)', '<> ALL($3)']);
    expect(parameters.values).toEqual(['x', '{"a","b"}', '{"c"}']);
  });
});

describe('arrayParameter', () => {
  it('writes PostgreSQL array text: strings always quoted, quotes and backslashes escaped, null as NULL', () => {
    expect(arrayParameter(['plain', 'NULL', '', 'say "hi"', 'back\\slash', '{a,b}', 'ünï'])).toBe(
      '{"plain","NULL","","say \\"hi\\"","back\\\\slash","{a,b}","ünï"}',
    );
    expect(arrayParameter([1, -2.5, 9007199254740993n, null, undefined, true, false])).toBe(
      '{1,-2.5,9007199254740993,NULL,NULL,true,false}',
    );
    expect(arrayParameter([])).toBe('{}');
  });

  it('writes dates as UTC instants only when the column is a timestamptz, else leaves the array to the driver', () => {
    const instant = new Date('2026-11-29T12:34:56.789Z');
    expect(arrayParameter([instant, null], true)).toBe('{2026-11-29T12:34:56.789Z,NULL}');
    const dates = [instant];
    expect(arrayParameter(dates)).toBe(dates);
    const invalid = [new Date(Number.NaN)];
    expect(arrayParameter(invalid, true)).toBe(invalid);
    const buffers = ['a', Buffer.from([1])];
    expect(arrayParameter(buffers)).toBe(buffers);
  });
});

describe('hand-written SQL on SQLite', () => {
  let dataSource: DataSource;

  beforeEach(async () => {
    dataSource = await sampleWidgetDatabase();
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  it('gives VALUES of ? as the row source, each value stored as its column stores it, and IN lists of ?', () => {
    const columns = EntityColumns.of(dataSource, SampleWidget, ['name', 'labels', 'createdAt']);
    const parameters = SqlParameters.for(dataSource);
    const at = new Date('2025-03-04T05:06:07.089Z');
    const source = parameters.rowSource(columns, [
      ['a', { colour: 'red' }, at],
      ['b', {}, at],
    ]);
    expect(source).toBe('VALUES (?, ?, ?), (?, ?, ?)');
    expect([parameters.inList([1, 2]), parameters.notInList([3])]).toEqual(['IN (?, ?)', 'NOT IN (?)']);
    expect(parameters.values).toEqual(['a', '{"colour":"red"}', '2025-03-04 05:06:07.089', 'b', '{}', '2025-03-04 05:06:07.089', 1, 2, 3]);
  });

  it('names every column of the entity by default, and a renamed column by its given name', () => {
    expect(EntityColumns.of(dataSource, SampleWidget).names).toBe('id, name, quantity, payload, labels, created_at, shipped_at');
    const renamed = EntityColumns.of(dataSource, SampleWidget, [{ name: 'expected_quantity', property: 'quantity' }, 'createdAt']);
    expect(renamed.names).toBe('expected_quantity, created_at');
    expect(() => EntityColumns.of(dataSource, SampleWidget, ['nope'])).toThrow('no column for property "nope"');
  });

  it('inserts entities from a row source and reads them back whole with hydrated', async () => {
    const widgets = [sampleWidget('one', { shippedAt: new Date('2025-12-31T23:59:59.999Z') }), sampleWidget('two', { quantity: 5 })];
    const columns = EntityColumns.of(dataSource, SampleWidget);
    const parameters = SqlParameters.for(dataSource);
    const source = parameters.rowSource(
      columns,
      widgets.map((widget) => columns.valuesOf(widget)),
    );
    await dataSource.query(`INSERT INTO sample_widgets (${columns.names}) ${source}`, parameters.values);

    const raw: Array<Record<string, unknown>> = await dataSource.query('SELECT * FROM sample_widgets ORDER BY name');
    const read = hydrated(dataSource, SampleWidget, raw);
    expect(read).toEqual(widgets);
    expect(read[0]).toBeInstanceOf(SampleWidget);
  });

  it('moves a stored timestamp back by whole seconds, in the text TypeORM reads', async () => {
    await dataSource.getRepository(SampleWidget).insert(sampleWidget('moved', { createdAt: new Date('2025-03-04T00:02:07.089Z') }));
    await dataSource.query(`UPDATE sample_widgets SET created_at = ${timestampMinusSeconds(dataSource, 'created_at', 300)}`);
    const [moved] = await dataSource.getRepository(SampleWidget).find();
    expect(moved!.createdAt).toEqual(new Date('2025-03-03T23:57:07.089Z'));
    expect(() => timestampMinusSeconds(dataSource, 'created_at', 0.5)).toThrow('whole seconds');
  });
});

describe('inChunks', () => {
  it('runs one statement per chunk of at most `size` items, in order, and gathers what they return', async () => {
    const seen: number[][] = [];
    const results = await inChunks([1, 2, 3, 4, 5], 2, async (chunk) => {
      seen.push(chunk);
      return chunk.map((item) => item * 10);
    });
    expect(seen).toEqual([[1, 2], [3, 4], [5]]);
    expect(results).toEqual([10, 20, 30, 40, 50]);
  });

  it('runs nothing for no items, and returns nothing from statements that return nothing', async () => {
    let calls = 0;
    expect(
      await inChunks([], 10, async () => {
        calls += 1;
      }),
    ).toEqual([]);
    expect(calls).toBe(0);
    expect(await inChunks(['a', 'b'], 1, async () => undefined)).toEqual([]);
  });
});
