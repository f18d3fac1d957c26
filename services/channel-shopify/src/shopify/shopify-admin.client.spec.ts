import { CostBucketThrottle } from '@retail-mesh/channel-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ShopifyAdminClient, ShopifyAdminError, inventoryLevelRefKey, type SetInventoryQuantitiesInput } from './shopify-admin.client.js';

type Reply = { status?: number; body: unknown; headers?: Record<string, string> } | Error;

interface RecordedRequest {
  url: string;
  headers: Record<string, string>;
  body: { query: string; variables: Record<string, unknown>; operationName: string };
}

/** A stand-in for Shopify's GraphQL endpoint answering with the queued replies in turn. */
function fakeShopify(replies: Reply[]) {
  const requests: RecordedRequest[] = [];
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(url),
      headers: init?.headers as Record<string, string>,
      body: JSON.parse(String(init?.body)),
    });
    const reply = replies.shift();
    if (reply === undefined) throw new Error('no reply queued');
    if (reply instanceof Error) throw reply;
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return new Response(text, { status: reply.status ?? 200, headers: reply.headers });
  };
  return { fetch: fetchFn as typeof fetch, requests };
}

function cost(currentlyAvailable = 1990, requestedQueryCost = 10, actualQueryCost: number | null = 10) {
  return { requestedQueryCost, actualQueryCost, throttleStatus: { maximumAvailable: 2000, currentlyAvailable, restoreRate: 100 } };
}

function ok(data: unknown, currentlyAvailable = 1990) {
  return { body: { data, extensions: { cost: cost(currentlyAvailable) } } };
}

function client(replies: Reply[], throttle = new CostBucketThrottle({ maximumAvailable: 2000, restoreRate: 100 })) {
  const shopify = fakeShopify(replies);
  const calls: Array<[string, string]> = [];
  const throttleWaits: Array<[string, number]> = [];
  const adminClient = new ShopifyAdminClient({
    observer: {
      call: (operation, outcome) => calls.push([operation, outcome]),
      throttleWait: (operation, seconds) => throttleWaits.push([operation, seconds]),
    },
    baseUrl: 'http://127.0.0.1:7001/',
    accessToken: 'shpat_test',
    throttle,
    retries: 2,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    fetch: shopify.fetch,
  });
  return { adminClient, requests: shopify.requests, throttle, calls, throttleWaits };
}

/** Runs a client call to completion on the fake clock (backoff and throttle waits included). */
async function settle<T>(promise: Promise<T>): Promise<T> {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const result = await outcome;
  if ('error' in result) throw result.error;
  return result.value;
}

async function failureOf(promise: Promise<unknown>): Promise<ShopifyAdminError> {
  try {
    await settle(promise);
  } catch (error) {
    if (error instanceof ShopifyAdminError) return error;
    throw error;
  }
  throw new Error('expected a ShopifyAdminError');
}

