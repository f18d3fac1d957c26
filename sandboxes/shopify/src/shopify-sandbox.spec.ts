import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { startShopifySandbox, type ShopifySandbox } from './shopify-sandbox.js';

let clock = Date.parse('2026-11-27T10:00:00Z');
let sandbox: ShopifySandbox;
let admin: sandboxKit.SandboxAdminClient;
let catalog: {
  locations: Array<{ id: string; name: string }>;
  variants: Array<{ sku: string; variantId: string; inventoryItemId: string }>;
};

const B2C = 'shpat_b2c_token';
const B2B = 'shpat_b2b_token';

// The tests read arbitrary response shapes; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

interface GraphqlResult {
  status: number;
  headers: Headers;
  body: {
    data: Record<string, AnyJson>;
    errors?: Array<{ message: string; locations?: unknown; extensions?: Record<string, unknown> }>;
    extensions?: { cost: { requestedQueryCost: number; actualQueryCost: number | null; throttleStatus: Record<string, number> } };
  };
}

async function gql(
  query: string,
  variables?: Record<string, unknown>,
  options: { token?: string | null; version?: string } = {},
): Promise<GraphqlResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = options.token === undefined ? B2C : options.token;
  if (token !== null) headers['x-shopify-access-token'] = token;
  const response = await fetch(`${sandbox.url}/admin/api/${options.version ?? '2026-01'}/graphql.json`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphqlResult['body'] };
}

const item = (sku: string) => catalog.variants.find((variant) => variant.sku === sku)?.inventoryItemId as string;
const location = (name: string) => catalog.locations.find((candidate) => candidate.name === name)?.id as string;

const SET_QUANTITIES = `
  mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
    inventorySetQuantities(input: $input) @idempotent(key: $key) {
      inventoryAdjustmentGroup { id createdAt reason referenceDocumentUri changes { name delta quantityAfterChange item { id } location { id } } }
      userErrors { code field message }
    }
  }`;

const SET_QUANTITIES_LEGACY = `
  mutation Set($input: InventorySetQuantitiesInput!) {
    inventorySetQuantities(input: $input) {
      inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
      userErrors { code field message }
    }
  }`;

function setInput(quantities: Array<Record<string, unknown>>, overrides: Record<string, unknown> = {}) {
  return {
    name: 'available',
    reason: 'correction',
    referenceDocumentUri: 'gid://retail-mesh/AvailabilityPush/1',
    quantities,
    ...overrides,
  };
}

async function levels(sku: string, shop = 'b2c-eu') {
  return await admin.call<{ levels: Array<Record<string, AnyJson>>; counters: Record<string, number> }>(
    'GET',
    `/_sandbox/inventory-levels?shop=${shop}&sku=${sku}`,
  );
}

beforeAll(async () => {
  sandbox = await startShopifySandbox({ port: 0, now: () => clock });
  admin = new sandboxKit.SandboxAdminClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await admin.reset();
  await admin.call('POST', '/_sandbox/shops', { shop: 'b2c-eu', accessToken: B2C });
  await admin.call('POST', '/_sandbox/shops', { shop: 'b2b-us', accessToken: B2B, plan: 'plus' });
  catalog = await admin.call('POST', '/_sandbox/products', {
    shop: 'b2c-eu',
    locations: [{ name: 'EU Warehouse' }, { name: 'Store Berlin' }],
    variants: [
      {
        sku: 'TSHIRT-RED-M',
        levels: [
          { locationName: 'EU Warehouse', available: 5 },
          { locationName: 'Store Berlin', available: 2, onHand: 3 },
        ],
      },
      { sku: 'TSHIRT-RED-L', levels: [{ locationName: 'EU Warehouse', available: 1 }] },
      { sku: 'MUG-BLUE' },
    ],
  });
});

