// The Admin GraphQL calls that cancel units of a Shopify order (ADR 0006), on the account's
// ShopifyAdminClient: read what the order's refunds cancelled (restock type CANCEL) and what is
// unfulfilled per line item, ask Shopify what refunding units is worth (suggestedRefund: its own
// pro-rating of discounts and taxes, and the transactions that can give it back), and refundCreate
// with `@idempotent` (required from 2026-04), so a retry after a lost answer refunds nothing twice.
import { checkUserErrors, type ShopifyAdminClient } from '../shopify/shopify-admin.client.js';
import { malformed, nodes, record, string } from './shopify-orders.client.js';
import type { CancelledUnits, UnitsToCancel } from './unit-cancellation.js';

// Enough for any order the adapter reads (its order read pages lines by 50 as well).
const LINES_PAGE = 50;
const REFUNDS_PAGE = 50;

const CANCELLED_UNITS_QUERY = `
query OrderCancelledUnits($id: ID!) {
  order(id: $id) {
    id
    cancelledAt
    lineItems(first: ${LINES_PAGE}) {
      nodes { id unfulfilledQuantity }
      pageInfo { hasNextPage }
    }
    refunds(first: ${REFUNDS_PAGE}) {
      note
      createdAt
      refundLineItems(first: ${LINES_PAGE}) {
        nodes { quantity restockType lineItem { id } }
        pageInfo { hasNextPage }
      }
    }
  }
}`;

const SUGGESTED_REFUND_QUERY = `
query SuggestedCancellationRefund($id: ID!, $refundLineItems: [RefundLineItemInput!]) {
  order(id: $id) {
    suggestedRefund(refundLineItems: $refundLineItems) {
      suggestedTransactions {
        gateway
        amountSet { shopMoney { amount } }
        parentTransaction { id }
      }
    }
  }
}`;

const REFUND_CREATE = `
mutation RefundCreate($input: RefundInput!, $idempotencyKey: String!) {
  refundCreate(input: $input) @idempotent(key: $idempotencyKey) {
    refund { id }
    userErrors { field message }
  }
}`;

export interface UnitCancellationInput {
  orderId: string;
  lines: UnitsToCancel[];
  note: string;
  /** One per cancellation: the same key for its retries. */
  idempotencyKey: string;
}

export class ShopifyRefundsClient {
  constructor(private readonly admin: ShopifyAdminClient) {}

  /** Per line item: units unfulfilled and units cancelled by refunds; the refunds; null when Shopify does not know the order. */
  async cancelledUnits(orderId: string): Promise<CancelledUnits | null> {
    const operation = 'OrderCancelledUnits';
    const data = record(
      await this.admin.graphql(operation, CANCELLED_UNITS_QUERY, { id: orderId }, { costEstimate: 160 }),
      operation,
      'data',
    );
    if (data.order === null) return null;
    const order = record(data.order, operation, 'order');
    if (!Array.isArray(order.refunds)) throw malformed(operation, 'order.refunds');
    const cancelled = new Map<string, number>();
    const refunds = order.refunds.map((raw) => record(raw, operation, 'refund'));
    for (const refund of refunds) {
      for (const item of nodes(refund.refundLineItems, operation, 'refund.refundLineItems')) {
        if (item.restockType !== 'CANCEL') continue;
        if (!Number.isSafeInteger(item.quantity)) throw malformed(operation, 'refundLineItem.quantity');
        const lineItemId = string(record(item.lineItem, operation, 'refundLineItem.lineItem').id, operation, 'refundLineItem.lineItem.id');
        cancelled.set(lineItemId, (cancelled.get(lineItemId) ?? 0) + (item.quantity as number));
      }
    }
    return {
      cancelledAt: order.cancelledAt === null ? null : new Date(string(order.cancelledAt, operation, 'order.cancelledAt')),
      lines: nodes(order.lineItems, operation, 'order.lineItems').map((line) => {
        const lineItemId = string(line.id, operation, 'lineItem.id');
        if (!Number.isSafeInteger(line.unfulfilledQuantity)) throw malformed(operation, 'lineItem.unfulfilledQuantity');
        return { lineItemId, unfulfilledQuantity: line.unfulfilledQuantity as number, cancelledQuantity: cancelled.get(lineItemId) ?? 0 };
      }),
      refunds: refunds.map((refund) => ({
        note: typeof refund.note === 'string' ? refund.note : null,
        createdAt: typeof refund.createdAt === 'string' ? new Date(refund.createdAt) : null,
      })),
    };
  }

  /**
   * refundCreate of the units with restock type CANCEL (back in stock, off the fulfillment
   * orders) and the money Shopify suggests for them, given back through the transactions it
   * names (none when nothing was captured: the order's total shrinks instead). The refund's id.
   */
  async cancelUnits(input: UnitCancellationInput): Promise<string> {
    const refundLineItems = input.lines.map((line) => ({ lineItemId: line.lineItemId, quantity: line.quantity, restockType: 'CANCEL' }));
    const suggestion = 'SuggestedCancellationRefund';
    const suggested = record(
      await this.admin.graphql(suggestion, SUGGESTED_REFUND_QUERY, { id: input.orderId, refundLineItems }, { costEstimate: 10 }),
      suggestion,
      'data',
    );
    const refund = record(record(suggested.order, suggestion, 'order').suggestedRefund, suggestion, 'suggestedRefund');
    if (!Array.isArray(refund.suggestedTransactions)) throw malformed(suggestion, 'suggestedRefund.suggestedTransactions');
    const transactions = refund.suggestedTransactions.map((raw) => {
      const transaction = record(raw, suggestion, 'suggestedTransaction');
      return {
        orderId: input.orderId,
        kind: 'REFUND',
        gateway: string(transaction.gateway, suggestion, 'suggestedTransaction.gateway'),
        amount: string(
          record(record(transaction.amountSet, suggestion, 'amountSet').shopMoney, suggestion, 'amountSet.shopMoney').amount,
          suggestion,
          'amountSet.shopMoney.amount',
        ),
        parentId: string(record(transaction.parentTransaction, suggestion, 'parentTransaction').id, suggestion, 'parentTransaction.id'),
      };
    });
    const operation = 'RefundCreate';
    const data = await this.admin.graphql(
      operation,
      REFUND_CREATE,
      {
        input: { orderId: input.orderId, note: input.note, notify: false, refundLineItems, transactions },
        idempotencyKey: input.idempotencyKey,
      },
      { check: (value) => checkUserErrors(operation, record(value, operation, 'data').refundCreate) },
    );
    const payload = record(record(data, operation, 'data').refundCreate, operation, 'refundCreate');
    return string(record(payload.refund, operation, 'refund').id, operation, 'refund.id');
  }
}
