// The Admin GraphQL calls of the order flow, for one store, on the account's ShopifyAdminClient
// (its cost bucket, retries and error typing): read an order back (its ERP order metafield,
// fulfillment orders, fulfilments with tracking, cancellation), fulfillmentCreate, orderCancel,
// metafieldsSet of ERP order references, and the webhook subscriptions. Responses are checked; a
// shape Shopify would never send is an error.
import { checkUserErrors, ShopifyAdminError, type ShopifyAdminClient } from '../shopify/shopify-admin.client.js';
import { ERP_ORDER_METAFIELD } from './order-state.mapper.js';
import { ShopifyOrderError } from './shopify-order.js';

export interface FulfillmentOrderLineView {
  id: string;
  lineItemId: string;
  sku: string | null;
  remainingQuantity: number;
}

export interface FulfillmentOrderView {
  id: string;
  status: string;
  locationId: string | null;
  lineItems: FulfillmentOrderLineView[];
}

export interface FulfillmentView {
  id: string;
  status: string;
  trackingNumbers: string[];
  lineItems: Array<{ lineItemId: string; quantity: number }>;
}

export interface ShopifyOrderView {
  id: string;
  name: string;
  updatedAt: Date;
  cancelledAt: Date | null;
  /** The ERP order reference the acknowledgement wrote (ERP_ORDER_METAFIELD); null before. */
  erpOrderId: string | null;
  displayFulfillmentStatus: string;
  fulfillmentOrders: FulfillmentOrderView[];
  fulfillments: FulfillmentView[];
}

/** One order's ERP reference to set. */
export interface ErpOrderIdInput {
  orderId: string;
  erpOrderId: string;
}

/** What metafieldsSet answered: the metafields set (none when it refused anything: it is atomic) and its refusals. */
export interface ErpOrderIdsSet {
  set: Array<{ orderId: string; erpOrderId: string }>;
  /** `elementIndex` names the refused input; null when the refusal is about the whole call. */
  userErrors: Array<{ elementIndex: number | null; code: string | null; message: string }>;
}

export interface TrackingInput {
  company: string | null;
  number: string | null;
  url: string | null;
}

export interface FulfillmentOrderLineItemsInput {
  fulfillmentOrderId: string;
  fulfillmentOrderLineItems: Array<{ id: string; quantity: number }>;
}

/** Shopify's OrderCancelReason. */
export type ShopifyCancelReason = 'CUSTOMER' | 'DECLINED' | 'FRAUD' | 'INVENTORY' | 'OTHER' | 'STAFF';

export interface OrderCancelInput {
  orderId: string;
  reason: ShopifyCancelReason;
  restock: boolean;
  refund: boolean;
  notifyCustomer: boolean;
  staffNote: string;
}

// Page sizes keep one order read under Shopify's single-query limit (1000 points); an order with
// more is refused rather than read partially (see readOrder).
const FULFILLMENT_ORDERS_PAGE = 5;
/** Most metafields one metafieldsSet call takes (Shopify's limit). */
export const MAX_METAFIELDS_PER_SET = 25;
const LINES_PAGE = 50;
const FULFILLMENTS_PAGE = 20;

const ORDER_QUERY = `
query OrderForAdapter($id: ID!) {
  order(id: $id) {
    id
    name
    updatedAt
    cancelledAt
    erpOrderId: metafield(namespace: "${ERP_ORDER_METAFIELD.namespace}", key: "${ERP_ORDER_METAFIELD.key}") { value }
    displayFulfillmentStatus
    fulfillmentOrders(first: ${FULFILLMENT_ORDERS_PAGE}) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: ${LINES_PAGE}) {
          nodes { id remainingQuantity lineItem { id sku } }
          pageInfo { hasNextPage }
        }
      }
      pageInfo { hasNextPage }
    }
    fulfillments(first: ${FULFILLMENTS_PAGE}) {
      id
      status
      trackingInfo { number }
      fulfillmentLineItems(first: ${LINES_PAGE}) {
        nodes { quantity lineItem { id } }
        pageInfo { hasNextPage }
      }
    }
  }
}`;