describe('authentication and versions', () => {
  it('answers 401 with Shopify’s body without a valid access token', async () => {
    for (const token of [null, 'shpat_unknown']) {
      const result = await gql('{ shop { name } }', undefined, { token });
      expect(result.status).toBe(401);
      expect(result.body).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
  });

  it('resolves the shop from the token: each shop sees only its own data', async () => {
    const b2c = await gql('{ shop { name myshopifyDomain } productVariants(first: 5) { nodes { sku } } }');
    expect(b2c.body.data).toEqual({
      shop: { name: 'b2c-eu', myshopifyDomain: 'b2c-eu.myshopify.com' },
      productVariants: { nodes: [{ sku: 'TSHIRT-RED-M' }, { sku: 'TSHIRT-RED-L' }, { sku: 'MUG-BLUE' }] },
    });
    const b2b = await gql('query($id: ID!) { shop { name } inventoryItem(id: $id) { id } }', { id: item('TSHIRT-RED-M') }, { token: B2B });
    expect(b2b.body.data).toEqual({ shop: { name: 'b2b-us' }, inventoryItem: null });
  });

  it('answers 404 for an unsupported API version', async () => {
    const result = await gql('{ shop { name } }', undefined, { version: '2019-04' });
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ errors: 'Not Found' });
  });

  it('rejects invalid queries with GraphQL errors and locations', async () => {
    const unknownField = await gql('{ shop { bogusField } }');
    expect(unknownField.status).toBe(200);
    expect(unknownField.body.errors).toEqual([
      { message: 'Cannot query field "bogusField" on type "Shop".', locations: [{ line: 1, column: 10 }] },
    ]);
    const syntax = await gql('{ shop { name }');
    expect(syntax.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('Syntax Error'),
      locations: [{ line: 1, column: 16 }],
    });
    const noQuery = await fetch(`${sandbox.url}/admin/api/2026-01/graphql.json`, {
      method: 'POST',
      headers: { 'x-shopify-access-token': B2C },
      body: '{}',
    });
    expect(noQuery.status).toBe(400);
  });
});

