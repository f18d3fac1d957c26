// The inventory service end to end: erp.stock_changed published on the bus becomes
// inventory.availability_changed.<channel> with per-key versions; stale versions and redeliveries
// have no effect; bursts coalesce; the gRPC API explains and repairs. Runs on PostgreSQL +
// RabbitMQ (distributed mode) and on SQLite + the in-process bus (embedded mode).
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Events, fromTimestamp, grpcServices, inventoryV1, toTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { encodeEvent, type BusMessage, type EventBus } from '@retail-mesh/messaging';
import { createGrpcClient, errorReasonOf, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryService } from './inventory.definition.js';
import { listenToAvailabilityChanges, type ReceivedAvailabilityChange } from './testing/availability-listener.js';

describe.each(SERVICE_TEST_MODES)('inventory on $name', ({ mode }) => {
  let testBed: ServiceTestBed;
  let service: RunningService;
  let bus: EventBus;
  let client: GrpcClient<inventoryV1.InventoryServiceClient>;
  const received: ReceivedAvailabilityChange[] = [];

  beforeAll(async () => {
    testBed = await createServiceTestBed(inventoryService, { mode });
    bus = testBed.bus;
    // What a channel adapter would see: every availability change, bound before anything is published.
    await listenToAvailabilityChanges(bus, 'test.availability', (change) => received.push(change));
    service = await testBed.start();
    client = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, service.grpcUrl);

    await upsertPolicy({ channelAccountId: 'shop-eu', channel: 'shopify', safetyStock: 2, eligibleLocationIds: ['WH-1', 'WH-2'] });
  });

  afterAll(async () => {
    client?.close();
    await testBed?.close();
  });

  function upsertPolicy(policy: Partial<inventoryV1.ChannelPolicy>): Promise<inventoryV1.UpsertChannelPolicyResponse> {
    return client.upsertChannelPolicy({ policy: inventoryV1.ChannelPolicy.fromPartial(policy) });
  }

  function stockChanged(
    sku: string,
    locationId: string,
    onHand: number,
    version: number,
    options: { id?: string; changedAt?: Date } = {},
  ): BusMessage {
    const changedAt = options.changedAt ?? new Date();
    return encodeEvent({
      definition: Events.erp.stockChanged,
      payload: { erpChangeId: String(version), sku, locationId, onHand, version, changedAt: toTimestamp(changedAt) },
      source: 'erp-connector',
      subject: sku,
      id: options.id,
      time: changedAt,
    });
  }

  function eventsFor(channelAccountId: string, sku: string): ReceivedAvailabilityChange[] {
    return received.filter((event) => event.payload.channelAccountId === channelAccountId && event.payload.sku === sku);
  }

  function waitForEvent(
    channelAccountId: string,
    sku: string,
    match: (payload: inventoryEventsV1.AvailabilityChanged) => boolean,
  ): Promise<ReceivedAvailabilityChange> {
    return waitFor(() => eventsFor(channelAccountId, sku).find((event) => match(event.payload)), {
      description: `availability_changed for ${channelAccountId}/${sku}`,
    });
  }

  async function grpcError(call: Promise<unknown>): Promise<{ code: number; reason: string | undefined }> {
    const error = await call.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeDefined();
    return { code: (error as { code: number }).code, reason: errorReasonOf(error) };
  }

  it('turns a StockChanged into AvailabilityChanged with the expected quantity and version 1, then version 2 on the next change', async () => {
    const changedAt = new Date('2026-11-27T06:00:00.000Z');
    await bus.publish([stockChanged('SKU-A', 'WH-1', 10, 1, { changedAt })]);
    const first = await waitForEvent('shop-eu', 'SKU-A', (payload) => payload.version === 1);
    // 10 on hand - 2 safety stock.
    expect(first.payload).toMatchObject({
      channelAccountId: 'shop-eu',
      channel: 'shopify',
      sku: 'SKU-A',
      availableQuantity: 8,
      version: 1,
    });
    expect(fromTimestamp(first.payload.sourceChangedAt!)).toEqual(changedAt);
    expect(first.routingKey).toBe('inventory.availability_changed_batch.shopify');
    expect(first.envelope).toMatchObject({ source: 'inventory', subject: 'shop-eu', channelAccountId: 'shop-eu' });

    await bus.publish([stockChanged('SKU-A', 'WH-2', 5, 2)]);
    const second = await waitForEvent('shop-eu', 'SKU-A', (payload) => payload.version === 2);
    expect(second.payload.availableQuantity).toBe(13);
  });

  it('drops a stale version', async () => {
    await waitForEvent('shop-eu', 'SKU-A', (payload) => payload.version === 2);
    const staleBefore = await scrapeMetric(service, 'retail_mesh_inventory_stock_changes_total', { outcome: 'stale' });
    await bus.publish([stockChanged('SKU-A', 'WH-1', 99, 1)]);
    await waitFor(
      async () => (await scrapeMetric(service, 'retail_mesh_inventory_stock_changes_total', { outcome: 'stale' })) > staleBefore,
      {
        description: 'the stale change counted',
      },
    );

    const { positions } = await client.listStockPositions({ skus: ['SKU-A'], locationId: 'WH-1', page: undefined });
    expect(positions).toEqual([expect.objectContaining({ sku: 'SKU-A', locationId: 'WH-1', onHand: 10, version: 1 })]);
    // One position a page: the second page starts after the first's (sku, location) key.
    const first = await client.listStockPositions({ skus: ['SKU-A'], locationId: '', page: { pageSize: 1, pageToken: '' } });
    const next = await client.listStockPositions({
      skus: ['SKU-A'],
      locationId: '',
      page: { pageSize: 1, pageToken: first.page!.nextPageToken },
    });
    expect([...first.positions, ...next.positions].map((position) => position.locationId)).toEqual(['WH-1', 'WH-2']);
    const { availability } = await client.getAvailability({ channelAccountId: 'shop-eu', sku: 'SKU-A' });
    expect(availability).toMatchObject({ availableQuantity: 13, version: 2 });
  });

  it('gives a redelivered event one effect', async () => {
    const appliedBefore = await scrapeMetric(service, 'retail_mesh_inventory_stock_changes_total', { outcome: 'applied' });
    // The consumer dedupes by version (no inbox): the repeat is a change not newer than the stored one.
    const stale = () => scrapeMetric(service, 'retail_mesh_inventory_stock_changes_total', { outcome: 'stale' });
    const staleBefore = await stale();
    const event = stockChanged('SKU-B', 'WH-1', 6, 7, { id: randomUUID() });
    await bus.publish([event]);
    await bus.publish([event]);
    await waitFor(async () => (await stale()) > staleBefore, { description: 'the redelivery recognised' });
    expect(await scrapeMetric(service, 'retail_mesh_inventory_stock_changes_total', { outcome: 'applied' })).toBe(appliedBefore + 1);
    await waitForEvent('shop-eu', 'SKU-B', (payload) => payload.version === 1);
    expect(eventsFor('shop-eu', 'SKU-B').map((received) => received.payload)).toEqual([
      expect.objectContaining({ availableQuantity: 4, version: 1 }),
    ]);
  });

  it('explains the number: on hand per eligible location, safety stock, allocation and cap', async () => {
    await upsertPolicy({
      channelAccountId: 'amazon-us',
      channel: 'amazon',
      safetyStock: 1,
      allocationBasisPoints: 5000,
      maxQuantity: 3,
      // Empty: every location counts.
      eligibleLocationIds: [],
    });
    await bus.publish([stockChanged('SKU-C', 'WH-1', 8, 20), stockChanged('SKU-C', 'STORE-9', 4, 21)]);
    // 12 on hand - 1 = 11; 50 % -> 5; capped at 3.
    const published = await waitForEvent('amazon-us', 'SKU-C', (payload) => payload.availableQuantity === 3);
    expect(published.routingKey).toBe('inventory.availability_changed_batch.amazon');

    const { availability } = await client.getAvailability({ channelAccountId: 'amazon-us', sku: 'SKU-C' });
    expect(availability).toMatchObject({
      channelAccountId: 'amazon-us',
      channel: 'amazon',
      sku: 'SKU-C',
      availableQuantity: 3,
      version: published.payload.version,
    });
    expect(availability?.explanation).toEqual({
      locations: [
        { locationId: 'STORE-9', onHand: 4, reserved: 0 },
        { locationId: 'WH-1', onHand: 8, reserved: 0 },
      ],
      onHand: 12,
      reserved: 0,
      safetyStock: 1,
      sellable: 11,
      allocationBasisPoints: 5000,
      allocated: 5,
      maxQuantity: 3,
      capped: true,
      policyVersion: 1,
    });

    // shop-eu does not count STORE-9: 8 - 2.
    const eu = await client.getAvailability({ channelAccountId: 'shop-eu', sku: 'SKU-C' });
    expect(eu.availability?.explanation?.locations.map((location) => location.locationId)).toEqual(['WH-1']);
    expect(eu.availability?.availableQuantity).toBe(6);
  });

  it('answers bad requests with their status and reason', async () => {
    expect(await grpcError(client.getAvailability({ channelAccountId: 'nobody', sku: 'SKU-A' }))).toEqual({
      code: GrpcStatus.NOT_FOUND,
      reason: 'channel_policy_not_found',
    });
    expect(await grpcError(upsertPolicy({ channelAccountId: 'bad', channel: 'shopify', allocationBasisPoints: 10_001 }))).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: 'invalid_policy',
    });
    expect(await grpcError(upsertPolicy({ channelAccountId: 'shop-eu', channel: 'amazon' }))).toEqual({
      code: GrpcStatus.FAILED_PRECONDITION,
      reason: 'channel_account_channel_changed',
    });
    expect(
      await grpcError(
        client.setStockPosition({ sku: '', locationId: 'WH-1', onHand: 1, version: 1, sourceChangeId: '', changedAt: undefined }),
      ),
    ).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: 'invalid_sku',
    });
    expect(await grpcError(client.reserveStock(inventoryV1.ReserveStockRequest.fromPartial({ orderId: 'o-1' })))).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: 'invalid_idempotency_key',
    });
  });

  it('applies SetStockPosition like a stock change, and ignores a stale one', async () => {
    const set = await client.setStockPosition({
      sku: 'SKU-D',
      locationId: 'WH-2',
      onHand: 9,
      version: 5,
      sourceChangeId: '5',
      changedAt: undefined,
    });
    expect(set).toMatchObject({ applied: true, position: { sku: 'SKU-D', locationId: 'WH-2', onHand: 9, reserved: 0, version: 5 } });
    await waitForEvent('shop-eu', 'SKU-D', (payload) => payload.version === 1 && payload.availableQuantity === 7);
    const stale = await client.setStockPosition({
      sku: 'SKU-D',
      locationId: 'WH-2',
      onHand: 1,
      version: 4,
      sourceChangeId: '4',
      changedAt: undefined,
    });
    expect(stale).toMatchObject({ applied: false, position: { onHand: 9, version: 5 } });
  });

  it('recomputes and publishes for every SKU when a policy is upserted', async () => {
    await waitForEvent('shop-eu', 'SKU-A', (payload) => payload.version === 2);
    const { policy } = await upsertPolicy({
      channelAccountId: 'shop-eu',
      channel: 'shopify',
      safetyStock: 3,
      eligibleLocationIds: ['WH-1', 'WH-2'],
    });
    expect(policy).toMatchObject({ channelAccountId: 'shop-eu', safetyStock: 3, version: 2 });
    // 15 on hand in WH-1 + WH-2, now minus 3.
    await waitForEvent('shop-eu', 'SKU-A', (payload) => payload.version === 3 && payload.availableQuantity === 12);

    await upsertPolicy({ channelAccountId: 'walmart-us', channel: 'walmart', safetyStock: 0, eligibleLocationIds: ['WH-1'] });
    const walmart = await waitForEvent('walmart-us', 'SKU-A', (payload) => payload.version === 1);
    expect(walmart.payload.availableQuantity).toBe(10);
    expect(walmart.payload.sourceChangedAt).toBeUndefined();
    expect(walmart.routingKey).toBe('inventory.availability_changed_batch.walmart');
  });

  it('republishes an unchanged availability with a new version (repair)', async () => {
    const before = await client.getAvailability({ channelAccountId: 'walmart-us', sku: 'SKU-A' });
    const { publishedCount } = await client.republishAvailability({ channelAccountId: 'walmart-us', skus: ['SKU-A'] });
    expect(publishedCount).toBe(1);
    const version = (before.availability?.version ?? 0) + 1;
    const repaired = await waitForEvent('walmart-us', 'SKU-A', (payload) => payload.version === version);
    expect(repaired.payload.availableQuantity).toBe(before.availability?.availableQuantity);

    const { availabilities } = await client.listAvailability({
      channelAccountId: 'walmart-us',
      skus: [],
      page: { pageSize: 1, pageToken: '' },
    });
    expect(availabilities).toEqual([expect.objectContaining({ sku: 'SKU-A', version, availableQuantity: 10 })]);
  });

  it('coalesces a burst of 1,000 changes to one SKU, delivered out of order, into far fewer events that end at the final value', async () => {
    const versions = Array.from({ length: 1000 }, (_, index) => index + 1);
    // Out of order on purpose: queues do not keep order, versions do. On hand = version.
    const shuffled = versions.map((version) => ({ version, key: Math.random() })).sort((a, b) => a.key - b.key);
    await bus.publish(shuffled.map(({ version }) => stockChanged('SKU-BURST', 'WH-1', version, version)));

    const { policy } = await client.getChannelPolicy({ channelAccountId: 'shop-eu' });
    const final = 1000 - (policy?.safetyStock ?? 0);
    const last = await waitForEvent('shop-eu', 'SKU-BURST', (payload) => payload.availableQuantity === final);
    const burst = eventsFor('shop-eu', 'SKU-BURST');
    expect(burst.length).toBeLessThan(100);
    // Versions 1..n without gaps; the final value carries the highest.
    expect(burst.map((event) => event.payload.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: burst.length }, (_, index) => index + 1),
    );
    expect(last.payload.version).toBe(burst.length);
    const { availabilities } = await client.listAvailability({ channelAccountId: 'shop-eu', skus: ['SKU-BURST'], page: undefined });
    expect(availabilities).toEqual([expect.objectContaining({ availableQuantity: final, version: burst.length })]);
  });
});