// Whether Shopify knows an order whose acknowledgement it refused: a query of a few points
// instead of the full order read (~650 points).
const ORDER_ERP_ID_QUERY = `
query OrderErpOrderId($id: ID!) {
  order(id: $id) {
    id
    erpOrderId: metafield(namespace: "${ERP_ORDER_METAFIELD.namespace}", key: "${ERP_ORDER_METAFIELD.key}") { value }
  }
}`;

const FULFILLMENT_CREATE = `
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}`;

const ORDER_CANCEL = `
mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $refundMethod: OrderCancelRefundMethodInput, $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, refundMethod: $refundMethod, restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id done }
    orderCancelUserErrors { code field message }
  }
}`;

const METAFIELDS_SET = `
mutation ErpOrderIdsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { key namespace value owner { ... on Order { id } } }
    userErrors { field message code elementIndex }
  }
}`;

const WEBHOOK_SUBSCRIPTIONS = `
query WebhookSubscriptions($topics: [WebhookSubscriptionTopic!], $after: String) {
  webhookSubscriptions(first: 50, topics: $topics, after: $after) {
    nodes { id topic uri }
    pageInfo { hasNextPage endCursor }
  }
}`;

const WEBHOOK_SUBSCRIPTION_CREATE = `
mutation WebhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: { uri: $uri, format: JSON }) {
    webhookSubscription { id }
    userErrors { field message }
  }
}`;

export function malformed(operation: string, what: string): ShopifyAdminError {
  return new ShopifyAdminError({ kind: 'malformed_response', operation, message: `unexpected shape of ${what}`, retryable: false });
}

export function record(value: unknown, operation: string, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(operation, what);
  return value as Record<string, unknown>;
}

export function nodes(value: unknown, operation: string, what: string): Record<string, unknown>[] {
  const connection = record(value, operation, what);
  if (!Array.isArray(connection.nodes)) throw malformed(operation, `${what}.nodes`);
  if ((connection.pageInfo as { hasNextPage?: unknown } | undefined)?.hasNextPage === true) {
    throw new ShopifyOrderError(`${what} has more entries than the adapter reads at once (it does not page them)`);
  }
  return connection.nodes.map((node) => record(node, operation, what));
}

export function string(value: unknown, operation: string, what: string): string {
  if (typeof value !== 'string') throw malformed(operation, what);
  return value;
}

/** The value of an aliased `metafield { value }`; null when the order has no such metafield. */
function metafieldValue(raw: unknown, operation: string): string | null {
  return raw === null || raw === undefined ? null : string(record(raw, operation, 'metafield').value, operation, 'metafield.value');
}

function readOrderView(raw: unknown): ShopifyOrderView {
  const operation = 'OrderForAdapter';
  const order = record(raw, operation, 'order');
  const fulfillments = order.fulfillments;
  if (!Array.isArray(fulfillments)) throw malformed(operation, 'order.fulfillments');
  return {
    id: string(order.id, operation, 'order.id'),
    name: string(order.name, operation, 'order.name'),
    updatedAt: new Date(string(order.updatedAt, operation, 'order.updatedAt')),
    cancelledAt: order.cancelledAt === null ? null : new Date(string(order.cancelledAt, operation, 'order.cancelledAt')),
    erpOrderId: metafieldValue(order.erpOrderId, operation),
    displayFulfillmentStatus: string(order.displayFulfillmentStatus, operation, 'order.displayFulfillmentStatus'),
    fulfillmentOrders: nodes(order.fulfillmentOrders, operation, 'order.fulfillmentOrders').map((fulfillmentOrder) => ({
      id: string(fulfillmentOrder.id, operation, 'fulfillmentOrder.id'),
      status: string(fulfillmentOrder.status, operation, 'fulfillmentOrder.status'),
      locationId:
        ((fulfillmentOrder.assignedLocation as { location?: { id?: string } | null } | undefined)?.location?.id as string) ?? null,
      lineItems: nodes(fulfillmentOrder.lineItems, operation, 'fulfillmentOrder.lineItems').map((item) => {
        const lineItem = record(item.lineItem, operation, 'fulfillmentOrderLineItem.lineItem');
        if (!Number.isSafeInteger(item.remainingQuantity)) throw malformed(operation, 'fulfillmentOrderLineItem.remainingQuantity');
        return {
          id: string(item.id, operation, 'fulfillmentOrderLineItem.id'),
          lineItemId: string(lineItem.id, operation, 'lineItem.id'),
          sku: typeof lineItem.sku === 'string' ? lineItem.sku : null,
          remainingQuantity: item.remainingQuantity as number,
        };
      }),
    })),
    fulfillments: fulfillments.map((raw) => {
      const fulfillment = record(raw, operation, 'fulfillment');
      const tracking = fulfillment.trackingInfo;
      if (!Array.isArray(tracking)) throw malformed(operation, 'fulfillment.trackingInfo');
      return {
        id: string(fulfillment.id, operation, 'fulfillment.id'),
        status: string(fulfillment.status, operation, 'fulfillment.status'),
        trackingNumbers: tracking
          .map((info) => (info as { number?: unknown }).number)
          .filter((number): number is string => typeof number === 'string' && number !== ''),
        lineItems: nodes(fulfillment.fulfillmentLineItems, operation, 'fulfillment.fulfillmentLineItems').map((item) => ({
          lineItemId: string(
            record(item.lineItem, operation, 'fulfillmentLineItem.lineItem').id,
            operation,
            'fulfillmentLineItem.lineItem.id',
          ),
          quantity: typeof item.quantity === 'number' ? item.quantity : 0,
        })),
      };
    }),
  };
}

