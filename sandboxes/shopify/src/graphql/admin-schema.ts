// The subset of the Shopify Admin GraphQL schema the sandbox serves. Queries are parsed and
// validated against it with graphql-js, so a wrong field or argument gets a real validation error
// with locations. Root types carry Shopify's names (QueryRoot, Mutation).
import { buildSchema, type GraphQLSchema } from 'graphql';
import type { VersionFeatures } from '../api-versions.js';
import { METAFIELDS_SET_ERROR_CODES } from '../orders/metafields.js';
import { CANCEL_REASONS, CURRENCY_CODES, FULFILLMENT_ORDER_STATUSES, RESTOCK_TYPES } from '../orders/order-state.js';
import { WEBHOOK_TOPICS } from '../webhooks/webhook-topics.js';

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
scalar Decimal
scalar Money
scalar UnsignedInt64

type QueryRoot {
  shop: Shop!
  location(id: ID): Location
  locations(${CONNECTION_ARGS}, query: String, includeInactive: Boolean = false): LocationConnection!
  productVariant(id: ID!): ProductVariant
  productVariants(${CONNECTION_ARGS}, query: String): ProductVariantConnection!
  inventoryItem(id: ID!): InventoryItem
  order(id: ID!): Order
  job(id: ID!): Job
  webhookSubscriptions(${CONNECTION_ARGS}, topics: [WebhookSubscriptionTopic!], ${features.webhookUri ? 'uri: String, ' : ''}callbackUrl: URL): WebhookSubscriptionConnection!
}

type Mutation {
  inventorySetQuantities(input: InventorySetQuantitiesInput!): InventorySetQuantitiesPayload
  fulfillmentCreate(fulfillment: FulfillmentInput!, message: String): FulfillmentCreatePayload
  orderCancel(
    orderId: ID!
    reason: OrderCancelReason!
    refund: Boolean
    refundMethod: OrderCancelRefundMethodInput
    restock: Boolean!
    notifyCustomer: Boolean = false
    staffNote: String
  ): OrderCancelPayload
  tagsAdd(id: ID!, tags: [String!]!): TagsAddPayload
  metafieldsSet(metafields: [MetafieldsSetInput!]!): MetafieldsSetPayload
  refundCreate(input: RefundInput!): RefundCreatePayload
  webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!): WebhookSubscriptionCreatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
}

interface Node {
  id: ID!
}

interface HasMetafields {
  metafield(namespace: String, key: String!): Metafield
  metafields(${CONNECTION_ARGS}, namespace: String, keys: [String!]): MetafieldConnection!
}

type Metafield implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  namespace: String!
  key: String!
  type: String!
  value: String!
  compareDigest: String!
  createdAt: DateTime!
  updatedAt: DateTime!
  owner: HasMetafields!
}
type MetafieldEdge { cursor: String! node: Metafield! }
type MetafieldConnection { edges: [MetafieldEdge!]! nodes: [Metafield!]! pageInfo: PageInfo! }

input MetafieldsSetInput {
  ownerId: ID!
  namespace: String
  key: String!
  type: String
  value: String!
  compareDigest: String
}

enum MetafieldsSetUserErrorCode {
  ${METAFIELDS_SET_ERROR_CODES.join('\n  ')}
}

type MetafieldsSetUserError {
  code: MetafieldsSetUserErrorCode
  elementIndex: Int
  field: [String!]
  message: String!
}

type MetafieldsSetPayload {
  metafields: [Metafield!]
  userErrors: [MetafieldsSetUserError!]!
}

type UserError {
  field: [String!]
  message: String!
}

enum CurrencyCode {
  ${CURRENCY_CODES.join('\n  ')}
}

type MoneyV2 {
  amount: Decimal!
  currencyCode: CurrencyCode!
}

type MoneyBag {
  shopMoney: MoneyV2!
  presentmentMoney: MoneyV2!
}

enum OrderCancelReason {
  ${CANCEL_REASONS.join('\n  ')}
}

enum OrderDisplayFinancialStatus {
  AUTHORIZED
  EXPIRED
  PAID
  PARTIALLY_PAID
  PARTIALLY_REFUNDED
  PENDING
  REFUNDED
  VOIDED
}

enum OrderDisplayFulfillmentStatus {
  FULFILLED
  IN_PROGRESS
  ON_HOLD
  OPEN
  PARTIALLY_FULFILLED
  PENDING_FULFILLMENT
  RESTOCKED
  SCHEDULED
  UNFULFILLED
}

