// The subset of the Shopify Admin GraphQL schema the sandbox serves. Queries are parsed and
// validated against it with graphql-js, so a wrong field or argument gets a real validation error
// with locations. Root types carry Shopify's names (QueryRoot, Mutation).
import { buildSchema, type GraphQLSchema } from 'graphql';
import type { VersionFeatures } from '../api-versions.js';

export const SET_QUANTITIES_ERROR_CODES = [
  'CHANGE_FROM_QUANTITY_STALE',
  'COMPARE_QUANTITY_REQUIRED',
  'COMPARE_QUANTITY_STALE',
  'IDEMPOTENCY_CONCURRENT_REQUEST',
  'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
  'INVALID_INVENTORY_ITEM',
  'INVALID_LOCATION',
  'INVALID_NAME',
  'INVALID_QUANTITY_NEGATIVE',
  'INVALID_QUANTITY_TOO_HIGH',
  'INVALID_QUANTITY_TOO_LOW',
  'INVALID_REASON',
  'INVALID_REFERENCE_DOCUMENT',
  'ITEM_NOT_STOCKED_AT_LOCATION',
  'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
  'NON_MUTABLE_INVENTORY_ITEM',
] as const;
export type SetQuantitiesErrorCode = (typeof SET_QUANTITIES_ERROR_CODES)[number];

const CONNECTION_ARGS = 'first: Int, after: String, last: Int, before: String, reverse: Boolean = false';

function sdl(features: VersionFeatures): string {
  return `
${features.idempotentDirective ? 'directive @idempotent(key: String!) on FIELD' : ''}

scalar DateTime
scalar URL

type QueryRoot {
  shop: Shop!
  location(id: ID): Location
  locations(${CONNECTION_ARGS}, query: String, includeInactive: Boolean = false): LocationConnection!
  productVariant(id: ID!): ProductVariant
  productVariants(${CONNECTION_ARGS}, query: String): ProductVariantConnection!
  inventoryItem(id: ID!): InventoryItem
}

type Mutation {
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
}

type Shop {
  id: ID!
  name: String!
  myshopifyDomain: String!
}

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type Location {
  id: ID!
  name: String!
  isActive: Boolean!
}
type LocationEdge { cursor: String! node: Location! }
type LocationConnection { edges: [LocationEdge!]! nodes: [Location!]! pageInfo: PageInfo! }

type ProductVariant {
  id: ID!
  sku: String
  title: String!
  inventoryQuantity: Int
  inventoryItem: InventoryItem!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection { edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo! }

type InventoryItem {
  id: ID!
  sku: String
  tracked: Boolean!
  variant: ProductVariant!
  inventoryLevel(locationId: ID!): InventoryLevel
  inventoryLevels(${CONNECTION_ARGS}): InventoryLevelConnection!
}

type InventoryLevel {
  id: ID!
  item: InventoryItem!
  location: Location!
  quantities(names: [String!]!): [InventoryQuantity!]!
  updatedAt: DateTime
}
type InventoryLevelEdge { cursor: String! node: InventoryLevel! }
type InventoryLevelConnection { edges: [InventoryLevelEdge!]! nodes: [InventoryLevel!]! pageInfo: PageInfo! }

type InventoryQuantity {
  id: ID!
  name: String!
  quantity: Int!
  updatedAt: DateTime
}

input InventorySetQuantitiesInput {
  name: String!
  reason: String!
  referenceDocumentUri: URL
  ignoreCompareQuantity: Boolean = false
  quantities: [InventoryQuantityInput!]!
}

input InventoryQuantityInput {
  inventoryItemId: ID!
  locationId: ID!
  quantity: Int!
  compareQuantity: Int
  ${features.changeFromQuantity ? 'changeFromQuantity: Int' : ''}
}

type InventorySetQuantitiesPayload {
  inventoryAdjustmentGroup: InventoryAdjustmentGroup
  userErrors: [InventorySetQuantitiesUserError!]!
}

type InventoryAdjustmentGroup {
  id: ID!
  createdAt: DateTime!
  reason: String!
  referenceDocumentUri: URL
  changes(inventoryItemIds: [ID!], locationIds: [ID!], quantityNames: [String!]): [InventoryChange!]!
}

type InventoryChange {
  name: String!
  delta: Int!
  quantityAfterChange: Int
  item: InventoryItem
  location: Location
  ledgerDocumentUri: URL
}

type InventorySetQuantitiesUserError {
  code: InventorySetQuantitiesUserErrorCode
  field: [String!]
  message: String!
}

enum InventorySetQuantitiesUserErrorCode {
  ${SET_QUANTITIES_ERROR_CODES.join('\n  ')}
}

schema { query: QueryRoot mutation: Mutation }
`;
}

const cache = new Map<string, GraphQLSchema>();

export function adminSchema(features: VersionFeatures): GraphQLSchema {
  const key = JSON.stringify(features);
  let schema = cache.get(key);
  if (!schema) {
    schema = buildSchema(sdl(features));
    cache.set(key, schema);
  }
  return schema;
}
