// The lease SQL on both databases, for a table keyed by (account, duty) and one keyed by account.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { columnTypesFor, createDataSource, runMigrations } from '@retail-mesh/persistence';
import { createTestSchema, type TestSchema } from '@retail-mesh/testing';
import { Entity, PrimaryColumn, Table, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseRow, WorkerLeaseRepository } from './worker-lease.repository.js';

@Entity({ name: 'duty_leases' })
class DutyLease extends LeaseRow {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  duty!: string;
}

@Entity({ name: 'account_leases' })
class AccountLease extends LeaseRow {
  @PrimaryColumn({ name: 'channel_account_id', type: 'varchar', length: 100 })
  channelAccountId!: string;
}

class CreateLeaseTables1700000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypesFor(queryRunner);
    const columns = [
      { name: 'holder', type: 'varchar', length: '100' },
      { name: 'expires_at', type: types.timestamp },
    ];
    await queryRunner.createTable(
      new Table({
        name: 'duty_leases',
        columns: [
          { name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'duty', type: 'varchar', length: '32', isPrimary: true },
          ...columns,
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'account_leases',
        columns: [{ name: 'channel_account_id', type: 'varchar', length: '100', isPrimary: true }, ...columns],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('account_leases');
    await queryRunner.dropTable('duty_leases');
  }
}

const database = { entities: [DutyLease, AccountLease], migrations: [CreateLeaseTables1700000000001] };
const t0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe.each(['postgres', 'sqlite'] as const)('WorkerLeaseRepository on %s', (type) => {
  let schema: TestSchema | undefined;
  let dataDir: string;
  let dataSource: DataSource;
  let dutyLeases: WorkerLeaseRepository<DutyLease>;
  let accountLeases: WorkerLeaseRepository<AccountLease>;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'channel-kit-leases-'));
    if (type === 'postgres') {
      schema = await createTestSchema('rm_channel_kit_leases');
      dataSource = await createDataSource({ type, url: schema.url, schema: schema.name, ...database });
    } else {
      dataSource = await createDataSource({ type, path: path.join(dataDir, 'leases.sqlite'), ...database });
    }
    await runMigrations(dataSource);
    dutyLeases = new WorkerLeaseRepository(dataSource, DutyLease, ({ channelAccountId, duty }) => ({ channelAccountId, duty }));
    accountLeases = new WorkerLeaseRepository(dataSource, AccountLease, ({ channelAccountId }) => ({ channelAccountId }));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives a lease to one holder at a time, until it expires or is released', async () => {
    const lease = { channelAccountId: 'acct-1', duty: 'orders' };
    expect(await dutyLeases.acquire(lease, 'replica-1', at(0), 1000)).toBe(true);
    expect(await dutyLeases.acquire(lease, 'replica-2', at(500), 1000)).toBe(false);
    // The holder extends it.
    expect(await dutyLeases.acquire(lease, 'replica-1', at(900), 1000)).toBe(true);
    expect(await dutyLeases.acquire(lease, 'replica-2', at(1800), 1000)).toBe(false);
    // Expired: anyone takes it.
    expect(await dutyLeases.acquire(lease, 'replica-2', at(1900), 1000)).toBe(true);
    expect(await dutyLeases.acquire(lease, 'replica-1', at(2000), 1000)).toBe(false);
    // Only the holder's release counts.
    await dutyLeases.release(lease, 'replica-1');
    expect(await dutyLeases.acquire(lease, 'replica-1', at(2100), 1000)).toBe(false);
    await dutyLeases.release(lease, 'replica-2');
    expect(await dutyLeases.acquire(lease, 'replica-1', at(2200), 1000)).toBe(true);
    const [row] = await dataSource.getRepository(DutyLease).findBy({ channelAccountId: 'acct-1', duty: 'orders' });
    expect(row).toMatchObject({ holder: 'replica-1', expiresAt: at(3200) });
  });

  it('keeps the leases of other duties and other accounts apart', async () => {
    expect(await dutyLeases.acquire({ channelAccountId: 'acct-2', duty: 'orders' }, 'replica-1', at(0), 1000)).toBe(true);
    expect(await dutyLeases.acquire({ channelAccountId: 'acct-2', duty: 'availability' }, 'replica-2', at(0), 1000)).toBe(true);
    expect(await dutyLeases.acquire({ channelAccountId: 'acct-3', duty: 'orders' }, 'replica-2', at(0), 1000)).toBe(true);
    await dutyLeases.release({ channelAccountId: 'acct-2', duty: 'orders' }, 'replica-1');
    expect(await dutyLeases.acquire({ channelAccountId: 'acct-2', duty: 'availability' }, 'replica-1', at(10), 1000)).toBe(false);
  });

  it('lets one replica win when several take a free lease at once', async () => {
    const lease = { channelAccountId: 'acct-race', duty: 'availability' };
    const taken = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((holder) => dutyLeases.acquire(lease, holder, at(0), 1000)));
    expect(taken.filter(Boolean)).toHaveLength(1);
  });

  it('keys a table without a duty column by account alone', async () => {
    expect(await accountLeases.acquire({ channelAccountId: 'acct-1', duty: 'availability' }, 'replica-1', at(0), 1000)).toBe(true);
    expect(await accountLeases.acquire({ channelAccountId: 'acct-1', duty: 'availability' }, 'replica-2', at(10), 1000)).toBe(false);
    await accountLeases.release({ channelAccountId: 'acct-1', duty: 'availability' }, 'replica-1');
    expect(await accountLeases.acquire({ channelAccountId: 'acct-1', duty: 'availability' }, 'replica-2', at(20), 1000)).toBe(true);
    expect(await dataSource.getRepository(AccountLease).count()).toBe(1);
  });
});