type Order implements Node & HasMetafields {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  email: String
  phone: String
  poNumber: String
  note: String
  tags: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
  processedAt: DateTime!
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  closed: Boolean!
  closedAt: DateTime
  currencyCode: CurrencyCode!
  taxesIncluded: Boolean!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  subtotalPriceSet: MoneyBag
  totalDiscountsSet: MoneyBag
  totalShippingPriceSet: MoneyBag!
  totalTaxSet: MoneyBag
  totalPriceSet: MoneyBag!
  lineItems(${CONNECTION_ARGS}): LineItemConnection!
  fulfillmentOrders(${CONNECTION_ARGS}, displayable: Boolean = false, query: String): FulfillmentOrderConnection!
  fulfillments(first: Int): [Fulfillment!]!
  transactions(first: Int): [OrderTransaction!]!
  refunds(first: Int): [Refund!]!
  totalRefundedSet: MoneyBag!
  suggestedRefund(refundLineItems: [RefundLineItemInput!]): SuggestedRefund
  metafield(namespace: String, key: String!): Metafield
  metafields(${CONNECTION_ARGS}, namespace: String, keys: [String!]): MetafieldConnection!
}

type LineItem implements Node {
  id: ID!
  sku: String
  name: String!
  title: String!
  quantity: Int!
  currentQuantity: Int!
  unfulfilledQuantity: Int!
  refundableQuantity: Int!
  originalUnitPriceSet: MoneyBag!
  totalDiscountSet: MoneyBag!
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

enum FulfillmentOrderStatus {
  ${FULFILLMENT_ORDER_STATUSES.join('\n  ')}
}

type FulfillmentOrderAssignedLocation {
  name: String!
  location: Location
}

type FulfillmentOrder implements Node {
  id: ID!
  status: FulfillmentOrderStatus!
  createdAt: DateTime!
  updatedAt: DateTime!
  orderId: ID!
  assignedLocation: FulfillmentOrderAssignedLocation!
  lineItems(${CONNECTION_ARGS}): FulfillmentOrderLineItemConnection!
}
type FulfillmentOrderEdge { cursor: String! node: FulfillmentOrder! }
type FulfillmentOrderConnection { edges: [FulfillmentOrderEdge!]! nodes: [FulfillmentOrder!]! pageInfo: PageInfo! }

type FulfillmentOrderLineItem implements Node {
  id: ID!
  totalQuantity: Int!
  remainingQuantity: Int!
  sku: String
  lineItem: LineItem!
}
type FulfillmentOrderLineItemEdge { cursor: String! node: FulfillmentOrderLineItem! }
type FulfillmentOrderLineItemConnection { edges: [FulfillmentOrderLineItemEdge!]! nodes: [FulfillmentOrderLineItem!]! pageInfo: PageInfo! }

enum FulfillmentStatus {
  CANCELLED
  ERROR
  FAILURE
  SUCCESS
}

type FulfillmentTrackingInfo {
  company: String
  number: String
  url: URL
}

type Fulfillment implements Node {
  id: ID!
  name: String!
  status: FulfillmentStatus!
  createdAt: DateTime!
  updatedAt: DateTime!
  location: Location
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
  fulfillmentLineItems(${CONNECTION_ARGS}): FulfillmentLineItemConnection!
}

type FulfillmentLineItem implements Node {
  id: ID!
  quantity: Int
  lineItem: LineItem!
}
type FulfillmentLineItemEdge { cursor: String! node: FulfillmentLineItem! }
type FulfillmentLineItemConnection { edges: [FulfillmentLineItemEdge!]! nodes: [FulfillmentLineItem!]! pageInfo: PageInfo! }

input FulfillmentOrderLineItemInput {
  id: ID!
  quantity: Int!
}

input FulfillmentOrderLineItemsInput {
  fulfillmentOrderId: ID!
  fulfillmentOrderLineItems: [FulfillmentOrderLineItemInput!]
}

input FulfillmentTrackingInput {
  company: String
  number: String
  numbers: [String!]
  url: URL
  urls: [URL!]
}

input FulfillmentInput {
  lineItemsByFulfillmentOrder: [FulfillmentOrderLineItemsInput!]!
  notifyCustomer: Boolean = false
  trackingInfo: FulfillmentTrackingInput
}

type FulfillmentCreatePayload {
  fulfillment: Fulfillment
  userErrors: [UserError!]!
}

type Job {
  id: ID!
  done: Boolean!
}

input OrderCancelRefundMethodInput {
  originalPaymentMethodsRefund: Boolean
}

enum OrderCancelUserErrorCode {
  INVALID
  NOT_FOUND
  NO_REFUND_PERMISSION
}

type OrderCancelUserError {
  code: OrderCancelUserErrorCode
  field: [String!]
  message: String!
}

type OrderCancelPayload {
  job: Job
  orderCancelUserErrors: [OrderCancelUserError!]!
  userErrors: [UserError!]!
}

enum OrderTransactionKind {
  AUTHORIZATION
  CAPTURE
  CHANGE
  EMV_AUTHORIZATION
  REFUND
  SALE
  SUGGESTED_REFUND
  VOID
}

enum OrderTransactionStatus {
  AWAITING_RESPONSE
  ERROR
  FAILURE
  PENDING
  SUCCESS
  UNKNOWN
}

type OrderTransaction implements Node {
  id: ID!
  kind: OrderTransactionKind!
  status: OrderTransactionStatus!
  gateway: String
  amountSet: MoneyBag!
  parentTransaction: OrderTransaction
  createdAt: DateTime!
}
type OrderTransactionEdge { cursor: String! node: OrderTransaction! }
type OrderTransactionConnection { edges: [OrderTransactionEdge!]! nodes: [OrderTransaction!]! pageInfo: PageInfo! }

enum RefundLineItemRestockType {
  ${RESTOCK_TYPES.join('\n  ')}
}

type RefundLineItem {
  id: ID!
  lineItem: LineItem!
  quantity: Int!
  restockType: RefundLineItemRestockType!
  restocked: Boolean!
  location: Location
  priceSet: MoneyBag!
  subtotalSet: MoneyBag!
  totalTaxSet: MoneyBag!
}
type RefundLineItemEdge { cursor: String! node: RefundLineItem! }
type RefundLineItemConnection { edges: [RefundLineItemEdge!]! nodes: [RefundLineItem!]! pageInfo: PageInfo! }

type Refund implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  note: String
  createdAt: DateTime
  updatedAt: DateTime!
  refundLineItems(${CONNECTION_ARGS}): RefundLineItemConnection!
  transactions(${CONNECTION_ARGS}): OrderTransactionConnection!
  totalRefundedSet: MoneyBag!
}

