// The set-based writes of the orders table on both databases: many orders in one statement, each
// written only while it is at its expected version (and claim), every column type kept.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ordersV1 } from '@retail-mesh/contracts';
import { createDataSource, runMigrations, withTransaction } from '@retail-mesh/persistence';
import { createTestSchema, type TestSchema } from '@retail-mesh/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersService } from '../index.js';
import { toNewOrderRows } from './order.mapper.js';
import type { OrderEntity } from './order.entity.js';
import { OrdersRepository } from './orders.repository.js';

const now = new Date('2026-11-27T09:00:00.000Z');

describe.each(['postgres', 'sqlite'] as const)('orders repository on %s', (type) => {
  let schema: TestSchema | undefined;
  let dataDir: string;
  let dataSource: DataSource;
  const orders = new OrdersRepository();

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'orders-repo-'));
    const database = { entities: [...ordersService.entities], migrations: [...ordersService.migrations] };
    if (type === 'postgres') {
      schema = await createTestSchema('rm_orders_repo');
      dataSource = await createDataSource({ type, url: schema.url, schema: schema.name, ...database });
    } else {
      dataSource = await createDataSource({ type, path: path.join(dataDir, 'orders.sqlite'), ...database });
    }
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await schema?.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function stored(claimToken: string | null): Promise<OrderEntity> {
    const channelOrderId = randomUUID();
    const { order, lines } = toNewOrderRows(
      ordersV1.Order.fromPartial({
        channelAccountId: 'shop-us',
        channel: 'shopify',
        channelOrderId,
        currency: 'USD',
        placedAt: { seconds: now.getTime() / 1000, nanos: 0 },
        lines: [
          { lineId: 'L1', sku: 'SKU-A', quantity: 2, unitPrice: { amountMinor: 1000, currency: 'USD' } },
          { lineId: 'L2', sku: 'SKU-B', quantity: 1, unitPrice: { amountMinor: 500, currency: 'USD' } },
        ],
      }),
      { orderId: randomUUID(), idempotencyKey: channelOrderId },
      now,
    );
    order.claimToken = claimToken;
    await withTransaction(dataSource, (manager) => orders.insertNew(manager, [{ order, lines }]));
    return order;
  }

  it('writes many orders in one go, each only at its expected version and claim', async () => {
    const [plain, claimed, stale, otherClaim] = [await stored(null), await stored('claim-1'), await stored(null), await stored('claim-2')];
    const dueAt = new Date('2026-11-27T09:00:01.500Z');
    const changed = (order: OrderEntity): OrderEntity => ({
      ...order,
      state: 'ON_HOLD',
      holdReason: 'FRAUD_REVIEW',
      holdDetail: 'risk "high"',
      waivedHoldReasons: ['PAYMENT_PENDING'],
      reservationId: `res-${order.orderId.slice(0, 8)}`,
      erpOrderId: null,
      version: order.version + 1,
      workDueAt: dueAt,
      workAttempts: 3,
      lastError: null,
      claimToken: null,
      claimedUntil: null,
      acceptedAt: dueAt,
      updatedAt: dueAt,
    });
    const written = await withTransaction(dataSource, (manager) =>
      orders.updateMany(manager, [
        { order: changed(plain), expected: { version: plain.version } },
        { order: changed(claimed), expected: { version: claimed.version, claimToken: 'claim-1' } },
        { order: changed(stale), expected: { version: stale.version + 1 } },
        { order: changed(otherClaim), expected: { version: otherClaim.version, claimToken: 'claim-1' } },
      ]),
    );
    expect([...written].sort()).toEqual([plain.orderId, claimed.orderId].sort());
    for (const order of [plain, claimed]) {
      const row = (await orders.findById(dataSource.manager, order.orderId))!;
      expect(row).toEqual({ ...changed(order), createdAt: row.createdAt, placedAt: row.placedAt });
    }
    for (const order of [stale, otherClaim]) {
      expect((await orders.findById(dataSource.manager, order.orderId))!).toMatchObject({ state: 'RECEIVED', version: order.version });
    }
  });

  it('writes the lines of many orders in one go', async () => {
    const [first, second] = [await stored(null), await stored(null)];
    const lines = await orders.linesOf(dataSource.manager, [first.orderId, second.orderId]);
    const updated = [...lines.get(first.orderId)!, ...lines.get(second.orderId)!].map((line, index) => ({
      ...line,
      shippedQuantity: index % 2,
      cancelledQuantity: 1 - (index % 2),
      locationId: index === 0 ? null : `WH-${index}`,
    }));
    await withTransaction(dataSource, (manager) => orders.updateLines(manager, updated));
    const after = await orders.linesOf(dataSource.manager, [first.orderId, second.orderId]);
    expect([...after.get(first.orderId)!, ...after.get(second.orderId)!]).toEqual(updated);
  });

  it('refuses to write one order twice in one go', async () => {
    const order = await stored(null);
    const change = { order, expected: { version: order.version } };
    await expect(withTransaction(dataSource, (manager) => orders.updateMany(manager, [change, change]))).rejects.toThrow('twice');
  });
});