const level1 = { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/1' };

const setInput: SetInventoryQuantitiesInput = {
  idempotencyKey: 'acct-1:item-1:loc-1:v7',
  name: 'available',
  reason: 'correction',
  referenceDocumentUri: 'gid://retail-mesh/AvailabilityPush/7',
  quantities: [
    { inventoryItemId: 'gid://shopify/InventoryItem/1', locationId: 'gid://shopify/Location/1', quantity: 12, changeFromQuantity: 10 },
    { inventoryItemId: 'gid://shopify/InventoryItem/2', locationId: 'gid://shopify/Location/1', quantity: 0, changeFromQuantity: null },
  ],
};

const applied = {
  inventorySetQuantities: {
    inventoryAdjustmentGroup: { id: 'gid://shopify/InventoryAdjustmentGroup/99' },
    userErrors: [],
  },
};

function userErrors(...codes: string[]) {
  return {
    inventorySetQuantities: {
      inventoryAdjustmentGroup: null,
      userErrors: codes.map((code) => ({ code, field: ['input', 'quantities', '0'], message: code })),
    },
  };
}

describe('ShopifyAdminClient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe('setInventoryQuantities', () => {
    it('posts inventorySetQuantities with the idempotency directive and explicit compare values', async () => {
      const { adminClient, requests } = client([ok(applied)]);
      const result = await settle(adminClient.setInventoryQuantities(setInput));

      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request.url).toBe('http://127.0.0.1:7001/admin/api/2026-04/graphql.json');
      expect(request.headers['x-shopify-access-token']).toBe('shpat_test');
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.body.operationName).toBe('InventorySetQuantities');
      expect(request.body.query).toContain('inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey)');
      expect(request.body.variables).toEqual({
        idempotencyKey: 'acct-1:item-1:loc-1:v7',
        input: {
          name: 'available',
          reason: 'correction',
          referenceDocumentUri: 'gid://retail-mesh/AvailabilityPush/7',
          quantities: [
            {
              inventoryItemId: 'gid://shopify/InventoryItem/1',
              locationId: 'gid://shopify/Location/1',
              quantity: 12,
              changeFromQuantity: 10,
            },
            {
              inventoryItemId: 'gid://shopify/InventoryItem/2',
              locationId: 'gid://shopify/Location/1',
              quantity: 0,
              changeFromQuantity: null,
            },
          ],
        },
      });
      // The opt-out must be on the wire as an explicit null, not an absent field.
      expect(JSON.stringify(request.body)).toContain('"changeFromQuantity":null');

      expect(result).toEqual({ adjustmentGroupId: 'gid://shopify/InventoryAdjustmentGroup/99' });
      // Only the group's id is asked for: the pusher reads nothing else.
      expect(request.body.query).toContain('inventoryAdjustmentGroup { id }');
    });

    it('sends the same query text whatever the key, the key only among the variables', async () => {
      const { adminClient, requests } = client([ok(applied), ok(applied)]);
      await settle(adminClient.setInventoryQuantities(setInput));
      await settle(adminClient.setInventoryQuantities({ ...setInput, idempotencyKey: 'key "with" quotes\\' }));
      expect(requests[1].body.query).toBe(requests[0].body.query);
      expect(requests[1].body.query).not.toContain('quotes');
      expect(requests[1].body.variables.idempotencyKey).toBe('key "with" quotes\\');
    });

    it('reports no adjustment group when nothing changed', async () => {
      const { adminClient } = client([ok({ inventorySetQuantities: { inventoryAdjustmentGroup: null, userErrors: [] } })]);
      await expect(settle(adminClient.setInventoryQuantities(setInput))).resolves.toEqual({ adjustmentGroupId: null });
    });

    it('surfaces a failed compare-and-set as a stale-quantity user error, without retrying', async () => {
      const { adminClient, requests } = client([ok(userErrors('CHANGE_FROM_QUANTITY_STALE'))]);
      const error = await failureOf(adminClient.setInventoryQuantities(setInput));
      expect(error.kind).toBe('user_errors');
      expect(error.isStaleQuantity).toBe(true);
      expect(error.retryable).toBe(false);
      expect(error.userErrors).toEqual([
        { code: 'CHANGE_FROM_QUANTITY_STALE', field: ['input', 'quantities', '0'], message: 'CHANGE_FROM_QUANTITY_STALE' },
      ]);
      expect(requests).toHaveLength(1);
    });

    it('does not retry other user errors', async () => {
      const { adminClient, requests } = client([ok(userErrors('ITEM_NOT_STOCKED_AT_LOCATION'))]);
      const error = await failureOf(adminClient.setInventoryQuantities(setInput));
      expect(error.kind).toBe('user_errors');
      expect(error.isStaleQuantity).toBe(false);
      expect(requests).toHaveLength(1);
    });

    it('retries IDEMPOTENCY_CONCURRENT_REQUEST with the same key', async () => {
      const { adminClient, requests } = client([ok(userErrors('IDEMPOTENCY_CONCURRENT_REQUEST')), ok(applied)]);
      const result = await settle(adminClient.setInventoryQuantities(setInput));
      expect(result.adjustmentGroupId).toBe('gid://shopify/InventoryAdjustmentGroup/99');
      expect(requests).toHaveLength(2);
      expect(requests[1].body.query).toBe(requests[0].body.query);
    });

    it('retries a dropped connection with the same key', async () => {
      const dropped = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
      const { adminClient, requests, calls } = client([dropped, ok(applied)]);
      await settle(adminClient.setInventoryQuantities(setInput));
      expect(calls.map(([, outcome]) => outcome)).toEqual(['network_error', 'ok']);
      expect(requests).toHaveLength(2);
      expect(requests[1].body).toEqual(requests[0].body);
    });

    it('runs the guard before every attempt, retries included, and sends nothing once it throws', async () => {
      const { adminClient, requests } = client([{ status: 503, body: '' }, ok(applied)]);
      let checks = 0;
      await settle(adminClient.setInventoryQuantities(setInput, { beforeAttempt: async () => void (checks += 1) }));
      expect(checks).toBe(2);
      expect(requests).toHaveLength(2);

      const lost = new Error('lease lost');
      const guarded = client([{ status: 503, body: '' }, ok(applied)]);
      let attempts = 0;
      const failure = settle(
        guarded.adminClient.setInventoryQuantities(setInput, {
          beforeAttempt: async () => {
            attempts += 1;
            if (attempts === 2) throw lost;
          },
        }),
      );
      await expect(failure).rejects.toBe(lost);
      expect(guarded.requests).toHaveLength(1);
    });

    it('rejects an empty key or an oversized batch before calling Shopify', async () => {
      const { adminClient, requests } = client([]);
      await expect(adminClient.setInventoryQuantities({ ...setInput, idempotencyKey: ' ' })).rejects.toThrow(RangeError);
      const tooMany = Array.from({ length: 251 }, () => setInput.quantities[0]);
      await expect(adminClient.setInventoryQuantities({ ...setInput, quantities: tooMany })).rejects.toThrow(RangeError);
      await expect(adminClient.setInventoryQuantities({ ...setInput, quantities: [] })).rejects.toThrow(RangeError);
      expect(requests).toHaveLength(0);
    });
  });

  describe('throttling', () => {
    it('feeds every response cost back into the shop bucket', async () => {
      const { adminClient, throttle } = client([ok(applied, 1234)]);
      await settle(adminClient.setInventoryQuantities(setInput));
      expect(throttle.available()).toBe(1234);
    });

    it('after THROTTLED waits for the bucket to restore the requested cost, then retries', async () => {
      const throttledBody = {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: { cost: cost(0, 50, null) },
      };
      const { adminClient, requests } = client([{ body: throttledBody }, ok(applied)]);
      const pending = adminClient.setInventoryQuantities(setInput);
      // 50 points at 100 points/s: 500 ms, and no request before that.
      await vi.advanceTimersByTimeAsync(499);
      expect(requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(requests).toHaveLength(2);
      await expect(pending).resolves.toMatchObject({ adjustmentGroupId: 'gid://shopify/InventoryAdjustmentGroup/99' });
    });

    it('reports every attempt and the wait for the bucket to the observer', async () => {
      const throttledBody = {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
        extensions: { cost: cost(0, 50, null) },
      };
      const { adminClient, calls, throttleWaits } = client([{ body: throttledBody }, ok(userErrors('ITEM_NOT_STOCKED_AT_LOCATION'))]);
      await failureOf(adminClient.setInventoryQuantities(setInput));
      expect(calls).toEqual([
        ['InventorySetQuantities', 'throttled'],
        ['InventorySetQuantities', 'user_errors'],
      ]);
      expect(throttleWaits).toEqual([['InventorySetQuantities', 0.5]]);
    });

    it('honours Retry-After on an HTTP 429 without cost information', async () => {
      const { adminClient, requests } = client([
        { status: 429, body: { errors: 'Exceeded 2 calls per second for api client.' }, headers: { 'retry-after': '2.0' } },
        ok(applied),
      ]);
      const pending = adminClient.setInventoryQuantities(setInput);
      await vi.advanceTimersByTimeAsync(1_999);
      expect(requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(requests).toHaveLength(2);
      await expect(pending).resolves.toMatchObject({ adjustmentGroupId: 'gid://shopify/InventoryAdjustmentGroup/99' });
    });

    it('gives up with a throttled error when THROTTLED persists beyond the retries', async () => {
      const throttledBody = {
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
        extensions: { cost: cost(0, 50, null) },
      };
      const { adminClient, requests } = client([{ body: throttledBody }, { body: throttledBody }, { body: throttledBody }]);
      const error = await failureOf(adminClient.setInventoryQuantities(setInput));
      expect(error.kind).toBe('throttled');
      expect(error.retryable).toBe(true);
      expect(requests).toHaveLength(3);
    });
  });

  describe('errors', () => {
    it('types a 401 as unauthorized and does not retry', async () => {
      const { adminClient, requests } = client([
        { status: 401, body: { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } },
      ]);
      const error = await failureOf(adminClient.getInventoryLevels([level1]));
      expect(error.kind).toBe('unauthorized');
      expect(error.status).toBe(401);
      expect(error.message).toContain('Invalid API key');
      expect(requests).toHaveLength(1);
    });

    it('types ACCESS_DENIED as unauthorized', async () => {
      const { adminClient } = client([
        { body: { errors: [{ message: 'Access denied for inventoryItem field.', extensions: { code: 'ACCESS_DENIED' } }] } },
      ]);
      const error = await failureOf(adminClient.getInventoryLevels([level1]));
      expect(error.kind).toBe('unauthorized');
      expect(error.graphqlErrors).toEqual([{ message: 'Access denied for inventoryItem field.', code: 'ACCESS_DENIED' }]);
    });

    it('retries 5xx responses and succeeds', async () => {
      const level = {
        level0: { id: 'gid://shopify/InventoryItem/1', inventoryLevel: { quantities: [{ name: 'available', quantity: 4 }] } },
      };
      const { adminClient, requests } = client([{ status: 502, body: '<html>Bad Gateway</html>' }, { status: 503, body: '' }, ok(level)]);
      const levels = await settle(adminClient.getInventoryLevels([level1]));
      expect(levels.get(inventoryLevelRefKey(level1))?.quantities).toEqual({ available: 4 });
      expect(requests).toHaveLength(3);
    });

    it('types persistent 5xx as server_error', async () => {
      const { adminClient } = client([
        { status: 500, body: '' },
        { status: 500, body: '' },
        { status: 500, body: 'still down' },
      ]);
      const error = await failureOf(adminClient.getInventoryLevels([level1]));
      expect(error.kind).toBe('server_error');
      expect(error.status).toBe(500);
    });

    it('retries INTERNAL_SERVER_ERROR reported in a 200 body', async () => {
      const internal = {
        errors: [
          {
            message: 'Internal error. Looks like something went wrong on our end.',
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'r-1' },
          },
        ],
      };
      const { adminClient, requests } = client([{ body: internal }, ok(applied)]);
      await settle(adminClient.setInventoryQuantities(setInput));
      expect(requests).toHaveLength(2);
    });

    it('retries a malformed JSON body and types it when it persists', async () => {
      const { adminClient, requests } = client([{ body: '{"data": {"inventor' }, { body: 'not json' }, { body: '<html>' }]);
      const error = await failureOf(adminClient.setInventoryQuantities(setInput));
      expect(error.kind).toBe('malformed_response');
      expect(requests).toHaveLength(3);
    });

    it('does not retry GraphQL errors in the query itself', async () => {
      const { adminClient, requests } = client([
        { body: { errors: [{ message: "Field 'bogus' doesn't exist on type 'QueryRoot'", extensions: { code: 'undefinedField' } }] } },
      ]);
      const error = await failureOf(adminClient.getInventoryLevels([level1]));
      expect(error.kind).toBe('graphql_errors');
      expect(error.retryable).toBe(false);
      expect(requests).toHaveLength(1);
    });

    it('types other HTTP errors as http_error without retrying', async () => {
      const { adminClient, requests } = client([{ status: 404, body: { errors: 'Not Found' } }]);
      const error = await failureOf(adminClient.getInventoryLevels([level1]));
      expect(error.kind).toBe('http_error');
      expect(error.status).toBe(404);
      expect(requests).toHaveLength(1);
    });

    it('rejects a success body of the wrong shape', async () => {
      const { adminClient } = client([ok({ inventorySetQuantities: { inventoryAdjustmentGroup: { id: 7 }, userErrors: [] } })]);
      const error = await failureOf(adminClient.setInventoryQuantities(setInput));
      expect(error.kind).toBe('malformed_response');
    });
  });

  describe('getInventoryLevels', () => {
    const level2 = { inventoryItemId: 'gid://shopify/InventoryItem/2', locationId: 'gid://shopify/Location/1' };
    const quantities = (available: number, onHand: number) => ({
      quantities: [
        { name: 'available', quantity: available },
        { name: 'on_hand', quantity: onHand },
      ],
    });

    it('reads several levels in one request, one aliased field each', async () => {
      const { adminClient, requests } = client([
        ok({
          level0: { id: level1.inventoryItemId, inventoryLevel: quantities(7, 9) },
          level1: { id: level2.inventoryItemId, inventoryLevel: quantities(0, 2) },
        }),
      ]);
      const levels = await settle(adminClient.getInventoryLevels([level1, level2, level1]));

      expect(requests).toHaveLength(1);
      expect(requests[0].body.operationName).toBe('InventoryLevels');
      expect(requests[0].body.query).toContain('level1: inventoryItem(id: $item1)');
      expect(requests[0].body.variables).toEqual({
        names: ['available', 'on_hand'],
        item0: level1.inventoryItemId,
        location0: level1.locationId,
        item1: level2.inventoryItemId,
        location1: level2.locationId,
      });
      expect(levels.get(inventoryLevelRefKey(level1))).toEqual({ ...level1, quantities: { available: 7, on_hand: 9 } });
      expect(levels.get(inventoryLevelRefKey(level2))).toEqual({ ...level2, quantities: { available: 0, on_hand: 2 } });
    });

    it('reports an unknown item, or one not stocked at the location, as undefined', async () => {
      const { adminClient } = client([ok({ level0: null, level1: { id: level2.inventoryItemId, inventoryLevel: null } })]);
      const levels = await settle(adminClient.getInventoryLevels([level1, level2]));
      expect([...levels.entries()]).toEqual([
        [inventoryLevelRefKey(level1), undefined],
        [inventoryLevelRefKey(level2), undefined],
      ]);
    });

    it('splits many levels into requests of 50', async () => {
      const many = Array.from({ length: 60 }, (_, index) => ({
        inventoryItemId: `gid://shopify/InventoryItem/${index + 1}`,
        locationId: 'gid://shopify/Location/1',
      }));
      const { adminClient, requests } = client([ok({}), ok({})]);
      const levels = await settle(adminClient.getInventoryLevels(many));
      expect(requests.map((request) => Object.keys(request.body.variables).length)).toEqual([1 + 50 * 2, 1 + 10 * 2]);
      expect(levels.size).toBe(60);
    });
  });

  describe('findVariantsBySkus', () => {
    const variant = (n: number, sku: string) => ({
      id: `gid://shopify/ProductVariant/${n}`,
      sku,
      inventoryItem: { id: `gid://shopify/InventoryItem/${n}` },
    });
    const page = (nodes: unknown[], endCursor: string | null) =>
      ok({ productVariants: { nodes, pageInfo: { hasNextPage: endCursor !== null, endCursor } } });

    it('follows cursors through every page and keeps exact SKU matches only', async () => {
      const { adminClient, requests } = client([
        page([variant(1, 'ABC-1'), variant(2, 'ABC-10')], 'cursor-1'),
        page([variant(3, 'XYZ 2'), variant(4, 'ABC-1')], null),
      ]);
      const found = await settle(adminClient.findVariantsBySkus(['ABC-1', 'XYZ 2', 'MISSING', 'ABC-1']));

      expect(requests).toHaveLength(2);
      expect(requests[0].body.variables).toEqual({ query: 'sku:"ABC-1" OR sku:"XYZ 2" OR sku:"MISSING"', first: 100, after: null });
      expect(requests[1].body.variables).toMatchObject({ after: 'cursor-1' });
      expect([...found.keys()]).toEqual(['ABC-1', 'XYZ 2', 'MISSING']);
      expect(found.get('ABC-1')?.map((ref) => ref.variantId)).toEqual(['gid://shopify/ProductVariant/1', 'gid://shopify/ProductVariant/4']);
      expect(found.get('XYZ 2')).toEqual([
        {
          variantId: 'gid://shopify/ProductVariant/3',
          sku: 'XYZ 2',
          inventoryItemId: 'gid://shopify/InventoryItem/3',
        },
      ]);
      expect(found.get('MISSING')).toEqual([]);
    });

    it('quotes SKUs so that quotes and search keywords inside them stay literal', async () => {
      const { adminClient, requests } = client([page([], null)]);
      await settle(adminClient.findVariantsBySkus(['A "B" OR C']));
      expect(requests[0].body.variables.query).toBe('sku:"A \\"B\\" OR C"');
    });

    it('splits many SKUs into several searches', async () => {
      const skus = Array.from({ length: 60 }, (_, index) => `SKU-${index}`);
      const { adminClient, requests } = client([page([variant(1, 'SKU-0')], null), page([variant(2, 'SKU-59')], null)]);
      const found = await settle(adminClient.findVariantsBySkus(skus));
      expect(requests).toHaveLength(2);
      expect(String(requests[0].body.variables.query).split(' OR ')).toHaveLength(50);
      expect(String(requests[1].body.variables.query).split(' OR ')).toHaveLength(10);
      expect(found.get('SKU-0')).toHaveLength(1);
      expect(found.get('SKU-59')).toHaveLength(1);
    });

    it('makes no request for no SKUs', async () => {
      const { adminClient, requests } = client([]);
      await expect(settle(adminClient.findVariantsBySkus([]))).resolves.toEqual(new Map());
      expect(requests).toHaveLength(0);
    });
  });
});
