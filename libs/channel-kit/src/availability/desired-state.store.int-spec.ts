// The desired-state SQL on both databases, for a table like Shopify's (it also records the quantity
// the channel shows and when the last refusal happened) and one like Amazon's (neither).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { columnTypesFor, createDataSource, portableColumn, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { createTestSchema, waitFor, type TestSchema } from '@retail-mesh/testing';
import { Column, Entity, Table, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredAvailability } from './desired-state.js';
import { DesiredStateRow } from './desired-state.entity.js';
import { DesiredStateStore, type DesiredStateTable, type PushedVersion } from './desired-state.store.js';

/** Like Shopify's desired_inventory. */
@Entity({ name: 'desired_with_extras' })
class DesiredWithExtras extends DesiredStateRow {
  @Column({ name: 'channel_quantity', type: 'integer', nullable: true })
  channelQuantity!: number | null;

  @Column(portableColumn.timestamp({ name: 'last_error_at', nullable: true }))
  lastErrorAt!: Date | null;
}

/** Like Amazon's desired_listings. */
@Entity({ name: 'desired_plain' })
class DesiredPlain extends DesiredStateRow {}

class CreateDesiredTables1700000000002 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    const columns = [
      { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
      { name: 'sku', type: 'varchar', length: '255', isPrimary: true },
      { name: 'desired_quantity', type: 'integer' },
      { name: 'desired_version', type: types.bigint },
      { name: 'source_changed_at', type: types.timestamp, isNullable: true },
      { name: 'pending_since', type: types.timestamp },
      { name: 'updated_at', type: types.timestamp },
      { name: 'pushed_version', type: types.bigint, isNullable: true },
      { name: 'pushed_quantity', type: 'integer', isNullable: true },
      { name: 'pushed_at', type: types.timestamp, isNullable: true },
      { name: 'hold_until', type: types.timestamp, isNullable: true },
      { name: 'last_error_code', type: 'varchar', length: '64', isNullable: true },
      { name: 'last_error', type: 'varchar', length: '1000', isNullable: true },
    ];
    await queryRunner.createTable(new Table({ name: 'desired_plain', columns }));
    await queryRunner.createTable(
      new Table({
        name: 'desired_with_extras',
        columns: [
          ...columns,
          { name: 'channel_quantity', type: 'integer', isNullable: true },
          { name: 'last_error_at', type: types.timestamp, isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('desired_with_extras');
    await queryRunner.dropTable('desired_plain');
  }
}

const database = { entities: [DesiredWithExtras, DesiredPlain], migrations: [CreateDesiredTables1700000000002] };
const t0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

const tables: Array<{ name: string; table: DesiredStateTable<DesiredWithExtras> | DesiredStateTable<DesiredPlain>; extras: boolean }> = [
  {
    name: 'with channel quantity and last_error_at',
    table: { entity: DesiredWithExtras, channelQuantityProperty: 'channelQuantity', lastErrorAtProperty: 'lastErrorAt' },
    extras: true,
  },
  { name: 'without them', table: { entity: DesiredPlain }, extras: false },
];

describe.each(['postgres', 'sqlite'] as const)('desired-state store on %s', (type) => {
  let schema: TestSchema | undefined;
  let dataDir: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'channel-kit-desired-'));
    if (type === 'postgres') {
      schema = await createTestSchema('rm_channel_kit_desired');
      dataSource = await createDataSource({ type, url: schema.url, schema: schema.name, ...database });
    } else {
      dataSource = await createDataSource({ type, path: path.join(dataDir, 'desired.sqlite'), ...database });
    }
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe.each(tables)('a table $name', ({ table, extras }) => {
    let desired: DesiredStateStore<DesiredStateRow>;

    beforeAll(() => {
      desired = new DesiredStateStore<DesiredStateRow>(dataSource, table as DesiredStateTable<DesiredStateRow>);
    });

    function wanted(sku: string, version: number, quantity: number, account = 'acct-1'): DesiredAvailability {
      return { channelAccountId: account, sku, quantity, version, sourceChangedAt: at(-1000) };
    }

    function store(update: DesiredAvailability, now: Date): Promise<boolean> {
      return withTransaction(dataSource, async (manager) => (await desired.storeDesired(manager, [update], now)).length === 1);
    }

    function pushed(sku: string, version: number, quantity: number): PushedVersion {
      return { sku, version, quantity };
    }

    async function row(sku: string, account = 'acct-1'): Promise<DesiredStateRow & Partial<DesiredWithExtras>> {
      const [found] = await desired.find(account, [sku]);
      return found;
    }

    it('stores only newer versions, whatever order they arrive in', async () => {
      expect(await store(wanted('A', 5, 50), at(0))).toBe(true);
      expect(await store(wanted('A', 3, 30), at(1))).toBe(false);
      expect(await store(wanted('A', 5, 55), at(2))).toBe(false);
      expect(await store(wanted('A', 7, 70), at(3))).toBe(true);
      expect(await row('A')).toMatchObject({ desiredVersion: 7, desiredQuantity: 70, pushedVersion: null, sourceChangedAt: at(-1000) });
    });

    it('stores a batch in one call: the newest version per key, nothing older than what is stored', async () => {
      await store(wanted('BATCH-1', 4, 40), at(0));
      const stored = await withTransaction(dataSource, (manager) =>
        desired.storeDesired(
          manager,
          [wanted('BATCH-1', 3, 30), wanted('BATCH-2', 1, 10), wanted('BATCH-2', 2, 20), wanted('BATCH-3', 1, 5, 'acct-batch')],
          at(1),
        ),
      );
      expect(stored.map(({ channelAccountId, sku, version }) => [channelAccountId, sku, version])).toEqual([
        ['acct-1', 'BATCH-2', 2],
        ['acct-batch', 'BATCH-3', 1],
      ]);
      expect(await row('BATCH-1')).toMatchObject({ desiredVersion: 4, desiredQuantity: 40 });
      expect(await row('BATCH-2')).toMatchObject({ desiredVersion: 2, desiredQuantity: 20 });
      expect(await row('BATCH-3', 'acct-batch')).toMatchObject({ desiredVersion: 1, desiredQuantity: 5 });
    });

    it('stores a batch larger than one statement', async () => {
      const many = Array.from({ length: 450 }, (_, index) => wanted(`MANY-${String(index).padStart(3, '0')}`, 1, index, 'acct-many'));
      const stored = await withTransaction(dataSource, (manager) => desired.storeDesired(manager, many, at(0)));
      expect(stored).toHaveLength(450);
      expect(await desired.pendingBatch('acct-many', at(1), 1000)).toHaveLength(450);
      await desired.markPushed(
        'acct-many',
        many.map((item) => pushed(item.sku, 1, item.quantity)),
        at(2),
      );
      expect(await desired.pendingBatch('acct-many', at(3), 1000)).toHaveLength(0);
      expect(await row('MANY-449', 'acct-many')).toMatchObject({ pushedVersion: 1, pushedQuantity: 449 });
    });

    it('keeps concurrent writers from replacing a newer version with an older one', async () => {
      const versions = Array.from({ length: 40 }, (_, index) => index + 1).reverse();
      await Promise.all(versions.map((version) => store(wanted('B', version, version * 10), at(version))));
      expect(await row('B')).toMatchObject({ desiredVersion: 40, desiredQuantity: 400 });
    });

    it('marks exactly the versions pushed: a newer desired version stays pending, an older push never lowers it', async () => {
      await store(wanted('C', 1, 10), at(0));
      await store(wanted('C', 2, 20), at(10));
      await desired.markPushed('acct-1', [pushed('C', 1, 10)], at(20));
      expect(await row('C')).toMatchObject({ desiredVersion: 2, pushedVersion: 1, pushedQuantity: 10, pushedAt: at(20) });
      if (extras) expect((await row('C')).channelQuantity).toBe(10);
      expect((await desired.pendingBatch('acct-1', at(30), 250)).map((pending) => pending.sku)).toContain('C');

      await desired.markPushed('acct-1', [pushed('C', 2, 20)], at(40));
      await desired.markPushed('acct-1', [pushed('C', 1, 10)], at(50));
      expect(await row('C')).toMatchObject({ pushedVersion: 2, pushedQuantity: 20, pushedAt: at(40) });
      if (extras) expect((await row('C')).channelQuantity).toBe(20);
      expect((await desired.pendingBatch('acct-1', at(60), 250)).map((pending) => pending.sku)).not.toContain('C');
    });

    // SQLite runs one writer at a time: no row locks to order.
    if (type === 'postgres') {
      it('records a push while the consumer stores newer versions of its keys: it waits for them instead of deadlocking', async () => {
        // L2 first: a scan of the table meets it before L1.
        await store(wanted('L2', 1, 10), at(0));
        await store(wanted('L1', 1, 10), at(0));
        const consumer = dataSource.createQueryRunner();
        await consumer.connect();
        await consumer.startTransaction();
        try {
          // The consumer's transaction stores in key order: L1 first, and holds its row.
          await desired.storeDesired(consumer.manager, [wanted('L1', 2, 20)], at(10));
          const marking = desired.markPushed('acct-1', [pushed('L2', 1, 10), pushed('L1', 1, 10)], at(20));
          await waitFor(
            async () => {
              const [{ waiting }] = await dataSource.query(
                `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%pushed_version = v.pushed_version%'`,
              );
              return waiting > 0 || undefined;
            },
            { description: 'the push to wait for the row the consumer holds' },
          );
          // Then L2: taken by the push before L1 (the join's order), the two would deadlock here.
          await desired.storeDesired(consumer.manager, [wanted('L2', 2, 20)], at(30));
          await consumer.commitTransaction();
          await marking;
        } finally {
          await consumer.release();
        }
        expect(await row('L1')).toMatchObject({ desiredVersion: 2, pushedVersion: 1 });
        expect(await row('L2')).toMatchObject({ desiredVersion: 2, pushedVersion: 1 });
      });
    }

    it('keeps a row waiting since it first became pending, so a busy SKU is not pushed to the back', async () => {
      await store(wanted('D', 1, 1, 'acct-2'), at(100));
      await store(wanted('E', 1, 1, 'acct-2'), at(200));
      await store(wanted('D', 2, 2, 'acct-2'), at(300));
      expect((await desired.pendingBatch('acct-2', at(400), 250)).map((pending) => pending.sku)).toEqual(['D', 'E']);
      expect((await desired.pendingBatch('acct-2', at(400), 1)).map((pending) => pending.sku)).toEqual(['D']);

      await desired.markPushed('acct-2', [pushed('D', 2, 2)], at(500));
      await store(wanted('D', 3, 3, 'acct-2'), at(600));
      expect((await row('D', 'acct-2')).pendingSince).toEqual(at(600));
    });

    it('holds a refused row until the hold ends or a newer version arrives, and counts pending rows', async () => {
      await store(wanted('F', 1, 1, 'acct-3'), at(0));
      await store(wanted('G', 1, 1, 'acct-3'), at(0));
      const longCode = `NOT_LISTED_${'X'.repeat(80)}`;
      await desired.hold('acct-3', [{ sku: 'F', version: 1, code: longCode, message: 'no listing' }], at(1000), at(10));
      expect(await row('F', 'acct-3')).toMatchObject({
        holdUntil: at(1000),
        lastErrorCode: longCode.slice(0, 64),
        lastError: 'no listing',
      });
      if (extras) expect((await row('F', 'acct-3')).lastErrorAt).toEqual(at(10));
      expect((await desired.pendingBatch('acct-3', at(999), 250)).map((pending) => pending.sku)).toEqual(['G']);
      expect(await desired.pendingBatch('acct-3', at(999), 1000)).toHaveLength(1);
      expect((await desired.pendingCounts(at(999))).get('acct-3')).toEqual({ waiting: 1, held: 1 });
      expect((await desired.pendingBatch('acct-3', at(1000), 250)).map((pending) => pending.sku)).toEqual(['F', 'G']);

      // A hold for a version that was superseded meanwhile does not apply.
      await store(wanted('G', 2, 2, 'acct-3'), at(20));
      await desired.hold('acct-3', [{ sku: 'G', version: 1, code: 'NOT_LISTED', message: 'no listing' }], at(1000), at(30));
      expect((await row('G', 'acct-3')).holdUntil).toBeNull();

      await store(wanted('F', 2, 2, 'acct-3'), at(40));
      expect((await row('F', 'acct-3')).holdUntil).toBeNull();

      // A push settles the refusal recorded before.
      await desired.markPushed('acct-3', [pushed('F', 2, 2)], at(50));
      expect(await row('F', 'acct-3')).toMatchObject({ holdUntil: null, lastErrorCode: null, lastError: null });
      if (extras) expect((await row('F', 'acct-3')).lastErrorAt).toBeNull();
    });
  });
});
