// An order's payments and refunds. Transactions: a paid checkout records a SALE of the total, an
// authorized one an AUTHORIZATION; the merchant marking it paid captures what is outstanding;
// orderCancel with a refund gives back every captured amount (and voids what was only authorized).
// refundCreate: line items with a restock type (CANCEL takes unfulfilled units off the order and
// its fulfillment orders, RETURN takes back fulfilled ones, NO_RESTOCK refunds money only) and
// REFUND transactions against a SALE or CAPTURE, all or nothing. suggestedRefund computes what
// line items are worth (their discounts and taxes pro-rated by unit) and which transactions can
// give it back. Money is in minor units.
import type { SandboxServices } from '../sandbox-services.js';
import type { ShopRegistry, ShopState } from '../shops/shop-registry.js';
import { WEBHOOK_TOPICS } from '../webhooks/webhook-topics.js';
import { parseDecimalMinor } from './decimal-money.js';
import { orderChanged } from './order-changes.js';
import { lineDiscountMinor, lineTaxMinor } from './order-json.js';
import {
  fulfilledQuantity,
  refundedQuantity,
  unfulfilledQuantity,
  type FinancialStatus,
  type LineItemState,
  type OrderState,
  type RefundLineItemState,
  type RefundState,
  type RestockType,
  type TransactionKind,
  type TransactionState,
} from './order-state.js';

/** Shopify's test payment gateway. */
export const SANDBOX_GATEWAY = 'bogus';

export function newTransaction(
  registry: ShopRegistry,
  kind: TransactionKind,
  amountMinor: number,
  parent: TransactionState | null,
  createdAt: string,
): TransactionState {
  return {
    ...registry.newId('OrderTransaction'),
    kind,
    gateway: parent?.gateway ?? SANDBOX_GATEWAY,
    amountMinor,
    parentId: parent?.id ?? null,
    createdAt,
  };
}

/** What a checkout in this financial status has paid: a SALE when paid, an AUTHORIZATION when authorized, else nothing yet. */
export function checkoutTransactions(
  registry: ShopRegistry,
  status: FinancialStatus,
  totalMinor: number,
  createdAt: string,
): TransactionState[] {
  if (status === 'paid') return [newTransaction(registry, 'SALE', totalMinor, null, createdAt)];
  if (status === 'authorized') return [newTransaction(registry, 'AUTHORIZATION', totalMinor, null, createdAt)];
  return [];
}

function sumOf(transactions: readonly TransactionState[], kinds: readonly TransactionKind[]): number {
  return transactions
    .filter((transaction) => kinds.includes(transaction.kind))
    .reduce((sum, transaction) => sum + transaction.amountMinor, 0);
}

/** The SALEs and CAPTUREs of the order with what each can still give back. */
export function refundableTransactions(order: OrderState): Array<{ parent: TransactionState; refundableMinor: number }> {
  return order.transactions
    .filter((transaction) => transaction.kind === 'SALE' || transaction.kind === 'CAPTURE')
    .map((parent) => ({
      parent,
      refundableMinor:
        parent.amountMinor -
        sumOf(
          order.transactions.filter((transaction) => transaction.parentId === parent.id),
          ['REFUND'],
        ),
    }));
}

/** The merchant marked the order paid: capture the authorization (or record a sale) for what is outstanding. */
export function captureOutstanding(registry: ShopRegistry, order: OrderState, totalMinor: number, createdAt: string): void {
  const outstanding = totalMinor - sumOf(order.transactions, ['SALE', 'CAPTURE']);
  if (outstanding <= 0) return;
  const authorization = order.transactions.find((transaction) => transaction.kind === 'AUTHORIZATION') ?? null;
  order.transactions.push(newTransaction(registry, authorization ? 'CAPTURE' : 'SALE', outstanding, authorization, createdAt));
}

/** orderCancel with a refund: every captured amount back, every authorization nothing was captured from voided. */
export function refundAll(registry: ShopRegistry, order: OrderState, createdAt: string): void {
  for (const { parent, refundableMinor } of refundableTransactions(order)) {
    if (refundableMinor > 0) order.transactions.push(newTransaction(registry, 'REFUND', refundableMinor, parent, createdAt));
  }
  for (const authorization of order.transactions.filter((transaction) => transaction.kind === 'AUTHORIZATION')) {
    const captured = order.transactions.some((transaction) => transaction.parentId === authorization.id);
    if (!captured) order.transactions.push(newTransaction(registry, 'VOID', authorization.amountMinor, authorization, createdAt));
  }
}

/** `partially_refunded` / `refunded` once money went back; unchanged otherwise. */
export function settleFinancialStatus(order: OrderState): void {
  const refunded = sumOf(order.transactions, ['REFUND']);
  if (refunded === 0) return;
  order.financialStatus = refunded >= sumOf(order.transactions, ['SALE', 'CAPTURE']) ? 'refunded' : 'partially_refunded';
}

