// The intake tables' set-based statements on both databases: many webhook deliveries and payloads
// in one statement each, deduplicated and never replacing a newer payload with an older.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { createTestSchema, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelShopifyService } from '../channel-shopify.definition.js';
import { OrderIntakeRepository, type IncomingOrder } from './order-intake.repository.js';

const t0 = new Date('2026-11-27T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe.each(['postgres', 'sqlite'] as const)('order intake tables on %s', (type) => {
  let schema: TestSchema | undefined;
  let dataDir: string;
  let dataSource: DataSource;
  let repository: OrderIntakeRepository;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'channel-shopify-intake-'));
    const database = { entities: [...channelShopifyService.entities], migrations: [...channelShopifyService.migrations] };
    if (type === 'postgres') {
      schema = await createTestSchema('rm_channel_shopify_intake');
      dataSource = await createDataSource({ type, url: schema.url, schema: schema.name, ...database });
    } else {
      dataSource = await createDataSource({ type, path: path.join(dataDir, 'channel-shopify.sqlite'), ...database });
    }
    await runMigrations(dataSource);
    repository = new OrderIntakeRepository(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  function payload(order: number, updatedAt: Date, cancelledAt: Date | null = null): IncomingOrder {
    const channelOrderId = `gid://shopify/Order/${order}`;
    return {
      channelAccountId: 'shop-1',
      identity: { channelOrderId, name: `#${order}`, updatedAt, cancelledAt },
      payload: JSON.stringify({ id: order, updated_at: updatedAt.toISOString(), cancelled_at: cancelledAt?.toISOString() ?? null }),
      source: 'webhook',
    };
  }

  async function storedPayload(order: number): Promise<string | undefined> {
    return (await repository.find({ channelAccountId: 'shop-1', channelOrderId: `gid://shopify/Order/${order}` }))?.payload;
  }

  it('records many deliveries at once, each webhook id once', async () => {
    const delivery = (webhookId: string) => ({
      channelAccountId: 'shop-1',
      webhookId,
      topic: 'orders/create',
      channelOrderId: 'o',
      eventId: null,
    });
    const first = await withTransaction(dataSource, (manager) =>
      repository.recordDeliveries(manager, [delivery('w-1'), delivery('w-2'), delivery('w-1')], t0),
    );
    expect(first).toEqual([true, true, false]);
    const again = await withTransaction(dataSource, (manager) =>
      repository.recordDeliveries(manager, [delivery('w-2'), delivery('w-3')], t0),
    );
    expect(again).toEqual([false, true]);
  });

  it('stores many payloads at once, the newest of each order, never an older over a newer', async () => {
    const stored = await withTransaction(dataSource, (manager) =>
      repository.storeAll(manager, [payload(1, at(10)), payload(2, at(10)), payload(1, at(20)), payload(1, at(15))], t0),
    );
    expect(stored).toEqual([false, true, true, false]);
    expect(await storedPayload(1)).toBe(payload(1, at(20)).payload);

    const later = await withTransaction(dataSource, (manager) =>
      repository.storeAll(
        manager,
        [
          payload(1, at(15)),
          // The same second as the stored one: taken only as the order's cancellation.
          payload(2, at(10)),
          payload(2, at(10), at(10)),
          payload(3, at(5)),
        ],
        t0,
      ),
    );
    expect(later).toEqual([false, false, true, true]);
    expect(await storedPayload(1)).toBe(payload(1, at(20)).payload);
    expect(await storedPayload(2)).toBe(payload(2, at(10), at(10)).payload);
    expect(await storedPayload(3)).toBe(payload(3, at(5)).payload);
  });

  it('tells which listed orders a poll has something to store for: unknown, newer, or cancelled in the same second', async () => {
    await withTransaction(dataSource, (manager) => repository.storeAll(manager, [payload(11, at(10)), payload(12, at(10))], t0));
    const listed = [payload(11, at(10)), payload(11, at(9)), payload(12, at(10), at(10)), payload(13, at(1)), payload(11, at(11))];
    const wanted = await repository.newerThanStored(
      'shop-1',
      listed.map(({ identity }) => identity),
    );
    expect(wanted).toEqual([listed[2]!.identity, listed[3]!.identity, listed[4]!.identity]);
    // Another account's order of the same id is not held.
    expect(await repository.newerThanStored('shop-2', [listed[0]!.identity])).toEqual([listed[0]!.identity]);
  });

  it('lists and claims only the orders with work (not submitted, or cancelled on Shopify and not passed on), per account', async () => {
    const order = (account: string, id: number, updatedAt = at(30), cancelledAt: Date | null = null): IncomingOrder => ({
      ...payload(id, updatedAt, cancelledAt),
      channelAccountId: account,
    });
    const key = (account: string, id: number) => ({ channelAccountId: account, channelOrderId: `gid://shopify/Order/${id}` });
    const named = (keys: ReadonlyArray<{ channelAccountId: string; channelOrderId: string }>) =>
      keys
        .filter(({ channelAccountId }) => channelAccountId.startsWith('shop-work-'))
        .map(({ channelAccountId, channelOrderId }) => `${channelAccountId} ${channelOrderId}`)
        .sort();
    await withTransaction(dataSource, (manager) =>
      repository.storeAll(
        manager,
        [order('shop-work-a', 21), order('shop-work-a', 22), order('shop-work-b', 21), order('shop-work-b', 23)],
        t0,
      ),
    );
    await withTransaction(dataSource, (manager) =>
      repository.markSubmitted(
        manager,
        [key('shop-work-a', 22), key('shop-work-b', 23)].map((submitted) => ({
          key: submitted,
          orderId: 'o',
          submittedAt: t0,
          done: true,
        })),
      ),
    );
    // Submitted, then cancelled on Shopify: the cancellation is work.
    await withTransaction(dataSource, (manager) => repository.storeAll(manager, [order('shop-work-b', 23, at(40), at(40))], t0));

    const expected = named([key('shop-work-a', 21), key('shop-work-b', 21), key('shop-work-b', 23)]);
    const claimed = await repository.claimDue('replica-1', at(60), at(90), 100);
    expect(named(claimed)).toEqual(expected);
    expect(claimed.filter(({ channelAccountId }) => channelAccountId.startsWith('shop-work-')).map((row) => row.claimedBy)).toEqual([
      'replica-1',
      'replica-1',
      'replica-1',
    ]);
    // Held until at(90): another replica gets none of them meanwhile, and takes them once the claim expired.
    expect(named(await repository.claimDue('replica-2', at(61), at(91), 100))).toEqual([]);
    expect(named(await repository.claimDue('replica-2', at(90), at(120), 100))).toEqual(expected);
  });
});