export class ShopifyOrdersClient {
  constructor(private readonly admin: ShopifyAdminClient) {}

  /** The order as Shopify shows it now; null when Shopify does not know it. */
  async readOrder(orderId: string): Promise<ShopifyOrderView | null> {
    const data = record(
      await this.admin.graphql('OrderForAdapter', ORDER_QUERY, { id: orderId }, { costEstimate: 650 }),
      'OrderForAdapter',
      'data',
    );
    return data.order === null ? null : readOrderView(data.order);
  }

  /** The order's ERP order reference (null when it has none); undefined when Shopify does not know the order. */
  async readErpOrderId(orderId: string): Promise<string | null | undefined> {
    const operation = 'OrderErpOrderId';
    const data = record(await this.admin.graphql(operation, ORDER_ERP_ID_QUERY, { id: orderId }, { costEstimate: 2 }), operation, 'data');
    if (data.order === null) return undefined;
    return metafieldValue(record(data.order, operation, 'order').erpOrderId, operation);
  }

  /** fulfillmentCreate on fulfillment order line items of one location; the fulfilment's id. User errors throw. */
  async createFulfillment(input: {
    lineItemsByFulfillmentOrder: FulfillmentOrderLineItemsInput[];
    tracking: TrackingInput;
    notifyCustomer: boolean;
  }): Promise<string> {
    const trackingInfo = Object.fromEntries(Object.entries(input.tracking).filter(([, value]) => value !== null && value !== ''));
    const data = await this.admin.graphql(
      'FulfillmentCreate',
      FULFILLMENT_CREATE,
      {
        fulfillment: {
          lineItemsByFulfillmentOrder: input.lineItemsByFulfillmentOrder,
          notifyCustomer: input.notifyCustomer,
          ...(Object.keys(trackingInfo).length > 0 ? { trackingInfo } : {}),
        },
      },
      {
        check: (value) => checkUserErrors('FulfillmentCreate', record(value, 'FulfillmentCreate', 'data').fulfillmentCreate),
        notIdempotent: true,
      },
    );
    const payload = record(record(data, 'FulfillmentCreate', 'data').fulfillmentCreate, 'FulfillmentCreate', 'fulfillmentCreate');
    return string(record(payload.fulfillment, 'FulfillmentCreate', 'fulfillment').id, 'FulfillmentCreate', 'fulfillment.id');
  }