describe('read-back queries', () => {
  it('finds a variant by SKU and reads its levels per location', async () => {
    const found = await gql('{ productVariants(first: 1, query: "sku:TSHIRT-RED-M") { edges { node { id sku inventoryItem { id } } } } }');
    const [edge] = found.body.data.productVariants.edges;
    expect(edge.node).toEqual({ id: catalog.variants[0].variantId, sku: 'TSHIRT-RED-M', inventoryItem: { id: item('TSHIRT-RED-M') } });

    const level = await gql(
      `query($item: ID!, $location: ID!) {
        inventoryItem(id: $item) { id sku inventoryLevel(locationId: $location) { quantities(names: ["available", "on_hand"]) { name quantity } } }
      }`,
      { item: item('TSHIRT-RED-M'), location: location('Store Berlin') },
    );
    expect(level.body.data?.inventoryItem).toEqual({
      id: item('TSHIRT-RED-M'),
      sku: 'TSHIRT-RED-M',
      inventoryLevel: {
        quantities: [
          { name: 'available', quantity: 2 },
          { name: 'on_hand', quantity: 3 },
        ],
      },
    });
    const locations = await gql('{ locations(first: 10) { nodes { id name isActive } } }');
    expect(locations.body.data?.locations.nodes).toEqual(catalog.locations.map(({ id, name }) => ({ id, name, isActive: true })));
  });

  it('pages through a connection with cursors and pageInfo', async () => {
    await admin.call('POST', '/_sandbox/products', { shop: 'b2c-eu', variants: [{ sku: 'SOCK-1' }, { sku: 'SOCK-2' }] });
    const query =
      'query($after: String) { productVariants(first: 2, after: $after) { edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage endCursor } } }';
    const skus: string[] = [];
    let after: string | null = null;
    const pages: boolean[] = [];
    for (;;) {
      const page: GraphqlResult = await gql(query, { after });
      const { edges, pageInfo } = page.body.data.productVariants;
      skus.push(...edges.map((edge: { node: { sku: string } }) => edge.node.sku));
      expect(pageInfo.endCursor).toBe(edges.at(-1).cursor);
      pages.push(pageInfo.hasPreviousPage);
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(skus).toEqual(['TSHIRT-RED-M', 'TSHIRT-RED-L', 'MUG-BLUE', 'SOCK-1', 'SOCK-2']);
    expect(pages).toEqual([false, true, true]);
    const noPageSize = await gql('{ productVariants { nodes { sku } } }');
    expect(noPageSize.body.errors?.[0].message).toBe('you must provide one of first or last');
  });
});

describe('inventorySetQuantities', () => {
  it('sets the quantity, returns the adjustment group and records the change', async () => {
    const result = await gql(SET_QUANTITIES, {
      key: 'push-1',
      input: setInput([
        { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 12, changeFromQuantity: 5 },
      ]),
    });
    const payload = result.body.data?.inventorySetQuantities;
    expect(payload.userErrors).toEqual([]);
    expect(payload.inventoryAdjustmentGroup).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/InventoryAdjustmentGroup\/\d+$/),
      createdAt: '2026-11-27T10:00:00Z',
      reason: 'correction',
      referenceDocumentUri: 'gid://retail-mesh/AvailabilityPush/1',
      changes: [
        {
          name: 'available',
          delta: 7,
          quantityAfterChange: 12,
          item: { id: item('TSHIRT-RED-M') },
          location: { id: location('EU Warehouse') },
        },
        {
          name: 'on_hand',
          delta: 7,
          quantityAfterChange: 12,
          item: { id: item('TSHIRT-RED-M') },
          location: { id: location('EU Warehouse') },
        },
      ],
    });
    const {
      levels: [level],
    } = await levels('TSHIRT-RED-M');
    expect(level).toMatchObject({ locationName: 'EU Warehouse', available: 12, onHand: 12, appliedMutations: 1 });
    expect(level.history).toEqual([
      expect.objectContaining({
        name: 'available',
        delta: 7,
        quantityAfterChange: 12,
        idempotencyKey: 'push-1',
        adjustmentGroupId: payload.inventoryAdjustmentGroup.id,
      }),
      expect.objectContaining({ name: 'on_hand', delta: 7, quantityAfterChange: 12 }),
    ]);
  });

  it('refuses a stale changeFromQuantity with CHANGE_FROM_QUANTITY_STALE and changes nothing (null skips the check)', async () => {
    const target = { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 9 };
    const stale = await gql(SET_QUANTITIES, { key: 'k-stale', input: setInput([{ ...target, changeFromQuantity: 4 }]) });
    expect(stale.body.data?.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [
        {
          code: 'CHANGE_FROM_QUANTITY_STALE',
          field: ['input', 'quantities', '0', 'changeFromQuantity'],
          message: 'The changeFromQuantity value does not match persisted value.',
        },
      ],
    });
    expect((await levels('TSHIRT-RED-M')).levels[0]).toMatchObject({ available: 5, appliedMutations: 0 });
    const unchecked = await gql(SET_QUANTITIES, { key: 'k-null', input: setInput([{ ...target, changeFromQuantity: null }]) });
    expect(unchecked.body.data?.inventorySetQuantities.userErrors).toEqual([]);
    expect((await levels('TSHIRT-RED-M')).levels[0]).toMatchObject({ available: 9 });
  });

  it('uses compareQuantity / ignoreCompareQuantity before 2026-01, where changeFromQuantity and @idempotent do not exist', async () => {
    const target = { inventoryItemId: item('TSHIRT-RED-L'), locationId: location('EU Warehouse'), quantity: 3 };
    const run = (input: unknown) => gql(SET_QUANTITIES_LEGACY, { input }, { version: '2025-10' });
    expect((await run(setInput([{ ...target, compareQuantity: 0 }]))).body.data?.inventorySetQuantities.userErrors).toEqual([
      {
        code: 'COMPARE_QUANTITY_STALE',
        field: ['input', 'quantities', '0', 'compareQuantity'],
        message: 'The compareQuantity value does not match persisted value.',
      },
    ]);
    expect((await run(setInput([target]))).body.data?.inventorySetQuantities.userErrors[0].code).toBe('COMPARE_QUANTITY_REQUIRED');
    expect((await run(setInput([{ ...target, compareQuantity: 1 }]))).body.data?.inventorySetQuantities.userErrors).toEqual([]);
    expect(
      (await run(setInput([{ ...target, quantity: 4 }], { ignoreCompareQuantity: true }))).body.data?.inventorySetQuantities.userErrors,
    ).toEqual([]);
    expect((await levels('TSHIRT-RED-L')).levels[0]).toMatchObject({ available: 4, appliedMutations: 2 });

    const newField = await run(setInput([{ ...target, changeFromQuantity: 4 }]));
    expect(newField.body.errors?.[0].message).toContain('changeFromQuantity');
    const directive = await gql(
      SET_QUANTITIES,
      { key: 'k', input: setInput([target], { ignoreCompareQuantity: true }) },
      { version: '2025-10' },
    );
    expect(directive.body.errors).toEqual([{ message: 'Unknown directive "@idempotent".', locations: [expect.any(Object)] }]);
  });

  it('from 2026-04 requires @idempotent and an explicit changeFromQuantity', async () => {
    const target = { inventoryItemId: item('TSHIRT-RED-L'), locationId: location('EU Warehouse'), quantity: 3 };
    const withoutKey = await gql(
      SET_QUANTITIES_LEGACY,
      { input: setInput([{ ...target, changeFromQuantity: 1 }]) },
      { version: '2026-04' },
    );
    expect(withoutKey.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('@idempotent directive is required'),
      path: ['inventorySetQuantities'],
    });
    const withoutCompare = await gql(SET_QUANTITIES, { key: 'k-2604', input: setInput([target]) }, { version: '2026-04' });
    expect(withoutCompare.body.data?.inventorySetQuantities.userErrors[0]).toMatchObject({
      field: ['input', 'quantities', '0', 'changeFromQuantity'],
    });
    expect((await levels('TSHIRT-RED-L')).levels[0]).toMatchObject({ available: 1, appliedMutations: 0 });
  });

  it('replays the same idempotency key without a second effect, and refuses the key with other parameters', async () => {
    const variables = {
      key: '4f5b6ebf-143c-4da5-8d0f-fb8553bfd85d',
      input: setInput([
        { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 8, changeFromQuantity: 5 },
      ]),
    };
    const first = await gql(SET_QUANTITIES, variables);
    clock += 1_000;
    const replay = await gql(SET_QUANTITIES, variables);
    expect(replay.body.data).toEqual(first.body.data);
    const after = await levels('TSHIRT-RED-M');
    expect(after.levels[0]).toMatchObject({ available: 8, appliedMutations: 1 });
    expect(after.counters).toMatchObject({ mutationsApplied: 1, idempotentReplays: 1 });

    const other = await gql(SET_QUANTITIES, { ...variables, input: setInput([{ ...variables.input.quantities[0], quantity: 99 }]) });
    expect(other.body.data?.inventorySetQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [
        {
          code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
          field: null,
          message: 'The same idempotency key cannot be used with different operation parameters.',
        },
      ],
    });
  });

  it('validates names, reasons, items and stocking, all or nothing', async () => {
    const good = { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 1, changeFromQuantity: null };
    const codes = async (input: unknown, key: string) =>
      ((await gql(SET_QUANTITIES, { key, input })).body.data?.inventorySetQuantities.userErrors as Array<{ code: string }>).map(
        (error) => error.code,
      );
    expect(await codes(setInput([good], { name: 'committed' }), 'v1')).toEqual(['INVALID_NAME']);
    expect(await codes(setInput([good], { reason: 'because' }), 'v2')).toEqual(['INVALID_REASON']);
    expect(await codes(setInput([good, { ...good, inventoryItemId: 'gid://shopify/InventoryItem/1' }]), 'v3')).toEqual([
      'INVALID_INVENTORY_ITEM',
    ]);
    expect(await codes(setInput([{ ...good, inventoryItemId: item('TSHIRT-RED-L'), locationId: location('Store Berlin') }]), 'v4')).toEqual(
      ['ITEM_NOT_STOCKED_AT_LOCATION'],
    );
    expect(await codes(setInput([good, good]), 'v5')).toEqual(['NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR']);
    expect((await levels('TSHIRT-RED-M')).levels[0]).toMatchObject({ available: 5, appliedMutations: 0 });
  });
});

