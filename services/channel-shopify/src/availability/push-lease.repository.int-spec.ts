// push_leases (channel-kit's lease SQL on this adapter's table, keyed by account), on both databases.
// The desired_inventory SQL is channel-kit's DesiredStateStore, tested there.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkerLeaseStore } from '@retail-mesh/channel-kit';
import { createDataSource, runMigrations } from '@retail-mesh/persistence';
import { createTestSchema, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAvailabilityTables1764288000000 } from '../migrations/1764288000000-create-availability-tables.js';
import { AVAILABILITY_DUTY } from './availability-pusher.js';
import { DesiredInventory } from './desired-inventory.entity.js';
import { PushLease } from './push-lease.entity.js';
import { createPushLeaseRepository } from './push-lease.repository.js';

const database = { entities: [DesiredInventory, PushLease], migrations: [CreateAvailabilityTables1764288000000] };
const t0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const pushLease = (channelAccountId: string) => ({ channelAccountId, duty: AVAILABILITY_DUTY });

describe.each(['postgres', 'sqlite'] as const)('push_leases on %s', (type) => {
  let schema: TestSchema | undefined;
  let dataDir: string;
  let dataSource: DataSource;
  let leases: WorkerLeaseStore;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'channel-shopify-repo-'));
    if (type === 'postgres') {
      schema = await createTestSchema('rm_channel_shopify_repo');
      dataSource = await createDataSource({ type, url: schema.url, schema: schema.name, ...database });
    } else {
      dataSource = await createDataSource({ type, path: path.join(dataDir, 'channel-shopify.sqlite'), ...database });
    }
    await runMigrations(dataSource);
    leases = createPushLeaseRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the push lease of an account to one holder at a time, until it expires or is released', async () => {
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-1', at(0), 1000)).toBe(true);
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-2', at(500), 1000)).toBe(false);
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-1', at(900), 1000)).toBe(true);
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-2', at(1800), 1000)).toBe(false);
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-2', at(1900), 1000)).toBe(true);
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-1', at(2000), 1000)).toBe(false);
    await leases.release(pushLease('acct-lease'), 'replica-1');
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-1', at(2100), 1000)).toBe(false);
    await leases.release(pushLease('acct-lease'), 'replica-2');
    expect(await leases.acquire(pushLease('acct-lease'), 'replica-1', at(2200), 1000)).toBe(true);
    expect(await leases.acquire(pushLease('acct-other'), 'replica-2', at(2200), 1000)).toBe(true);
  });
});
