import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { featuresOf } from '../api-versions.js';
import { adminSchema } from './admin-schema.js';
import { actualQueryCost, requestedQueryCost } from './query-cost.js';

const schema = adminSchema(featuresOf('2026-01'));
const cost = (query: string, variables?: Record<string, unknown>) => requestedQueryCost({ schema, document: parse(query), variables });

describe('requestedQueryCost', () => {
  it('charges objects 1 and scalars 0', () => {
    expect(cost('{ shop { id name myshopifyDomain } }')).toBe(1);
    expect(cost('{ inventoryItem(id: "gid://shopify/InventoryItem/1") { id sku variant { id } } }')).toBe(2);
  });

  it('charges connections 2 + pageSize × node cost, through edges or nodes, variables and fragments', () => {
    expect(cost('{ locations(first: 5) { nodes { id } pageInfo { hasNextPage } } }')).toBe(2 + 5);
    expect(
      cost(
        'query($n: Int) { productVariants(first: $n) { edges { cursor node { ...V } } } } fragment V on ProductVariant { id inventoryItem { id } }',
        { n: 10 },
      ),
    ).toBe(2 + 10 * 2);
    expect(cost('{ productVariants(last: 3) { nodes { inventoryItem { inventoryLevels(first: 4) { nodes { id } } } } } }')).toBe(
      2 + 3 * (1 + 1 + (2 + 4 * 1)),
    );
  });

  it('charges every mutation root field 10, whatever its payload selects', () => {
    const mutation =
      'mutation { a: inventorySetQuantities(input: $i) { userErrors { code } } b: inventorySetQuantities(input: $i) { userErrors { code } } }';
    expect(cost(mutation)).toBe(20);
  });
});

describe('actualQueryCost', () => {
  it('counts the nodes returned, following aliases, and charges 1 for a missing object', () => {
    const document = parse(
      '{ v: productVariants(first: 10) { edges { node { id inventoryItem { id } } } } missing: inventoryItem(id: "gid://shopify/InventoryItem/9") { id } }',
    );
    const data = {
      v: { edges: [{ node: { id: '1', inventoryItem: { id: 'a' } } }, { node: { id: '2', inventoryItem: { id: 'b' } } }] },
      missing: null,
    };
    expect(actualQueryCost({ schema, document }, data)).toBe(2 + 2 * 2 + 1);
  });
});
