import * as sandboxKit from '@retail-mesh/sandbox-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startShopifySandbox, type ShopifySandbox } from '../shopify-sandbox.js';

const SHOP = 'metafields';
const TOKEN = 'shpat_metafields';
const START = Date.parse('2026-11-27T10:00:00Z');

// The tests read arbitrary response shapes; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

let clock = START;
let sandbox: ShopifySandbox;
let admin: sandboxKit.SandboxAdminClient;

async function gql(query: string, variables?: Record<string, unknown>): Promise<AnyJson> {
  const response = await fetch(`${sandbox.url}/admin/api/2026-04/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': TOKEN },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const METAFIELDS_SET = `
mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key namespace value owner { ... on Order { id } } }
    userErrors { field message code elementIndex }
  }
}`;

const READ = `
query Read($id: ID!) {
  order(id: $id) {
    updatedAt
    erp: metafield(namespace: "retail_mesh", key: "erp_order_id") { value type updatedAt compareDigest }
    metafields(first: 10) { nodes { namespace key value } }
  }
}`;

const erpId = (ownerId: string, value: string, extra: Record<string, unknown> = {}) => ({
  ownerId,
  namespace: 'retail_mesh',
  key: 'erp_order_id',
  type: 'single_line_text_field',
  value,
  ...extra,
});

async function createOrders(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { order } = await admin.call<AnyJson>('POST', `/_sandbox/shops/${SHOP}/orders`, {
      currency: 'EUR',
      lineItems: [{ sku: 'MUG', quantity: 1, price: '9.50' }],
    });
    ids.push(order.admin_graphql_api_id);
  }
  return ids;
}

async function mutationsApplied(): Promise<number> {
  // The only shop after the reset.
  const { shops } = await admin.call<AnyJson>('GET', '/_sandbox/shops');
  return shops[0].counters.mutationsApplied;
}

beforeAll(async () => {
  sandbox = await startShopifySandbox({ port: 0, now: () => clock });
  admin = new sandboxKit.SandboxAdminClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  clock = START;
  await admin.reset();
  await admin.call('POST', '/_sandbox/shops', { shop: SHOP, accessToken: TOKEN });
  await admin.call('POST', '/_sandbox/products', { shop: SHOP, locations: [{ name: 'Main' }], variants: [{ sku: 'MUG' }] });
});

describe('metafieldsSet on orders', () => {
  it('sets the metafields of up to 25 orders in one call for one mutation’s cost, answered with each metafield and its owner', async () => {
    const ids = await createOrders(25);
    const answer = await gql(METAFIELDS_SET, { metafields: ids.map((id, index) => erpId(id, `SO-${index}`)) });
    expect(answer.data.metafieldsSet.userErrors).toEqual([]);
    expect(answer.data.metafieldsSet.metafields).toEqual(
      ids.map((id, index) => ({ key: 'erp_order_id', namespace: 'retail_mesh', value: `SO-${index}`, owner: { id } })),
    );
    expect(answer.extensions.cost).toMatchObject({ requestedQueryCost: 10, actualQueryCost: 10 });

    const read = await gql(READ, { id: ids[3] });
    expect(read.data.order.erp).toMatchObject({ value: 'SO-3', type: 'single_line_text_field' });
    expect(read.data.order.metafields.nodes).toEqual([{ namespace: 'retail_mesh', key: 'erp_order_id', value: 'SO-3' }]);
    expect((await admin.call<AnyJson>('GET', `/_sandbox/shops/${SHOP}/orders/${ids[3].split('/').pop()}`)).metafields).toEqual([
      { namespace: 'retail_mesh', key: 'erp_order_id', type: 'single_line_text_field', value: 'SO-3' },
    ]);
  });

  it('changes nothing when the value is set again (not the metafield, not the order); a new value updates it', async () => {
    const [id] = await createOrders(1);
    await gql(METAFIELDS_SET, { metafields: [erpId(id, 'SO-1')] });
    const before = (await gql(READ, { id })).data.order;
    const applied = await mutationsApplied();
    clock += 60_000;

    const again = await gql(METAFIELDS_SET, { metafields: [erpId(id, 'SO-1')] });
    expect(again.data.metafieldsSet).toMatchObject({ metafields: [{ value: 'SO-1', owner: { id } }], userErrors: [] });
    expect((await gql(READ, { id })).data.order).toEqual(before);
    expect(await mutationsApplied()).toBe(applied);

    await gql(METAFIELDS_SET, { metafields: [erpId(id, 'SO-2')] });
    const after = (await gql(READ, { id })).data.order;
    expect(after.erp.value).toBe('SO-2');
    expect(after.erp.updatedAt).not.toBe(before.erp.updatedAt);
    // A metafield is not an order field: the order's updatedAt stays.
    expect(after.updatedAt).toBe(before.updatedAt);
  });

  it('refuses more than 25 metafields, and more than 250 inputs as a request error', async () => {
    const ids = await createOrders(1);
    const tooMany = Array.from({ length: 26 }, () => erpId(ids[0], 'SO-1'));
    expect((await gql(METAFIELDS_SET, { metafields: tooMany })).data.metafieldsSet).toEqual({
      metafields: [],
      userErrors: [
        {
          field: ['metafields'],
          code: 'LESS_THAN_OR_EQUAL_TO',
          message: 'Exceeded the maximum metafields input limit of 25.',
          elementIndex: null,
        },
      ],
    });
    expect((await gql(READ, { id: ids[0] })).data.order.erp).toBeNull();
    const huge = await gql(METAFIELDS_SET, { metafields: Array.from({ length: 251 }, () => erpId(ids[0], 'SO-1')) });
    expect(huge.errors[0].extensions.code).toBe('MAX_INPUT_SIZE_EXCEEDED');
  });

  it('is atomic: an input it refuses is named by its index and nothing of the call is set', async () => {
    const [first, second] = await createOrders(2);
    const answer = await gql(METAFIELDS_SET, {
      metafields: [
        erpId(first, 'SO-1'),
        erpId('gid://shopify/Order/1', 'SO-2'),
        erpId(second, 'SO-3', { key: 'x' }),
        erpId(second, 'two\nlines'),
        erpId(second, ''),
        erpId(second, 'SO-4', { type: undefined }),
        erpId(second, 'SO-5', { type: 'money' }),
        erpId('gid://shopify/Product/1', 'SO-6'),
        erpId(second, 'SO-7', { namespace: 'r m' }),
      ],
    });
    expect(answer.data.metafieldsSet.metafields).toEqual([]);
    expect(answer.data.metafieldsSet.userErrors).toEqual([
      { field: ['metafields', '1', 'ownerId'], code: 'INVALID', message: 'Owner does not exist.', elementIndex: 1 },
      { field: ['metafields', '2', 'key'], code: 'TOO_SHORT', message: 'Key is too short (minimum is 2 characters)', elementIndex: 2 },
      { field: ['metafields', '3', 'value'], code: 'INVALID_VALUE', message: 'Value must be a single line text string.', elementIndex: 3 },
      { field: ['metafields', '4', 'value'], code: 'BLANK', message: "Value can't be blank.", elementIndex: 4 },
      { field: ['metafields', '5', 'type'], code: 'BLANK', message: "Type can't be blank.", elementIndex: 5 },
      {
        field: ['metafields', '6', 'type'],
        code: 'INVALID_TYPE',
        message: "Type 'money' is not supported by the sandbox.",
        elementIndex: 6,
      },
      {
        field: ['metafields', '7', 'ownerId'],
        code: 'DISALLOWED_OWNER_TYPE',
        message: 'The sandbox keeps metafields on orders only.',
        elementIndex: 7,
      },
      {
        field: ['metafields', '8', 'namespace'],
        code: 'INVALID',
        message: 'Namespace contains one or more invalid characters.',
        elementIndex: 8,
      },
    ]);
    expect((await gql(READ, { id: first })).data.order.erp).toBeNull();
    expect(answer.extensions.cost.actualQueryCost).toBe(10);
  });

  it('sets conditionally with compareDigest: null for "not there yet", the current digest for "unchanged since read"', async () => {
    const [id] = await createOrders(1);
    const set = (value: string, compareDigest: string | null) => gql(METAFIELDS_SET, { metafields: [erpId(id, value, { compareDigest })] });
    expect((await set('SO-1', null)).data.metafieldsSet.userErrors).toEqual([]);
    const stale = await set('SO-2', null);
    expect(stale.data.metafieldsSet.userErrors).toEqual([
      {
        field: ['metafields', '0', 'compareDigest'],
        code: 'STALE_OBJECT',
        message: 'The metafield has been modified since it was loaded.',
        elementIndex: 0,
      },
    ]);
    const { compareDigest } = (await gql(READ, { id })).data.order.erp;
    expect((await set('SO-2', compareDigest)).data.metafieldsSet.userErrors).toEqual([]);
    expect((await gql(READ, { id })).data.order.erp.value).toBe('SO-2');
  });
});
