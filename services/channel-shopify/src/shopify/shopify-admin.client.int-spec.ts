// The client against the Shopify sandbox (real HTTP, real GraphQL validation and cost): proves
// the queries are valid for the schema, the compare-and-set and idempotency behaviour the
// pusher relies on, and the aliased batch read.
import { CostBucketThrottle } from '@retail-mesh/channel-kit';
import { startShopifySandbox, type ShopifySandbox } from '@retail-mesh/sandbox-shopify';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryLevelRefKey, ShopifyAdminClient, ShopifyAdminError } from './shopify-admin.client.js';

const accessToken = 'shpat_client_int';

describe('ShopifyAdminClient against the Shopify sandbox', () => {
  let sandbox: ShopifySandbox;
  let admin: SandboxAdminClient;
  let client: ShopifyAdminClient;
  let location: string;
  const items = new Map<string, string>();

  beforeAll(async () => {
    sandbox = await startShopifySandbox({ port: 0, shops: [{ shop: 'client-int', accessToken }] });
    admin = new SandboxAdminClient(sandbox.url);
    const seeded = await admin.call<{ locations: Array<{ id: string }>; variants: Array<{ sku: string; inventoryItemId: string }> }>(
      'POST',
      '/_sandbox/products',
      {
        locations: [{ name: 'Main warehouse' }],
        variants: [
          { sku: 'TEE-S', levels: [{ locationName: 'Main warehouse', available: 4 }] },
          { sku: 'TEE-M', levels: [{ locationName: 'Main warehouse', available: 9 }] },
          { sku: 'TEE L' },
        ],
      },
    );
    location = seeded.locations[0].id;
    for (const variant of seeded.variants) items.set(variant.sku, variant.inventoryItemId);
    client = new ShopifyAdminClient({ baseUrl: sandbox.url, accessToken, throttle: new CostBucketThrottle(), retries: 2, baseDelayMs: 10 });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  const level = (sku: string) => ({ inventoryItemId: items.get(sku) as string, locationId: location });

  it('reads several levels in one request', async () => {
    const levels = await client.getInventoryLevels([
      level('TEE-S'),
      level('TEE-M'),
      { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: location },
    ]);
    expect(levels.get(inventoryLevelRefKey(level('TEE-S')))?.quantities).toMatchObject({ available: 4, on_hand: 4 });
    expect(levels.get(inventoryLevelRefKey(level('TEE-M')))?.quantities.available).toBe(9);
    expect(levels.get(`gid://shopify/InventoryItem/1|${location}`)).toBeUndefined();
  });

  it('sets quantities with compare-and-set, and replays a repeated idempotency key without a second effect', async () => {
    const input = {
      idempotencyKey: 'client-int-1',
      name: 'available' as const,
      reason: 'correction',
      referenceDocumentUri: 'gid://retail-mesh/AvailabilityPush/1',
      quantities: [
        { ...level('TEE-S'), quantity: 6, changeFromQuantity: 4 },
        { ...level('TEE-M'), quantity: 9, changeFromQuantity: 9 },
      ],
    };
    const first = await client.setInventoryQuantities(input);
    expect(first.adjustmentGroupId).toMatch(/^gid:\/\/shopify\/InventoryAdjustmentGroup\//);
    const replay = await client.setInventoryQuantities(input);
    expect(replay.adjustmentGroupId).toBe(first.adjustmentGroupId);
    const levels = await client.getInventoryLevels([level('TEE-S')], ['available']);
    expect(levels.get(inventoryLevelRefKey(level('TEE-S')))?.quantities).toEqual({ available: 6 });
  });

  it('reports a stale compare value as a user error naming the quantity, and applies nothing', async () => {
    const failure = await client
      .setInventoryQuantities({
        idempotencyKey: 'client-int-2',
        name: 'available',
        reason: 'correction',
        quantities: [
          { ...level('TEE-M'), quantity: 1, changeFromQuantity: 9 },
          { ...level('TEE-S'), quantity: 0, changeFromQuantity: 5 },
        ],
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ShopifyAdminError);
    expect((failure as ShopifyAdminError).isStaleQuantity).toBe(true);
    expect((failure as ShopifyAdminError).userErrors).toEqual([
      { code: 'CHANGE_FROM_QUANTITY_STALE', field: ['input', 'quantities', '1', 'changeFromQuantity'], message: expect.any(String) },
    ]);
    const levels = await client.getInventoryLevels([level('TEE-M')], ['available']);
    expect(levels.get(inventoryLevelRefKey(level('TEE-M')))?.quantities.available).toBe(9);
  });

  it('finds variants by exact SKU, spaces included', async () => {
    const found = await client.findVariantsBySkus(['TEE L', 'TEE', 'MISSING']);
    expect(found.get('TEE L')).toEqual([expect.objectContaining({ sku: 'TEE L', inventoryItemId: items.get('TEE L') })]);
    expect(found.get('TEE')).toEqual([]);
    expect(found.get('MISSING')).toEqual([]);
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    await admin.setFaults({ type: 'rateLimit', operation: 'InventoryLevels', count: 1, retryAfterSeconds: 1 });
    const levels = await client.getInventoryLevels([level('TEE-M')]);
    expect(levels.get(inventoryLevelRefKey(level('TEE-M')))?.quantities.available).toBe(9);
    expect((await admin.faults())[0]).toMatchObject({ fired: 1 });
    await admin.clearFaults();
  });
});