describe('cost and throttling', () => {
  it('reports the requested and actual cost and the bucket in extensions.cost', async () => {
    const query = await gql('{ productVariants(first: 10) { edges { node { id sku inventoryItem { id } } } } }');
    // 2 + 10 × (1 node + 1 inventoryItem) requested; 3 variants exist: 2 + 3 × 2 actual.
    expect(query.body.extensions).toEqual({
      cost: {
        requestedQueryCost: 22,
        actualQueryCost: 8,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1992, restoreRate: 100 },
      },
    });
    const mutation = await gql(SET_QUANTITIES, {
      key: 'cost-1',
      input: setInput([
        { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 6, changeFromQuantity: 5 },
      ]),
    });
    expect(mutation.body.extensions?.cost).toMatchObject({
      requestedQueryCost: 10,
      actualQueryCost: 10,
      throttleStatus: { currentlyAvailable: 1982 },
    });
    clock += 1_000;
    const refilled = await gql('{ shop { name } }');
    expect(refilled.body.extensions?.cost).toMatchObject({
      requestedQueryCost: 1,
      actualQueryCost: 1,
      throttleStatus: { currentlyAvailable: 2000 - 1 },
    });
  });

  it('answers THROTTLED (HTTP 200 by default) when the bucket cannot pay, then recovers as it refills', async () => {
    await admin.call('POST', '/_sandbox/shops', {
      shop: 'b2c-eu',
      accessToken: B2C,
      maximumAvailable: 50,
      restoreRate: 1,
      currentlyAvailable: 5,
    });
    const variables = {
      key: 'thr-1',
      input: setInput([
        { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 6, changeFromQuantity: 5 },
      ]),
    };
    const throttled = await gql(SET_QUANTITIES, variables);
    expect(throttled.status).toBe(200);
    expect(throttled.body).toEqual({
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
      extensions: {
        cost: {
          requestedQueryCost: 10,
          actualQueryCost: null,
          throttleStatus: { maximumAvailable: 50, currentlyAvailable: 5, restoreRate: 1 },
        },
      },
    });
    expect((await levels('TSHIRT-RED-M')).levels[0].available).toBe(5);
    clock += 5_000;
    expect((await gql(SET_QUANTITIES, variables)).body.data?.inventorySetQuantities.userErrors).toEqual([]);
    const [shop] = ((await admin.call('GET', '/_sandbox/shops')) as { shops: Array<{ counters: Record<string, number> }> }).shops;
    expect(shop.counters).toMatchObject({ graphqlCalls: 2, throttledCalls: 1, mutationsApplied: 1 });
  });

  it('can answer a throttle with 429 and Retry-After', async () => {
    await admin.call('POST', '/_sandbox/shops', {
      shop: 'b2c-eu',
      accessToken: B2C,
      restoreRate: 2,
      currentlyAvailable: 0,
      throttleStatusCode: 429,
    });
    const throttled = await gql('{ productVariants(first: 3) { nodes { id } } }');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(throttled.body.errors?.[0].extensions?.code).toBe('THROTTLED');
  });

  it('refuses a query above the single-query limit with MAX_COST_EXCEEDED', async () => {
    const result = await gql('{ productVariants(first: 250) { nodes { inventoryItem { inventoryLevels(first: 10) { nodes { id } } } } } }');
    expect(result.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('exceeds the single query max cost limit (1000)'),
      extensions: { code: 'MAX_COST_EXCEEDED', maxCost: 1000 },
    });
  });
});

