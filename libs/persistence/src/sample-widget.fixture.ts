// An entity and its migration for the tests of this lib (both databases): every portable type.
import { randomUUID } from 'node:crypto';
import { Column, Entity, PrimaryColumn, Table, TableIndex, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { columnTypesFor, portableColumn } from './column-types.js';
import { createDataSource } from './create-data-source.js';
import { runMigrations } from './migrations.js';

@Entity({ name: 'sample_widgets' })
export class SampleWidget {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;

  @Column({ type: 'integer' })
  quantity!: number;

  @Column(portableColumn.bytes())
  payload!: Buffer;

  @Column(portableColumn.json())
  labels!: Record<string, string>;

  @Column(portableColumn.timestamp({ name: 'created_at' }))
  createdAt!: Date;

  @Column(portableColumn.timestamp({ name: 'shipped_at', nullable: true }))
  shippedAt!: Date | null;
}

export class CreateSampleWidgets1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'sample_widgets',
        columns: [
          { name: 'id', type: types.uuid, isPrimary: true },
          { name: 'name', type: 'varchar', length: '100', isUnique: true },
          { name: 'quantity', type: 'integer' },
          { name: 'payload', type: types.bytes },
          { name: 'labels', type: types.json },
          { name: 'created_at', type: types.timestamp },
          { name: 'shipped_at', type: types.timestamp, isNullable: true },
        ],
      }),
    );
    await queryRunner.createIndex('sample_widgets', new TableIndex({ name: 'sample_widgets_created_at', columnNames: ['created_at'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sample_widgets');
  }
}

export function sampleWidget(name: string, overrides: Partial<SampleWidget> = {}): SampleWidget {
  return Object.assign(new SampleWidget(), {
    id: randomUUID(),
    name,
    quantity: 1,
    payload: Buffer.from([0, 1, 2, 255]),
    labels: { colour: 'blue' },
    createdAt: new Date('2025-03-04T05:06:07.089Z'),
    shippedAt: null,
    ...overrides,
  });
}

/** An in-memory SQLite DataSource with the sample_widgets table, for unit specs. */
export async function sampleWidgetDatabase(): Promise<DataSource> {
  const dataSource = await createDataSource({
    type: 'sqlite',
    path: ':memory:',
    entities: [SampleWidget],
    migrations: [CreateSampleWidgets1700000000000],
  });
  await runMigrations(dataSource);
  return dataSource;
}
