// GraphQL resolvers of orders: `order(id)` with its line items, fulfillment orders,
// fulfillments, transactions, refunds, suggested refund and metafields, `job(id)`, and the
// mutations fulfillmentCreate, orderCancel, refundCreate (with `@idempotent`), tagsAdd and
// metafieldsSet. Money fields are MoneyBags (shopMoney / presentmentMoney of MoneyV2 { amount:
// Decimal, currencyCode }).
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type { ResolverScope } from '../graphql/admin-resolvers.js';
import { connection, type ConnectionArgs } from '../graphql/connection.js';
import { idempotencyKeyOf } from '../graphql/idempotency.js';
import { numericIdOf } from '../shops/shop-registry.js';
import { WEBHOOK_TOPICS } from '../webhooks/webhook-topics.js';
import { MAX_INPUT_ITEMS } from '../inventory/set-quantities.js';
import { formatDecimalMinor } from './decimal-money.js';
import { createFulfillment, type FulfillmentInput } from './fulfillment.js';
import { APP_NAMESPACE, findMetafield, metafieldDigest, setMetafields, type MetafieldsSetInput } from './metafields.js';
import { cancelProblem, startCancelJob } from './order-cancel.js';
import { orderChanged } from './order-changes.js';
import { lineDiscountMinor, orderTotals, utcTimestamp } from './order-json.js';
import {
  refundedQuantity,
  restFulfillmentStatus,
  unfulfilledQuantity,
  type CancelReason,
  type FulfillmentOrderState,
  type FulfillmentState,
  type LineItemState,
  type MetafieldState,
  type OrderState,
  type RefundState,
  type TransactionState,
} from './order-state.js';
import { createRefund, suggestRefund, type RefundInput, type RefundLineItemInput, type RefundResult } from './refunds.js';

const MAX_TAG_LENGTH = 40;

function moneyBag(minor: number, currencyCode: string) {
  const money = { amount: formatDecimalMinor(minor), currencyCode };
  return { shopMoney: money, presentmentMoney: money };
}

function lineItemNode(order: OrderState, line: LineItemState) {
  const cancelled = order.cancelledAtMs !== null;
  const refundable = line.quantity - refundedQuantity(order, line.id);
  return {
    id: line.id,
    sku: line.sku,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    title: line.title,
    quantity: line.quantity,
    currentQuantity: cancelled ? 0 : refundable,
    unfulfilledQuantity: unfulfilledQuantity(order, line),
    refundableQuantity: refundable,
    originalUnitPriceSet: moneyBag(line.priceMinor, order.currency),
    totalDiscountSet: moneyBag(lineDiscountMinor(line), order.currency),
  };
}

function fulfillmentOrderNode(scope: ResolverScope, order: OrderState, fulfillmentOrder: FulfillmentOrderState) {
  const location = scope.shop.locations.get(fulfillmentOrder.locationId);
  return {
    id: fulfillmentOrder.id,
    status: fulfillmentOrder.status,
    createdAt: utcTimestamp(Date.parse(fulfillmentOrder.createdAt)),
    updatedAt: utcTimestamp(Date.parse(fulfillmentOrder.updatedAt)),
    orderId: order.id,
    assignedLocation: {
      name: fulfillmentOrder.locationName,
      location: location ? { id: location.id, name: location.name, isActive: location.isActive } : null,
    },
    lineItems: (args: ConnectionArgs) =>
      connection(fulfillmentOrder.lineItems, args, (item) => {
        const line = order.lineItems.find((candidate) => candidate.id === item.lineItemId) as LineItemState;
        return {
          id: item.id,
          totalQuantity: item.totalQuantity,
          remainingQuantity: item.remainingQuantity,
          sku: line.sku,
          lineItem: lineItemNode(order, line),
        };
      }),
  };
}

function fulfillmentNode(scope: ResolverScope, order: OrderState, fulfillment: FulfillmentState) {
  const location = scope.shop.locations.get(fulfillment.locationId);
  return {
    id: fulfillment.id,
    name: fulfillment.name,
    status: fulfillment.status,
    createdAt: utcTimestamp(Date.parse(fulfillment.createdAt)),
    updatedAt: utcTimestamp(Date.parse(fulfillment.updatedAt)),
    location: location ? { id: location.id, name: location.name, isActive: location.isActive } : null,
    trackingInfo: ({ first }: { first?: number | null }) => fulfillment.trackingInfo.slice(0, first ?? undefined),
    fulfillmentLineItems: (args: ConnectionArgs) =>
      connection(fulfillment.lineItems, args, (item) => ({
        id: item.id,
        quantity: item.quantity,
        lineItem: lineItemNode(order, order.lineItems.find((line) => line.id === item.lineItemId) as LineItemState),
      })),
  };
}