/** `total` spread over a line's units: the part of `units` units after `before` were taken (sums exactly to the total). */
function share(totalMinor: number, line: LineItemState, before: number, units: number): number {
  const upTo = (count: number) => Math.round((totalMinor * count) / line.quantity);
  return upTo(before + units) - upTo(before);
}

/**
 * What `quantity` more units of a line are worth, after the units refunded already and `pending`
 * more: price less their part of the discounts, and their part of the taxes.
 */
export function lineRefundAmounts(
  order: OrderState,
  line: LineItemState,
  quantity: number,
  pending = 0,
): { subtotalMinor: number; taxMinor: number } {
  const before = refundedQuantity(order, line.id) + pending;
  return {
    subtotalMinor: line.priceMinor * quantity - share(lineDiscountMinor(line), line, before, quantity),
    taxMinor: share(lineTaxMinor(line), line, before, quantity),
  };
}

export interface RefundLineItemInput {
  lineItemId: string;
  quantity: number;
  restockType?: RestockType | null;
  locationId?: string | null;
}

export interface OrderTransactionInput {
  amount: string;
  gateway: string;
  kind: string;
  orderId: string;
  parentId?: string | null;
}

export interface RefundInput {
  orderId: string;
  note?: string | null;
  notify?: boolean | null;
  currency?: string | null;
  refundLineItems?: RefundLineItemInput[] | null;
  transactions?: OrderTransactionInput[] | null;
}

export interface SuggestedRefund {
  subtotalMinor: number;
  taxMinor: number;
  amountMinor: number;
  maximumRefundableMinor: number;
  transactions: Array<{ parent: TransactionState; amountMinor: number; maximumRefundableMinor: number }>;
}

/** What refunding these units is worth (at most what was captured and not refunded) and the transactions that can give it back. */
export function suggestRefund(order: OrderState, inputs: readonly RefundLineItemInput[]): SuggestedRefund {
  let subtotalMinor = 0;
  let taxMinor = 0;
  for (const input of inputs) {
    const line = order.lineItems.find((candidate) => candidate.id === input.lineItemId);
    if (!line) continue;
    const quantity = Math.min(Math.max(0, input.quantity), line.quantity - refundedQuantity(order, line.id));
    const amounts = lineRefundAmounts(order, line, quantity);
    subtotalMinor += amounts.subtotalMinor;
    taxMinor += amounts.taxMinor;
  }
  const refundable = refundableTransactions(order).filter(({ refundableMinor }) => refundableMinor > 0);
  const maximumRefundableMinor = refundable.reduce((sum, { refundableMinor }) => sum + refundableMinor, 0);
  const amountMinor = Math.min(subtotalMinor + (order.taxesIncluded ? 0 : taxMinor), maximumRefundableMinor);
  const transactions: SuggestedRefund['transactions'] = [];
  let left = amountMinor;
  for (const { parent, refundableMinor } of refundable) {
    if (left === 0) break;
    const amount = Math.min(left, refundableMinor);
    transactions.push({ parent, amountMinor: amount, maximumRefundableMinor: refundableMinor });
    left -= amount;
  }
  return { subtotalMinor, taxMinor, amountMinor, maximumRefundableMinor, transactions };
}

export interface RefundUserError {
  field: string[] | null;
  message: string;
}

export interface RefundResult {
  refund: RefundState | null;
  order: OrderState | null;
  userErrors: RefundUserError[];
}