describe('faults and request log', () => {
  it('a 429 storm scoped to the mutation answers THROTTLED with Retry-After; queries pass', async () => {
    await admin.setFaults({ type: 'rateLimit', operation: 'inventorySetQuantities', count: 1, retryAfterSeconds: 2 });
    expect((await gql('{ shop { name } }')).status).toBe(200);
    const storm = await gql(SET_QUANTITIES, {
      key: 'f-1',
      input: setInput([
        { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 6, changeFromQuantity: 5 },
      ]),
    });
    expect(storm.status).toBe(429);
    expect(storm.headers.get('retry-after')).toBe('2');
    expect(storm.body).toMatchObject({
      errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
      extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null } },
    });
  });

  it('5xx, malformed bodies, and a dropped connection after the effect that an idempotent retry repairs', async () => {
    await admin.setFaults([
      { type: 'serverError', status: 503, count: 1 },
      { type: 'malformed', skip: 1, count: 1 },
    ]);
    const unavailable = await gql('{ shop { name } }');
    expect(unavailable).toMatchObject({ status: 503, body: { errors: 'Service Unavailable' } });
    await expect(gql('{ shop { name } }')).rejects.toThrow(SyntaxError);

    const variables = {
      key: 'drop-1',
      input: setInput([
        { inventoryItemId: item('TSHIRT-RED-M'), locationId: location('EU Warehouse'), quantity: 7, changeFromQuantity: 5 },
      ]),
    };
    await admin.setFaults({ type: 'drop', operation: 'inventorySetQuantities', afterEffect: true, count: 1 });
    await expect(gql(SET_QUANTITIES, variables)).rejects.toThrow();
    const retry = await gql(SET_QUANTITIES, variables);
    expect(retry.body.data?.inventorySetQuantities.userErrors).toEqual([]);
    expect((await levels('TSHIRT-RED-M')).levels[0]).toMatchObject({ available: 7, appliedMutations: 1 });
  });

  it('logs the GraphQL requests it received with the access token header', async () => {
    await gql('{ shop { name } }');
    const [logged] = await admin.requests({ path: '/admin/api/' });
    expect(logged).toMatchObject({
      method: 'POST',
      path: '/admin/api/2026-01/graphql.json',
      status: 200,
      headers: { 'x-shopify-access-token': B2C },
      body: { query: '{ shop { name } }' },
    });
  });
});
