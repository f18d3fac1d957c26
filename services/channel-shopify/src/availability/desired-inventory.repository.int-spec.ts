// The hand-written SQL of desired_inventory and push_leases, on both databases.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DesiredAvailability, WorkerLeaseStore } from '@retail-mesh/channel-kit';
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { createTestSchema, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAvailabilityTables1764288000000 } from '../migrations/1764288000000-create-availability-tables.js';
import type { PushItem } from './availability-push.js';
import { AVAILABILITY_DUTY } from './availability-pusher.js';
import { DesiredInventory } from './desired-inventory.entity.js';
import { DesiredInventoryRepository } from './desired-inventory.repository.js';
import { PushLease } from './push-lease.entity.js';
import { createPushLeaseRepository } from './push-lease.repository.js';

const database = { entities: [DesiredInventory, PushLease], migrations: [CreateAvailabilityTables1764288000000] };
const t0 = new Date('2026-03-02T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const pushLease = (channelAccountId: string) => ({ channelAccountId, duty: AVAILABILITY_DUTY });

describe.each(['postgres', 'sqlite'] as const)('availability tables on %s', (type) => {
  let schema: TestSchema | undefined;
  let dataDir: string;
  let dataSource: DataSource;
  let desired: DesiredInventoryRepository;
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
    desired = new DesiredInventoryRepository(dataSource);
    leases = createPushLeaseRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  function wanted(sku: string, version: number, quantity: number, account = 'acct-1'): DesiredAvailability {
    return { channelAccountId: account, sku, quantity, version, sourceChangedAt: at(-1000) };
  }

  function store(update: DesiredAvailability, now: Date): Promise<boolean> {
    return withTransaction(dataSource, async (manager) => (await desired.storeDesired(manager, [update], now)).length === 1);
  }

  function pushed(sku: string, version: number, quantity: number): PushItem {
    return {
      sku,
      version,
      quantity,
      sourceChangedAt: null,
      target: { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/1' },
      changeFromQuantity: null,
    };
  }

  async function row(sku: string, account = 'acct-1'): Promise<DesiredInventory> {
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

  it('keeps concurrent writers from replacing a newer version with an older one', async () => {
    const versions = Array.from({ length: 40 }, (_, index) => index + 1).reverse();
    await Promise.all(versions.map((version) => store(wanted('B', version, version * 10), at(version))));
    expect(await row('B')).toMatchObject({ desiredVersion: 40, desiredQuantity: 400 });
  });

  it('marks exactly the versions pushed: a newer desired version stays pending, an older push never lowers it', async () => {
    await store(wanted('C', 1, 10), at(0));
    await store(wanted('C', 2, 20), at(10));
    await desired.markPushed('acct-1', [pushed('C', 1, 10)], at(20));
    expect(await row('C')).toMatchObject({
      desiredVersion: 2,
      pushedVersion: 1,
      pushedQuantity: 10,
      shopifyQuantity: 10,
      pushedAt: at(20),
    });
    expect((await desired.pendingBatch('acct-1', at(30), 250)).map((pending) => pending.sku)).toContain('C');

    await desired.markPushed('acct-1', [pushed('C', 2, 20)], at(40));
    await desired.markPushed('acct-1', [pushed('C', 1, 10)], at(50));
    expect(await row('C')).toMatchObject({ pushedVersion: 2, pushedQuantity: 20 });
    expect((await desired.pendingBatch('acct-1', at(60), 250)).map((pending) => pending.sku)).not.toContain('C');
  });

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
    await desired.hold('acct-3', [{ sku: 'F', version: 1, code: 'NOT_LISTED', message: 'no listing' }], at(1000), at(10));
    expect(await row('F', 'acct-3')).toMatchObject({
      holdUntil: at(1000),
      lastErrorCode: 'NOT_LISTED',
      lastError: 'no listing',
      lastErrorAt: at(10),
    });
    expect((await desired.pendingBatch('acct-3', at(999), 250)).map((pending) => pending.sku)).toEqual(['G']);
    expect((await desired.pendingCounts(at(999))).get('acct-3')).toEqual({ waiting: 1, held: 1 });
    expect((await desired.pendingBatch('acct-3', at(1000), 250)).map((pending) => pending.sku)).toEqual(['F', 'G']);

    // A hold for a version that was superseded meanwhile does not apply.
    await store(wanted('G', 2, 2, 'acct-3'), at(20));
    await desired.hold('acct-3', [{ sku: 'G', version: 1, code: 'NOT_LISTED', message: 'no listing' }], at(1000), at(30));
    expect((await row('G', 'acct-3')).holdUntil).toBeNull();

    await store(wanted('F', 2, 2, 'acct-3'), at(40));
    expect((await row('F', 'acct-3')).holdUntil).toBeNull();
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