function transactionNode(order: OrderState, transaction: TransactionState): Record<string, unknown> {
  return {
    id: transaction.id,
    kind: transaction.kind,
    status: 'SUCCESS',
    gateway: transaction.gateway,
    amountSet: moneyBag(transaction.amountMinor, order.currency),
    createdAt: utcTimestamp(Date.parse(transaction.createdAt)),
    parentTransaction: () => {
      const parent = order.transactions.find((candidate) => candidate.id === transaction.parentId);
      return parent ? transactionNode(order, parent) : null;
    },
  };
}

function refundNode(scope: ResolverScope, order: OrderState, refund: RefundState) {
  const transactions = order.transactions.filter((transaction) => refund.transactionIds.includes(transaction.id));
  return {
    id: refund.id,
    legacyResourceId: String(refund.numericId),
    note: refund.note,
    createdAt: utcTimestamp(Date.parse(refund.createdAt)),
    updatedAt: utcTimestamp(Date.parse(refund.createdAt)),
    totalRefundedSet: moneyBag(
      transactions.reduce((sum, transaction) => sum + transaction.amountMinor, 0),
      order.currency,
    ),
    refundLineItems: (args: ConnectionArgs) =>
      connection(refund.lineItems, args, (item) => {
        const location = item.locationId === null ? undefined : scope.shop.locations.get(item.locationId);
        return {
          id: item.id,
          quantity: item.quantity,
          restockType: item.restockType,
          restocked: item.restockType === 'CANCEL' || item.restockType === 'RETURN',
          location: location ? { id: location.id, name: location.name, isActive: location.isActive } : null,
          priceSet: moneyBag(order.lineItems.find((line) => line.id === item.lineItemId)!.priceMinor, order.currency),
          subtotalSet: moneyBag(item.subtotalMinor, order.currency),
          totalTaxSet: moneyBag(item.taxMinor, order.currency),
          lineItem: lineItemNode(order, order.lineItems.find((line) => line.id === item.lineItemId) as LineItemState),
        };
      }),
    transactions: (args: ConnectionArgs) => connection(transactions, args, (transaction) => transactionNode(order, transaction)),
  };
}

function metafieldNode(scope: ResolverScope, order: OrderState, metafield: MetafieldState) {
  return {
    id: `gid://shopify/Metafield/${metafield.numericId}`,
    legacyResourceId: String(metafield.numericId),
    namespace: metafield.namespace,
    key: metafield.key,
    type: metafield.type,
    value: metafield.value,
    compareDigest: metafieldDigest(metafield),
    createdAt: utcTimestamp(metafield.createdAtMs),
    updatedAt: utcTimestamp(metafield.updatedAtMs),
    owner: () => ({ __typename: 'Order', ...orderNode(scope, order) }),
  };
}

const DISPLAY_FINANCIAL_STATUS: Record<OrderState['financialStatus'], string> = {
  pending: 'PENDING',
  authorized: 'AUTHORIZED',
  partially_paid: 'PARTIALLY_PAID',
  paid: 'PAID',
  partially_refunded: 'PARTIALLY_REFUNDED',
  refunded: 'REFUNDED',
  voided: 'VOIDED',
  expired: 'EXPIRED',
};

