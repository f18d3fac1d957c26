// channel-shopify end to end against the Shopify sandbox and a real catalog: events published on
// the bus land on the sandbox, bursts coalesce, stale versions are never sent, throttling and
// compare mismatches are survived, duplicates have one effect. Runs on PostgreSQL + RabbitMQ
// (distributed mode) and on SQLite + the in-process bus (embedded mode).
import { status as GrpcStatus } from '@grpc/grpc-js';
import { catalogV1, channelV1, Events, grpcServices, toTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { encodeEvent, type BusMessage, type EventBus } from '@retail-mesh/messaging';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { startShopifySandbox, type ShopifySandbox } from '@retail-mesh/sandbox-shopify';
import { catalogService } from '@retail-mesh/service-catalog';
import { createGrpcClient, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import {
  createServiceTestBed,
  scrapeMetric,
  SERVICE_TEST_MODES,
  type ServiceTestBed,
  type ServiceTestMode,
} from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelShopifyService } from './channel-shopify.definition.js';

const SHOP = 'int-b2c';
const ACCESS_TOKEN = 'shpat_channel_shopify_int';
const ACCOUNT = 'shopify-int-b2c';
const QUEUE = 'channel-shopify.availability';
const API_VERSION = '2026-04';

interface Level {
  sku: string;
  inventoryItemId: string;
  locationId: string;
  available: number;
  appliedMutations: number;
  history: Array<{ name: string; quantityAfterChange: number; idempotencyKey: string | null }>;
}

interface ShopView {
  shop: string;
  counters: { graphqlCalls: number; throttledCalls: number; mutationsApplied: number; idempotentReplays: number };
}

interface HarnessOptions {
  mode: ServiceTestMode;
  /** channel-shopify replicas sharing one database and broker. */
  replicas: number;
  /** SKUs on Shopify and in the catalog with a Shopify listing. */
  listedSkus: string[];
  /** SKUs on Shopify and in the catalog without a listing. */
  unlistedSkus: string[];
  /** The push loops' backstop poll; default 500 ms. */
  pushPollIntervalMs?: number;
}

/** The Shopify sandbox, a catalog (SQLite, its own in-process bus) with the listings, and channel-shopify replicas. */
class Harness {
  sandbox!: ShopifySandbox;
  admin!: SandboxAdminClient;
  catalog!: RunningService;
  replicas: RunningService[] = [];
  bus!: EventBus;
  locationId = '';
  readonly inventoryItems = new Map<string, string>();
  private catalogTestBed: ServiceTestBed | undefined;
  private testBed: ServiceTestBed | undefined;

  constructor(private readonly options: HarnessOptions) {}

  get service(): RunningService {
    return this.replicas[0];
  }

  async start(): Promise<void> {
    const { mode, listedSkus, unlistedSkus } = this.options;
    const allSkus = [...listedSkus, ...unlistedSkus];
    this.sandbox = await startShopifySandbox({ port: 0, shops: [{ shop: SHOP, accessToken: ACCESS_TOKEN }] });
    this.admin = new SandboxAdminClient(this.sandbox.url);
    const seeded = await this.admin.call<{ locations: Array<{ id: string }>; variants: Array<{ sku: string; inventoryItemId: string }> }>(
      'POST',
      '/_sandbox/products',
      { shop: SHOP, locations: [{ name: 'Main warehouse' }], variants: allSkus.map((sku) => ({ sku })) },
    );
    this.locationId = seeded.locations[0].id;
    for (const variant of seeded.variants) this.inventoryItems.set(variant.sku, variant.inventoryItemId);

    // The catalog only answers channel-shopify's lookups: SQLite and a bus of its own suffice.
    this.catalogTestBed = await createServiceTestBed(catalogService, { mode: 'sqlite+in-process' });
    this.catalog = await this.catalogTestBed.start();
    const catalogClient = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, this.catalog.grpcUrl);
    await catalogClient.upsertProduct({
      product: catalogV1.Product.fromPartial({
        productId: 'P-TEE',
        title: 'Tee',
        status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
        variants: allSkus.map((sku) => ({ sku, title: sku })),
      }),
    });
    for (const sku of listedSkus) {
      await catalogClient.upsertChannelListing({
        listing: catalogV1.ChannelListing.fromPartial({
          channelAccountId: ACCOUNT,
          channel: 'shopify',
          sku,
          externalInventoryItemId: this.inventoryItems.get(sku),
          externalLocationId: this.locationId,
          status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
        }),
      });
    }
    catalogClient.close();

    const settings: Record<string, string> = {
      SHOPIFY_ACCOUNTS: JSON.stringify([
        { channelAccountId: ACCOUNT, adminApiUrl: this.sandbox.url, accessToken: ACCESS_TOKEN, apiVersion: API_VERSION },
      ]),
      CATALOG_GRPC_URL: this.catalog.grpcUrl,
      SHOPIFY_PUSH_POLL_INTERVAL_MS: String(this.options.pushPollIntervalMs ?? 500),
      SHOPIFY_RETRIES: '2',
      SHOPIFY_RETRY_BASE_DELAY_MS: '50',
      SHOPIFY_PUSH_MAX_BACKOFF_MS: '2000',
      SHOPIFY_PUSH_WAIT_MS: '5000',
    };
    this.testBed = await createServiceTestBed(channelShopifyService, { mode, settings });
    this.bus = this.testBed.bus;
    for (let replica = 0; replica < this.options.replicas; replica++) this.replicas.push(await this.testBed.start());
  }

  async stop(): Promise<void> {
    // Closes the replicas too (close() is idempotent: a replica a test already stopped is fine).
    await this.testBed?.close();
    await this.catalogTestBed?.close();
    await this.sandbox?.close();
  }

  availabilityChanged(sku: string, version: number, quantity: number, account = ACCOUNT): BusMessage {
    return encodeEvent({
      definition: Events.inventory.availabilityChanged,
      payload: availabilityChange(sku, version, quantity, account),
      source: 'inventory',
      subject: sku,
      channel: 'shopify',
      channelAccountId: account,
    });
  }

  /** What inventory publishes: one pass's changes for one account (ADR 0008). */
  availabilityChangedBatch(changes: Array<[sku: string, version: number, quantity: number]>, account = ACCOUNT): BusMessage {
    return encodeEvent({
      definition: Events.inventory.availabilityChangedBatch,
      payload: { changes: changes.map(([sku, version, quantity]) => availabilityChange(sku, version, quantity, account)) },
      source: 'inventory',
      subject: account,
      channel: 'shopify',
      channelAccountId: account,
    });
  }

  async shopifyLevel(sku: string): Promise<Level> {
    const { levels } = await this.admin.call<{ levels: Level[] }>(
      'GET',
      `/_sandbox/inventory-levels?shop=${SHOP}&sku=${encodeURIComponent(sku)}`,
    );
    return levels[0];
  }

  waitForShopify(sku: string, available: number): Promise<Level> {
    return waitFor(
      async () => {
        const level = await this.shopifyLevel(sku);
        return level.available === available ? level : undefined;
      },
      { description: `Shopify to show ${available} for ${sku}` },
    );
  }

  async shopCounters(): Promise<ShopView['counters']> {
    const { shops } = await this.admin.call<{ shops: ShopView[] }>('GET', '/_sandbox/shops');
    return (shops.find((shop) => shop.shop === SHOP) as ShopView).counters;
  }

  /** A metric of a replica's /metrics (the first with the labels given), 0 when absent. */
  metric(name: string, labels: Record<string, string> = {}, replica = this.service): Promise<number> {
    return scrapeMetric(replica, name, labels);
  }

  /** Deliveries handled by all replicas together. */
  async handled(): Promise<number> {
    let total = 0;
    for (const replica of this.replicas) total += await this.metric('retail_mesh_consumer_handled_total', { queue: QUEUE }, replica);
    return total;
  }

  async waitForHandled(count: number): Promise<void> {
    await waitFor(async () => (await this.handled()) >= count, { description: `${count} deliveries handled` });
  }

  /** A merchant editing the quantity in the Shopify admin: a plain set without compare. */
  async setOnShopifyAdmin(sku: string, quantity: number): Promise<void> {
    const response = await fetch(`${this.sandbox.url}/admin/api/${API_VERSION}/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': ACCESS_TOKEN },
      body: JSON.stringify({
        query: `mutation Set($input: InventorySetQuantitiesInput!) {
          inventorySetQuantities(input: $input) @idempotent(key: "merchant-${sku}-${quantity}") { userErrors { code message } }
        }`,
        variables: {
          input: {
            name: 'available',
            reason: 'correction',
            quantities: [
              { inventoryItemId: this.inventoryItems.get(sku), locationId: this.locationId, quantity, changeFromQuantity: null },
            ],
          },
        },
      }),
    });
    const body = (await response.json()) as { data: { inventorySetQuantities: { userErrors: unknown[] } } };
    expect(body.data.inventorySetQuantities.userErrors).toEqual([]);
  }
}

function availabilityChange(sku: string, version: number, quantity: number, account: string): inventoryEventsV1.AvailabilityChanged {
  const changedAt = toTimestamp(new Date());
  return {
    channelAccountId: account,
    channel: 'shopify',
    sku,
    availableQuantity: quantity,
    version,
    computedAt: changedAt,
    sourceChangedAt: changedAt,
  };
}

function availableHistory(level: Level): number[] {
  return level.history.filter((change) => change.name === 'available').map((change) => change.quantityAfterChange);
}

function isIncreasing(values: number[]): boolean {
  return values.every((value, index) => index === 0 || value > values[index - 1]);
}

describe.each(SERVICE_TEST_MODES)('channel-shopify on $name', ({ mode }) => {
  const unlistedSku = 'SKU-NOT-LISTED';
  const mesh = new Harness({
    mode,
    replicas: 1,
    listedSkus: [
      'SKU-FIRST',
      'SKU-BURST',
      'SKU-STALE',
      'SKU-STORM',
      'SKU-DRAINED',
      'SKU-DRIFT',
      'SKU-DUP',
      'SKU-GRPC',
      'SKU-BATCH-1',
      'SKU-BATCH-2',
      'SKU-BATCH-3',
    ],
    unlistedSkus: [unlistedSku],
  });
  let adapter: GrpcClient<channelV1.ChannelAdapterServiceClient>;

  beforeAll(async () => {
    await mesh.start();
    adapter = createGrpcClient<channelV1.ChannelAdapterServiceClient>(grpcServices.channelAdapter, mesh.service.grpcUrl);
  });

  afterAll(async () => {
    adapter?.close();
    await mesh.stop();
  });

  it('puts the quantity of an AvailabilityChanged published on the bus on Shopify', async () => {
    await mesh.bus.publish([mesh.availabilityChanged('SKU-FIRST', 1, 7)]);
    const level = await mesh.waitForShopify('SKU-FIRST', 7);
    expect(level.history.at(-1)?.idempotencyKey).toMatch(/^retail-mesh-availability-/);
    // Recorded right after Shopify accepted it; the row's wait for the push when the push read it.
    await waitFor(
      async () =>
        (await mesh.metric('retail_mesh_channel_shopify_availability_push_latency_seconds_count', { channel_account_id: ACCOUNT })) >= 1,
      {
        description: 'a push latency sample',
      },
    );
    expect(
      await mesh.metric('retail_mesh_channel_shopify_availability_push_wait_seconds_count', { channel_account_id: ACCOUNT }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('coalesces a burst of 1,000 versions of one SKU into far fewer calls, sent in version order, ending at the last', async () => {
    const handledBefore = await mesh.handled();
    const before = await mesh.shopCounters();
    // In version order: the worst case for coalescing (every event is newer than the one before).
    await mesh.bus.publish(Array.from({ length: 1000 }, (_, index) => mesh.availabilityChanged('SKU-BURST', index + 1, index + 1)));
    await mesh.waitForHandled(handledBefore + 1000);
    const level = await mesh.waitForShopify('SKU-BURST', 1000);
    const after = await mesh.shopCounters();

    expect(after.graphqlCalls - before.graphqlCalls).toBeLessThan(200);
    // Quantity = version: every quantity Shopify took is higher than the one before.
    expect(isIncreasing(availableHistory(level))).toBe(true);
  });

  it('never sends an older version after a newer one', async () => {
    const handledBefore = await mesh.handled();
    await mesh.bus.publish([mesh.availabilityChanged('SKU-STALE', 5, 50)]);
    await mesh.waitForShopify('SKU-STALE', 50);
    await mesh.bus.publish([mesh.availabilityChanged('SKU-STALE', 4, 40), mesh.availabilityChanged('SKU-STALE', 5, 45)]);
    await mesh.waitForHandled(handledBefore + 3);
    // The stale and the duplicate version were dropped; a newer one still gets through.
    await mesh.bus.publish([mesh.availabilityChanged('SKU-STALE', 6, 60)]);
    const level = await mesh.waitForShopify('SKU-STALE', 60);
    expect(availableHistory(level)).toEqual([50, 60]);
    expect(
      await mesh.metric('retail_mesh_channel_shopify_stale_updates_dropped_total', { channel_account_id: ACCOUNT }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('backs off a storm of 429s with Retry-After and converges', async () => {
    await mesh.admin.setFaults({ type: 'rateLimit', operation: 'inventorySetQuantities', status: 429, retryAfterSeconds: 1, count: 5 });
    await mesh.bus.publish([mesh.availabilityChanged('SKU-STORM', 1, 11)]);
    await mesh.waitForShopify('SKU-STORM', 11);
    const [fault] = await mesh.admin.faults();
    expect(fault.fired).toBe(5);
    await mesh.admin.clearFaults();
    expect(
      await mesh.metric('retail_mesh_channel_shopify_api_calls_total', { operation: 'InventorySetQuantities', outcome: 'throttled' }),
    ).toBeGreaterThanOrEqual(5);
    expect(await mesh.metric('retail_mesh_channel_shopify_push_errors_total', { kind: 'throttled' })).toBeGreaterThanOrEqual(1);
  });

  it('waits for a drained cost bucket (THROTTLED with extensions.cost) and converges', async () => {
    await mesh.admin.call('POST', '/_sandbox/shops', {
      shop: SHOP,
      accessToken: ACCESS_TOKEN,
      currentlyAvailable: 0,
      restoreRate: 20,
      maximumAvailable: 400,
    });
    const throttledBefore = (await mesh.shopCounters()).throttledCalls;
    await mesh.bus.publish([mesh.availabilityChanged('SKU-DRAINED', 1, 12)]);
    await mesh.waitForShopify('SKU-DRAINED', 12);
    expect((await mesh.shopCounters()).throttledCalls).toBeGreaterThan(throttledBefore);
    expect(await mesh.metric('retail_mesh_channel_shopify_throttled_waits_total', { channel_account_id: ACCOUNT })).toBeGreaterThanOrEqual(
      1,
    );
    await mesh.admin.call('POST', '/_sandbox/shops', { shop: SHOP, accessToken: ACCESS_TOKEN, plan: 'standard', currentlyAvailable: 2000 });
  });

  it('resolves a compare mismatch when Shopify was changed behind its back: the mesh quantity wins, the drift is counted', async () => {
    await mesh.bus.publish([mesh.availabilityChanged('SKU-DRIFT', 1, 5)]);
    await mesh.waitForShopify('SKU-DRIFT', 5);
    await mesh.setOnShopifyAdmin('SKU-DRIFT', 2);
    const driftBefore = await mesh.metric('retail_mesh_channel_shopify_compare_drift_total', { channel_account_id: ACCOUNT });

    await mesh.bus.publish([mesh.availabilityChanged('SKU-DRIFT', 2, 8)]);
    const level = await mesh.waitForShopify('SKU-DRIFT', 8);
    expect(availableHistory(level)).toEqual([5, 2, 8]);
    expect(await mesh.metric('retail_mesh_channel_shopify_compare_drift_total', { channel_account_id: ACCOUNT })).toBe(driftBefore + 1);
  });

  it('puts each change of a batch event on Shopify, dropping the stale ones, and gives the batch delivered twice one effect', async () => {
    await mesh.bus.publish([mesh.availabilityChanged('SKU-BATCH-2', 4, 40)]);
    await mesh.waitForShopify('SKU-BATCH-2', 40);
    const batch = mesh.availabilityChangedBatch([
      ['SKU-BATCH-1', 1, 5],
      ['SKU-BATCH-2', 3, 30],
      ['SKU-BATCH-3', 1, 7],
    ]);
    const handledBefore = await mesh.handled();
    await mesh.bus.publish([batch, batch]);
    await mesh.waitForHandled(handledBefore + 2);
    await mesh.waitForShopify('SKU-BATCH-1', 5);
    await mesh.waitForShopify('SKU-BATCH-3', 7);
    // A newer single change still gets through after the batch.
    await mesh.bus.publish([mesh.availabilityChanged('SKU-BATCH-1', 2, 6)]);
    const first = await mesh.waitForShopify('SKU-BATCH-1', 6);
    expect(availableHistory(first)).toEqual([5, 6]);
    // Version 3 of SKU-BATCH-2 is older than the 4 Shopify has; the second delivery pushed nothing.
    expect(availableHistory(await mesh.shopifyLevel('SKU-BATCH-2'))).toEqual([40]);
    expect((await mesh.shopifyLevel('SKU-BATCH-3')).appliedMutations).toBe(1);
  });

  it('gives the same event delivered twice one effect', async () => {
    const handledBefore = await mesh.handled();
    const event = mesh.availabilityChanged('SKU-DUP', 1, 3);
    await mesh.bus.publish([event, event]);
    await mesh.waitForHandled(handledBefore + 2);
    const level = await mesh.waitForShopify('SKU-DUP', 3);
    expect(level.appliedMutations).toBe(1);
    expect(availableHistory(level)).toEqual([3]);
  });

  it('dead-letters an event for an account it does not serve, and holds a SKU without listing without spinning', async () => {
    await mesh.bus.publish([mesh.availabilityChanged('SKU-FIRST', 99, 1, 'shopify-someone-else')]);
    await waitFor(async () => (await mesh.bus.deadLetterCount(QUEUE)) === 1, { description: 'the poison event in the DLQ' });
    const [deadLetter] = await mesh.bus.peekDeadLetters(QUEUE, 1);
    expect(deadLetter.reason).toContain('unknown Shopify channel account "shopify-someone-else"');
    // A batch event is dead-lettered whole, with the reason, like a single one.
    await mesh.bus.publish([mesh.availabilityChangedBatch([['SKU-FIRST', 100, 2]], 'shopify-someone-else')]);
    await waitFor(async () => (await mesh.bus.deadLetterCount(QUEUE)) === 2, { description: 'the poison batch in the DLQ' });
    const [, batchLetter] = await mesh.bus.peekDeadLetters(QUEUE, 2);
    expect(batchLetter.routingKey).toBe('inventory.availability_changed_batch.shopify');
    expect(batchLetter.reason).toContain('unknown Shopify channel account "shopify-someone-else"');

    await mesh.bus.publish([mesh.availabilityChanged(unlistedSku, 1, 9)]);
    await waitFor(async () => (await mesh.metric('retail_mesh_channel_shopify_refused_updates_total', { code: 'NOT_LISTED' })) >= 1, {
      description: 'the unlisted SKU to be held',
    });
    await waitFor(async () => (await mesh.metric('retail_mesh_channel_shopify_pending_updates', { state: 'held' })) === 1, {
      description: 'the held row to show in the pending gauge',
    });
    expect((await mesh.shopifyLevel(unlistedSku)).appliedMutations).toBe(0);
  });

  it('serves PushAvailability, GetListingState and GetAdapterStatus, and answers UNIMPLEMENTED for the rest', async () => {
    const pushed = await adapter.pushAvailability({
      channelAccountId: ACCOUNT,
      updates: [{ sku: 'SKU-GRPC', availableQuantity: 4, version: 3 }],
    });
    expect(pushed.results).toEqual([{ sku: 'SKU-GRPC', outcome: channelV1.PushOutcome.PUSH_OUTCOME_ACCEPTED, version: 3, message: '' }]);
    expect((await mesh.shopifyLevel('SKU-GRPC')).available).toBe(4);

    const replayed = await adapter.pushAvailability({
      channelAccountId: ACCOUNT,
      updates: [
        { sku: 'SKU-GRPC', availableQuantity: 1, version: 2 },
        { sku: unlistedSku, availableQuantity: 2, version: 5 },
      ],
    });
    expect(replayed.results.map((result) => result.outcome)).toEqual([
      channelV1.PushOutcome.PUSH_OUTCOME_STALE,
      channelV1.PushOutcome.PUSH_OUTCOME_NOT_LISTED,
    ]);
    expect(replayed.results[0].version).toBe(3);

    const listing = await adapter.getListingState({ channelAccountId: ACCOUNT, skus: ['SKU-GRPC', unlistedSku, 'SKU-NOWHERE'] });
    expect(listing.states.map(({ sku, listed, availableQuantity }) => ({ sku, listed, availableQuantity }))).toEqual([
      { sku: 'SKU-GRPC', listed: true, availableQuantity: 4 },
      { sku: unlistedSku, listed: false, availableQuantity: 0 },
      { sku: 'SKU-NOWHERE', listed: false, availableQuantity: 0 },
    ]);
    expect(listing.states[1].externalVariantId).toMatch(/^gid:\/\/shopify\/ProductVariant\//);
    expect(listing.states[2].externalVariantId).toBe('');

    const status = await adapter.getAdapterStatus({ channelAccountId: '' });
    expect(status).toMatchObject({
      channel: 'shopify',
      accounts: [{ channelAccountId: ACCOUNT, health: channelV1.AccountHealth.ACCOUNT_HEALTH_HEALTHY }],
    });
    expect(status.accounts[0].lastPushAt).toBeTruthy();

    await expect(adapter.getAdapterStatus({ channelAccountId: 'nope' })).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    await expect(
      adapter.pushAvailability({ channelAccountId: ACCOUNT, updates: [{ sku: 'SKU-GRPC', availableQuantity: -1, version: 9 }] }),
    ).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
    });
    await expect(adapter.pushPrice({ channelAccountId: ACCOUNT, updates: [] })).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
  });
});

describe.each(SERVICE_TEST_MODES)('channel-shopify push loop on $name', ({ mode }) => {
  // A backstop poll no test waits out: whatever reaches Shopify was pushed because a commit woke the loop.
  const mesh = new Harness({
    mode,
    replicas: 1,
    listedSkus: ['SKU-PUSHING', 'SKU-STORED-MEANWHILE'],
    unlistedSkus: [],
    pushPollIntervalMs: 600_000,
  });

  beforeAll(async () => {
    await mesh.start();
  });

  afterAll(async () => {
    await mesh.stop();
  });

  it('pushes a version stored while a push is out right after that push, without waiting for the poll', async () => {
    // The next push is held at Shopify long enough for a version of another SKU to be stored meanwhile.
    await mesh.admin.setFaults({ type: 'latency', operation: 'inventorySetQuantities', ms: 1_000, count: 1 });
    await mesh.bus.publish([mesh.availabilityChanged('SKU-PUSHING', 1, 3)]);
    await waitFor(async () => (await mesh.admin.faults())[0]?.fired === 1 || undefined, { description: 'the push to reach Shopify' });
    await mesh.bus.publish([mesh.availabilityChanged('SKU-STORED-MEANWHILE', 1, 4)]);

    await mesh.waitForShopify('SKU-PUSHING', 3);
    await mesh.waitForShopify('SKU-STORED-MEANWHILE', 4);
    expect((await mesh.shopifyLevel('SKU-PUSHING')).appliedMutations).toBe(1);
  });
});

describe('channel-shopify replicas on PostgreSQL + RabbitMQ', () => {
  const mesh = new Harness({ mode: 'postgres+rabbitmq', replicas: 2, listedSkus: ['SKU-REPLICATED'], unlistedSkus: [] });

  beforeAll(async () => {
    await mesh.start();
  });

  afterAll(async () => {
    await mesh.stop();
  });

  const mutationsSentBy = (replica: RunningService) =>
    mesh.metric('retail_mesh_channel_shopify_api_calls_total', { operation: 'InventorySetQuantities', outcome: 'ok' }, replica);

  it('share the consumption but only the lease holder pushes; the other takes over when it stops, in version order throughout', async () => {
    await mesh.bus.publish(Array.from({ length: 300 }, (_, index) => mesh.availabilityChanged('SKU-REPLICATED', index + 1, index + 1)));
    await mesh.waitForHandled(300);
    await mesh.waitForShopify('SKU-REPLICATED', 300);
    const sent = await Promise.all(mesh.replicas.map(mutationsSentBy));
    expect(sent.filter((count) => count > 0)).toHaveLength(1);
    const leader = mesh.replicas[sent.findIndex((count) => count > 0)];
    const follower = mesh.replicas.find((replica) => replica !== leader) as RunningService;

    await leader.close();
    await mesh.bus.publish(Array.from({ length: 100 }, (_, index) => mesh.availabilityChanged('SKU-REPLICATED', 301 + index, 301 + index)));
    const level = await mesh.waitForShopify('SKU-REPLICATED', 400);
    expect(await mutationsSentBy(follower)).toBeGreaterThan(0);
    expect(isIncreasing(availableHistory(level))).toBe(true);
  });
});