enum SuggestedOrderTransactionKind {
  SUGGESTED_REFUND
}

type SuggestedOrderTransaction {
  kind: SuggestedOrderTransactionKind!
  gateway: String
  parentTransaction: OrderTransaction
  amountSet: MoneyBag!
  maximumRefundableSet: MoneyBag
}

type SuggestedRefund {
  amountSet: MoneyBag!
  subtotalSet: MoneyBag!
  totalTaxSet: MoneyBag!
  maximumRefundableSet: MoneyBag!
  suggestedTransactions: [SuggestedOrderTransaction!]!
}

input RefundLineItemInput {
  lineItemId: ID!
  quantity: Int!
  restockType: RefundLineItemRestockType
  locationId: ID
}

input OrderTransactionInput {
  amount: Money!
  gateway: String!
  kind: OrderTransactionKind!
  orderId: ID!
  parentId: ID
}

input RefundInput {
  orderId: ID!
  note: String
  notify: Boolean
  currency: CurrencyCode
  refundLineItems: [RefundLineItemInput!]
  transactions: [OrderTransactionInput!]
}

type RefundCreatePayload {
  order: Order
  refund: Refund
  userErrors: [UserError!]!
}

type TagsAddPayload {
  node: Node
  userErrors: [UserError!]!
}

enum WebhookSubscriptionTopic {
  ${Object.keys(WEBHOOK_TOPICS).join('\n  ')}
}

enum WebhookSubscriptionFormat {
  JSON
  XML
}

input WebhookSubscriptionInput {
  ${features.webhookUri ? 'uri: String' : ''}
  callbackUrl: URL
  format: WebhookSubscriptionFormat
  includeFields: [String!]
}

type WebhookSubscription implements Node {
  id: ID!
  legacyResourceId: UnsignedInt64!
  topic: WebhookSubscriptionTopic!
  ${features.webhookUri ? 'uri: String!' : ''}
  callbackUrl: URL!
  format: WebhookSubscriptionFormat!
  includeFields: [String!]!
  createdAt: DateTime!
  updatedAt: DateTime!
}
type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
type WebhookSubscriptionConnection { edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo! }

type WebhookSubscriptionCreatePayload {
  webhookSubscription: WebhookSubscription
  userErrors: [UserError!]!
}

type WebhookSubscriptionDeletePayload {
  deletedWebhookSubscriptionId: ID
  userErrors: [UserError!]!
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