export function orderNode(scope: ResolverScope, order: OrderState) {
  const totals = orderTotals(order);
  const fulfillmentStatus = restFulfillmentStatus(order);
  return {
    id: order.id,
    legacyResourceId: String(order.numericId),
    name: order.name,
    email: order.email,
    phone: order.phone,
    poNumber: order.poNumber,
    note: order.note,
    tags: [...order.tags],
    createdAt: utcTimestamp(order.createdAtMs),
    updatedAt: utcTimestamp(order.updatedAtMs),
    processedAt: utcTimestamp(order.processedAtMs),
    cancelledAt: order.cancelledAtMs === null ? null : utcTimestamp(order.cancelledAtMs),
    cancelReason: order.cancellation?.reason ?? null,
    closed: order.closedAtMs !== null,
    closedAt: order.closedAtMs === null ? null : utcTimestamp(order.closedAtMs),
    currencyCode: order.currency,
    taxesIncluded: order.taxesIncluded,
    displayFinancialStatus: DISPLAY_FINANCIAL_STATUS[order.financialStatus],
    displayFulfillmentStatus:
      fulfillmentStatus === 'fulfilled' ? 'FULFILLED' : fulfillmentStatus === 'partial' ? 'PARTIALLY_FULFILLED' : 'UNFULFILLED',
    subtotalPriceSet: moneyBag(totals.subtotal, order.currency),
    totalDiscountsSet: moneyBag(totals.discounts, order.currency),
    totalShippingPriceSet: moneyBag(totals.shipping, order.currency),
    totalTaxSet: moneyBag(totals.tax, order.currency),
    totalPriceSet: moneyBag(totals.total, order.currency),
    lineItems: (args: ConnectionArgs) => connection(order.lineItems, args, (line) => lineItemNode(order, line)),
    fulfillmentOrders: (args: ConnectionArgs) =>
      connection(order.fulfillmentOrders, args, (fulfillmentOrder) => fulfillmentOrderNode(scope, order, fulfillmentOrder)),
    fulfillments: ({ first }: { first?: number | null }) =>
      order.fulfillments.slice(0, first ?? undefined).map((fulfillment) => fulfillmentNode(scope, order, fulfillment)),
    transactions: ({ first }: { first?: number | null }) =>
      order.transactions.slice(0, first ?? undefined).map((transaction) => transactionNode(order, transaction)),
    refunds: ({ first }: { first?: number | null }) =>
      order.refunds.slice(0, first ?? undefined).map((refund) => refundNode(scope, order, refund)),
    totalRefundedSet: moneyBag(
      order.transactions
        .filter((transaction) => transaction.kind === 'REFUND')
        .reduce((sum, transaction) => sum + transaction.amountMinor, 0),
      order.currency,
    ),
    suggestedRefund: ({ refundLineItems }: { refundLineItems?: RefundLineItemInput[] | null }) => {
      const suggested = suggestRefund(order, refundLineItems ?? []);
      return {
        amountSet: moneyBag(suggested.amountMinor, order.currency),
        subtotalSet: moneyBag(suggested.subtotalMinor, order.currency),
        totalTaxSet: moneyBag(suggested.taxMinor, order.currency),
        maximumRefundableSet: moneyBag(suggested.maximumRefundableMinor, order.currency),
        suggestedTransactions: suggested.transactions.map(({ parent, amountMinor, maximumRefundableMinor }) => ({
          kind: 'SUGGESTED_REFUND',
          gateway: parent.gateway,
          parentTransaction: transactionNode(order, parent),
          amountSet: moneyBag(amountMinor, order.currency),
          maximumRefundableSet: moneyBag(maximumRefundableMinor, order.currency),
        })),
      };
    },
    metafield: ({ namespace, key }: { namespace?: string | null; key: string }) => {
      const metafield = findMetafield(order, namespace ?? APP_NAMESPACE, key);
      return metafield ? metafieldNode(scope, order, metafield) : null;
    },
    // `keys` name metafields as "namespace.key".
    metafields: (args: ConnectionArgs & { namespace?: string | null; keys?: string[] | null }) =>
      connection(
        order.metafields.filter(
          (metafield) =>
            (!args.namespace || metafield.namespace === args.namespace) &&
            (!args.keys || args.keys.includes(`${metafield.namespace}.${metafield.key}`)),
        ),
        args,
        (metafield) => metafieldNode(scope, order, metafield),
      ),
  };
}

interface OrderCancelArgs {
  orderId: string;
  reason: string;
  refund?: boolean | null;
  refundMethod?: { originalPaymentMethodsRefund?: boolean | null } | null;
  restock: boolean;
  notifyCustomer?: boolean | null;
  staffNote?: string | null;
}