/** refundCreate: all or nothing; a refund delivers orders/updated. */
export function createRefund(services: SandboxServices, shop: ShopState, input: RefundInput): RefundResult {
  const failed = (field: string[] | null, message: string): RefundResult => ({
    refund: null,
    order: null,
    userErrors: [{ field, message }],
  });
  const order = shop.orders.get(input.orderId);
  if (!order) return failed(['orderId'], 'Order does not exist.');
  if (input.currency && input.currency !== order.currency) return failed(['currency'], `Currency must be ${order.currency}.`);
  const lines = input.refundLineItems ?? [];
  const transactions = input.transactions ?? [];
  if (lines.length === 0 && transactions.length === 0) return failed(null, 'A refund needs line items or transactions.');

  const asked = new Map<string, number>();
  const plannedLines: Array<{ line: LineItemState; quantity: number; restockType: RestockType; locationId: string | null }> = [];
  for (const [index, entry] of lines.entries()) {
    const field = (name: string) => ['refundLineItems', String(index), name];
    const line = order.lineItems.find((candidate) => candidate.id === entry.lineItemId);
    if (!line) return failed(field('lineItemId'), 'Line item does not exist on this order.');
    if (!Number.isSafeInteger(entry.quantity) || entry.quantity < 1) return failed(field('quantity'), 'Quantity must be greater than 0.');
    const restockType = entry.restockType ?? 'NO_RESTOCK';
    if (restockType === 'LEGACY_RESTOCK')
      return failed(field('restockType'), 'Restock type LEGACY_RESTOCK is not accepted for new refunds.');
    const locationId = entry.locationId ?? null;
    if (locationId !== null && !shop.locations.has(locationId)) return failed(field('locationId'), 'Location does not exist.');
    const key = `${line.id} ${restockType}`;
    const total = (asked.get(key) ?? 0) + entry.quantity;
    asked.set(key, total);
    const allTypes = [...asked].filter(([other]) => other.startsWith(`${line.id} `)).reduce((sum, [, quantity]) => sum + quantity, 0);
    if (allTypes > line.quantity - refundedQuantity(order, line.id))
      return failed(field('quantity'), 'Quantity cannot refund more items than were purchased.');
    if (restockType === 'CANCEL' && total > unfulfilledQuantity(order, line))
      return failed(field('quantity'), 'Quantity cannot cancel more items than are unfulfilled.');
    if (restockType === 'RETURN' && total > fulfilledQuantity(order, line.id) - refundedQuantity(order, line.id, 'RETURN'))
      return failed(field('quantity'), 'Quantity cannot return more items than were fulfilled.');
    plannedLines.push({ line, quantity: entry.quantity, restockType, locationId });
  }

  const refundable = new Map(refundableTransactions(order).map(({ parent, refundableMinor }) => [parent.id, { parent, refundableMinor }]));
  const plannedTransactions: Array<{ parent: TransactionState; amountMinor: number }> = [];
  for (const [index, transaction] of transactions.entries()) {
    const field = (name: string) => ['transactions', String(index), name];
    if (transaction.kind !== 'REFUND') return failed(field('kind'), 'Only REFUND transactions can be created with a refund.');
    if (transaction.orderId !== order.id) return failed(field('orderId'), 'Transaction must belong to the refunded order.');
    const parent = transaction.parentId ? refundable.get(transaction.parentId) : undefined;
    if (!parent) return failed(field('parentId'), 'Parent transaction does not exist or cannot be refunded.');
    if (transaction.gateway !== parent.parent.gateway) return failed(field('gateway'), 'Gateway must be the parent transaction’s gateway.');
    const amountMinor = parseDecimalMinor(transaction.amount);
    if (amountMinor === undefined || amountMinor <= 0) return failed(field('amount'), 'Amount must be greater than 0.');
    if (amountMinor > parent.refundableMinor)
      return failed(field('amount'), 'Amount is greater than what the parent transaction can refund.');
    parent.refundableMinor -= amountMinor;
    plannedTransactions.push({ parent: parent.parent, amountMinor });
  }

  const { registry } = services;
  const createdAt = new Date(registry.nowMs()).toISOString();
  const refundLines: RefundLineItemState[] = [];
  for (const { line, quantity, restockType, locationId } of plannedLines) {
    // Another entry of the same line in this refund pro-rates after the ones before it.
    const pending = refundLines.filter((entry) => entry.lineItemId === line.id).reduce((sum, entry) => sum + entry.quantity, 0);
    const amounts = lineRefundAmounts(order, line, quantity, pending);
    refundLines.push({ ...registry.newId('RefundLineItem'), lineItemId: line.id, quantity, restockType, locationId, ...amounts });
  }
  const refundTransactions = plannedTransactions.map(({ parent, amountMinor }) =>
    newTransaction(registry, 'REFUND', amountMinor, parent, createdAt),
  );
  order.transactions.push(...refundTransactions);
  const refund: RefundState = {
    ...registry.newId('Refund'),
    note: input.note ?? null,
    lineItems: refundLines,
    transactionIds: refundTransactions.map((transaction) => transaction.id),
    createdAt,
  };
  order.refunds.push(refund);
  for (const { line, quantity, restockType } of plannedLines)
    if (restockType === 'CANCEL') removeFromFulfillmentOrders(order, line.id, quantity, createdAt);
  settleFinancialStatus(order);
  orderChanged(services, shop, order, [WEBHOOK_TOPICS.ORDERS_UPDATED]);
  return { refund, order, userErrors: [] };
}

/** Cancelled units leave the open fulfillment orders; one with nothing left to fulfil closes. */
function removeFromFulfillmentOrders(order: OrderState, lineItemId: string, quantity: number, stamp: string): void {
  let left = quantity;
  for (const fulfillmentOrder of order.fulfillmentOrders) {
    if (left === 0) break;
    if (fulfillmentOrder.status !== 'OPEN' && fulfillmentOrder.status !== 'IN_PROGRESS') continue;
    for (const item of fulfillmentOrder.lineItems) {
      if (item.lineItemId !== lineItemId || item.remainingQuantity === 0) continue;
      const taken = Math.min(left, item.remainingQuantity);
      item.remainingQuantity -= taken;
      item.totalQuantity -= taken;
      left -= taken;
      fulfillmentOrder.updatedAt = stamp;
    }
    if (fulfillmentOrder.lineItems.every((item) => item.remainingQuantity === 0)) fulfillmentOrder.status = 'CLOSED';
  }
}