  /** orderCancel: Shopify cancels in a background job; the job's id. User errors throw. */
  async cancelOrder(input: OrderCancelInput): Promise<string> {
    const data = await this.admin.graphql(
      'OrderCancel',
      ORDER_CANCEL,
      {
        orderId: input.orderId,
        reason: input.reason,
        refundMethod: { originalPaymentMethodsRefund: input.refund },
        restock: input.restock,
        notifyCustomer: input.notifyCustomer,
        staffNote: input.staffNote,
      },
      {
        check: (value) => checkUserErrors('OrderCancel', record(value, 'OrderCancel', 'data').orderCancel, 'orderCancelUserErrors'),
        notIdempotent: true,
      },
    );
    const payload = record(record(data, 'OrderCancel', 'data').orderCancel, 'OrderCancel', 'orderCancel');
    return string(record(payload.job, 'OrderCancel', 'job').id, 'OrderCancel', 'job.id');
  }

  /**
   * metafieldsSet of the ERP order references of up to 25 orders in one call (one mutation's
   * cost). Setting the value an order has changes nothing, so a repeat is harmless. User errors
   * are returned, not thrown: each names the input it refuses, and the caller decides per order.
   */
  async setErpOrderIds(inputs: readonly ErpOrderIdInput[]): Promise<ErpOrderIdsSet> {
    const operation = 'ErpOrderIdsSet';
    const metafields = inputs.map((input) => ({ ownerId: input.orderId, ...ERP_ORDER_METAFIELD, value: input.erpOrderId }));
    const data = record(await this.admin.graphql(operation, METAFIELDS_SET, { metafields }, { costEstimate: 10 }), operation, 'data');
    const payload = record(data.metafieldsSet, operation, 'metafieldsSet');
    if (!Array.isArray(payload.userErrors)) throw malformed(operation, 'userErrors');
    // Shopify answers no metafields (null or empty) when it refused the call.
    const set = payload.metafields ?? [];
    if (!Array.isArray(set)) throw malformed(operation, 'metafields');
    return {
      set: set
        .map((raw) => record(raw, operation, 'metafield'))
        .filter((metafield) => metafield.namespace === ERP_ORDER_METAFIELD.namespace && metafield.key === ERP_ORDER_METAFIELD.key)
        .map((metafield) => ({
          orderId: string(record(metafield.owner, operation, 'metafield.owner').id, operation, 'metafield.owner.id'),
          erpOrderId: string(metafield.value, operation, 'metafield.value'),
        })),
      userErrors: payload.userErrors.map((raw) => {
        const error = record(raw, operation, 'userError');
        return {
          elementIndex: Number.isSafeInteger(error.elementIndex) ? (error.elementIndex as number) : null,
          code: typeof error.code === 'string' ? error.code : null,
          message: typeof error.message === 'string' ? error.message : '',
        };
      }),
    };
  }

  /** The store's webhook subscriptions of these topics (GraphQL enum values such as ORDERS_CREATE). */
  async webhookSubscriptions(topics: string[]): Promise<Array<{ id: string; topic: string; uri: string }>> {
    const found: Array<{ id: string; topic: string; uri: string }> = [];
    let after: string | null = null;
    do {
      const data = record(
        await this.admin.graphql('WebhookSubscriptions', WEBHOOK_SUBSCRIPTIONS, { topics, after }),
        'WebhookSubscriptions',
        'data',
      );
      const connection = record(data.webhookSubscriptions, 'WebhookSubscriptions', 'webhookSubscriptions');
      if (!Array.isArray(connection.nodes)) throw malformed('WebhookSubscriptions', 'nodes');
      for (const node of connection.nodes as Array<Record<string, unknown>>) {
        found.push({
          id: string(node.id, 'WebhookSubscriptions', 'id'),
          topic: string(node.topic, 'WebhookSubscriptions', 'topic'),
          uri: string(node.uri, 'WebhookSubscriptions', 'uri'),
        });
      }
      const pageInfo = connection.pageInfo as { hasNextPage?: boolean; endCursor?: string } | undefined;
      after = pageInfo?.hasNextPage ? (pageInfo.endCursor ?? null) : null;
    } while (after !== null);
    return found;
  }

  async createWebhookSubscription(topic: string, uri: string): Promise<void> {
    await this.admin.graphql(
      'WebhookSubscriptionCreate',
      WEBHOOK_SUBSCRIPTION_CREATE,
      { topic, uri },
      {
        check: (value) =>
          checkUserErrors('WebhookSubscriptionCreate', record(value, 'WebhookSubscriptionCreate', 'data').webhookSubscriptionCreate),
      },
    );
  }
}