export function orderRootFields(scope: ResolverScope) {
  const { shop, services } = scope;
  return {
    order: ({ id }: { id: string }) => {
      const order = shop.orders.get(id);
      return order ? orderNode(scope, order) : null;
    },
    job: ({ id }: { id: string }) => {
      const job = shop.jobs.get(id);
      return job ? { id: job.id, done: job.done } : null;
    },
    fulfillmentCreate: ({ fulfillment }: { fulfillment: FulfillmentInput }) => {
      const result = createFulfillment(services, shop, fulfillment);
      if (result.fulfillment) shop.counters.mutationsApplied += 1;
      return {
        fulfillment: result.fulfillment && result.order ? fulfillmentNode(scope, result.order, result.fulfillment) : null,
        userErrors: result.userErrors,
      };
    },
    orderCancel: (args: OrderCancelArgs) => {
      const failed = (code: string, field: string[], message: string) => ({
        job: null,
        orderCancelUserErrors: [{ code, field, message }],
        userErrors: [{ field, message }],
      });
      const order = numericIdOf(args.orderId) === undefined ? undefined : shop.orders.get(args.orderId);
      const problem = cancelProblem(order);
      if (problem) return failed(problem.code, problem.field, problem.message);
      if (args.refund == null && args.refundMethod == null) return failed('INVALID', ['refundMethod'], 'A refund method is required.');
      const job = startCancelJob(services, shop, order as OrderState, {
        reason: args.reason as CancelReason,
        restock: args.restock,
        refund: args.refund ?? args.refundMethod?.originalPaymentMethodsRefund === true,
        notifyCustomer: args.notifyCustomer === true,
        staffNote: args.staffNote ?? null,
        by: 'api',
      });
      shop.counters.mutationsApplied += 1;
      return { job: { id: job.id, done: job.done }, orderCancelUserErrors: [], userErrors: [] };
    },
    refundCreate: ({ input }: { input: RefundInput }, _context: unknown, info: GraphQLResolveInfo) => {
      const key = idempotencyKeyOf(scope.schema, info);
      if (key === null && scope.features.idempotencyRequired) {
        throw new GraphQLError('The @idempotent directive is required for this mutation in this API version.', {
          extensions: { code: 'BAD_REQUEST' },
        });
      }
      const payload = (result: RefundResult) => ({
        refund: result.refund && result.order ? refundNode(scope, result.order, result.refund) : null,
        order: result.order ? orderNode(scope, result.order) : null,
        userErrors: result.userErrors,
      });
      const fingerprint = JSON.stringify(input);
      const previous = key === null ? undefined : shop.idempotency.get(key);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          return payload({
            refund: null,
            order: null,
            userErrors: [{ field: null, message: 'The same idempotency key cannot be used with different operation parameters.' }],
          });
        }
        shop.counters.idempotentReplays += 1;
        return payload(previous.result as RefundResult);
      }
      const result = createRefund(services, shop, input);
      if (result.refund) shop.counters.mutationsApplied += 1;
      if (key !== null) shop.idempotency.set(key, { fingerprint, result });
      return payload(result);
    },
    metafieldsSet: ({ metafields }: { metafields: MetafieldsSetInput[] }) => {
      if (metafields.length > MAX_INPUT_ITEMS) {
        throw new GraphQLError(`The input array size of ${metafields.length} is greater than the maximum allowed of ${MAX_INPUT_ITEMS}.`, {
          extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
        });
      }
      const result = setMetafields(scope.registry, shop, metafields);
      return {
        metafields: result.metafields.map(({ order, metafield }) => metafieldNode(scope, order, metafield)),
        userErrors: result.userErrors,
      };
    },
    tagsAdd: ({ id, tags }: { id: string; tags: string[] }) => {
      const order = shop.orders.get(id);
      if (!order) return { node: null, userErrors: [{ field: ['id'], message: 'Resource does not exist' }] };
      const wanted = tags
        .flatMap((tag) => tag.split(','))
        .map((tag) => tag.trim())
        .filter((tag) => tag !== '');
      const tooLong = wanted.find((tag) => tag.length > MAX_TAG_LENGTH);
      if (tooLong)
        return {
          node: null,
          userErrors: [{ field: ['tags'], message: `Tag ${tooLong} is too long (maximum is ${MAX_TAG_LENGTH} characters)` }],
        };
      const added = wanted.filter((tag) => !order.tags.includes(tag));
      if (added.length > 0) {
        order.tags.push(...added);
        shop.counters.mutationsApplied += 1;
        orderChanged(services, shop, order, [WEBHOOK_TOPICS.ORDERS_UPDATED]);
      }
      // The order after the change, as Shopify's payload node: clients read its tags from it.
      return { node: { __typename: 'Order', ...orderNode(scope, order) }, userErrors: [] };
    },
  };
}
