// What the sandbox keeps of an order: the fields its REST JSON, webhook payloads and GraphQL Order
// are rendered from. Money is in minor units of the order's currency (see decimal-money.ts), ids
// are Shopify gids with their numeric tail, as the REST API shows them.

// The CurrencyCode values the sandbox's schema declares (Shopify's enum has every ISO 4217 code).
export const CURRENCY_CODES = [
  'AED',
  'AUD',
  'BGN',
  'BRL',
  'CAD',
  'CHF',
  'CNY',
  'CZK',
  'DKK',
  'EUR',
  'GBP',
  'HKD',
  'HUF',
  'ILS',
  'INR',
  'JPY',
  'KRW',
  'MXN',
  'NOK',
  'NZD',
  'PLN',
  'RON',
  'SAR',
  'SEK',
  'SGD',
  'TRY',
  'USD',
  'ZAR',
] as const;

export interface AddressState {
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  address1: string | null;
  address2: string | null;
  city: string | null;
  province: string | null;
  provinceCode: string | null;
  zip: string | null;
  country: string | null;
  countryCode: string | null;
  phone: string | null;
}

export interface CustomerState {
  id: string;
  numericId: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
}

export interface TaxLineState {
  title: string;
  /** Shopify sends the rate as a JSON number, e.g. 0.19. */
  rate: number;
  priceMinor: number;
}

export interface DiscountAllocationState {
  amountMinor: number;
  /** Index into the order's discount applications. */
  applicationIndex: number;
}

export interface DiscountApplicationState {
  code: string;
  title: string;
  description: string;
  valueType: 'fixed_amount' | 'percentage';
  targetType: 'line_item' | 'shipping_line';
}

export interface LineItemState {
  id: string;
  numericId: number;
  sku: string | null;
  title: string;
  variantTitle: string | null;
  variantId: string | null;
  quantity: number;
  priceMinor: number;
  requiresShipping: boolean;
  taxLines: TaxLineState[];
  discountAllocations: DiscountAllocationState[];
}

export interface ShippingLineState {
  id: string;
  numericId: number;
  code: string;
  title: string;
  priceMinor: number;
  taxLines: TaxLineState[];
  discountAllocations: DiscountAllocationState[];
}

export const FULFILLMENT_ORDER_STATUSES = ['OPEN', 'IN_PROGRESS', 'CLOSED', 'CANCELLED', 'INCOMPLETE', 'ON_HOLD', 'SCHEDULED'] as const;
export type FulfillmentOrderStatus = (typeof FULFILLMENT_ORDER_STATUSES)[number];

export interface FulfillmentOrderLineItemState {
  id: string;
  numericId: number;
  lineItemId: string;
  totalQuantity: number;
  remainingQuantity: number;
}

/** Shopify splits an order into fulfillment orders, one per location that fulfils some of it. */
export interface FulfillmentOrderState {
  id: string;
  numericId: number;
  status: FulfillmentOrderStatus;
  locationId: string;
  locationName: string;
  lineItems: FulfillmentOrderLineItemState[];
  createdAt: string;
  updatedAt: string;
}

export interface TrackingInfoState {
  company: string | null;
  number: string | null;
  url: string | null;
}

export interface FulfillmentLineItemState {
  id: string;
  numericId: number;
  lineItemId: string;
  quantity: number;
}

export interface FulfillmentState {
  id: string;
  numericId: number;
  /** `#1001.1`, `#1001.2`, ... */
  name: string;
  status: 'SUCCESS' | 'CANCELLED';
  locationId: string;
  trackingInfo: TrackingInfoState[];
  lineItems: FulfillmentLineItemState[];
  notifyCustomer: boolean;
  createdAt: string;
  updatedAt: string;
}

export const CANCEL_REASONS = ['CUSTOMER', 'DECLINED', 'FRAUD', 'INVENTORY', 'OTHER', 'STAFF'] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** How an order was cancelled, for tests to inspect. */
export interface CancellationState {
  reason: CancelReason;
  restock: boolean;
  refund: boolean;
  notifyCustomer: boolean;
  staffNote: string | null;
  /** `merchant` (admin route) or `api` (orderCancel). */
  by: 'merchant' | 'api';
}

export const TRANSACTION_KINDS = ['AUTHORIZATION', 'SALE', 'CAPTURE', 'REFUND', 'VOID'] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** A payment transaction of the order (money in minor units); the sandbox's all succeed. */
export interface TransactionState {
  id: string;
  numericId: number;
  kind: TransactionKind;
  gateway: string;
  amountMinor: number;
  /** The authorization a capture takes, the sale or capture a refund gives back. */
  parentId: string | null;
  createdAt: string;
}

export const RESTOCK_TYPES = ['CANCEL', 'LEGACY_RESTOCK', 'NO_RESTOCK', 'RETURN'] as const;
export type RestockType = (typeof RESTOCK_TYPES)[number];

export interface RefundLineItemState {
  id: string;
  numericId: number;
  lineItemId: string;
  quantity: number;
  /** CANCEL: unfulfilled units taken off the order; RETURN: fulfilled units back in stock; NO_RESTOCK: money only. */
  restockType: RestockType;
  locationId: string | null;
  subtotalMinor: number;
  taxMinor: number;
}

export interface RefundState {
  id: string;
  numericId: number;
  note: string | null;
  lineItems: RefundLineItemState[];
  /** Its REFUND transactions. */
  transactionIds: string[];
  createdAt: string;
}

/** A metafield of the order (metafieldsSet): a typed value under namespace + key. */
export interface MetafieldState {
  id: string;
  numericId: number;
  namespace: string;
  key: string;
  /** A metafield type name, e.g. `single_line_text_field`. */
  type: string;
  /** Metafield values are strings whatever their type (`"12"`, `"true"`). */
  value: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export const FINANCIAL_STATUSES = [
  'pending',
  'authorized',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
  'expired',
] as const;
export type FinancialStatus = (typeof FINANCIAL_STATUSES)[number];

export interface OrderState {
  id: string;
  numericId: number;
  /** `#1001`. */
  name: string;
  orderNumber: number;
  email: string | null;
  phone: string | null;
  currency: string;
  financialStatus: FinancialStatus;
  /** Prices include tax (VAT-style): the total is not increased by the taxes. */
  taxesIncluded: boolean;
  poNumber: string | null;
  note: string | null;
  tags: string[];
  test: boolean;
  sourceName: string;
  customer: CustomerState | null;
  shippingAddress: AddressState | null;
  billingAddress: AddressState | null;
  lineItems: LineItemState[];
  shippingLines: ShippingLineState[];
  discountApplications: DiscountApplicationState[];
  fulfillmentOrders: FulfillmentOrderState[];
  fulfillments: FulfillmentState[];
  transactions: TransactionState[];
  refunds: RefundState[];
  metafields: MetafieldState[];
  /** Milliseconds since the epoch: rendered per API (REST with the shop's offset, GraphQL in UTC). */
  createdAtMs: number;
  updatedAtMs: number;
  processedAtMs: number;
  cancelledAtMs: number | null;
  closedAtMs: number | null;
  cancellation: CancellationState | null;
}

/** orderCancel's background job. */
export interface JobState {
  id: string;
  done: boolean;
}

export function fulfilledQuantity(order: OrderState, lineItemId: string): number {
  return order.fulfillments
    .filter((fulfillment) => fulfillment.status === 'SUCCESS')
    .flatMap((fulfillment) => fulfillment.lineItems)
    .filter((line) => line.lineItemId === lineItemId)
    .reduce((sum, line) => sum + line.quantity, 0);
}

/** Units of a line refunded with this restock type (every type when none is given). */
export function refundedQuantity(order: OrderState, lineItemId: string, restockType?: RestockType): number {
  return order.refunds
    .flatMap((refund) => refund.lineItems)
    .filter((line) => line.lineItemId === lineItemId && (restockType === undefined || line.restockType === restockType))
    .reduce((sum, line) => sum + line.quantity, 0);
}

/** Units of a line neither fulfilled nor cancelled off the order by a refund (restock type CANCEL). */
export function unfulfilledQuantity(order: OrderState, line: LineItemState): number {
  if (order.cancelledAtMs !== null) return 0;
  return Math.max(0, line.quantity - fulfilledQuantity(order, line.id) - refundedQuantity(order, line.id, 'CANCEL'));
}

/** REST `fulfillment_status`: null (nothing shipped), `partial` or `fulfilled` (every unit not cancelled off the order). */
export function restFulfillmentStatus(order: OrderState): 'partial' | 'fulfilled' | null {
  const shippable = order.lineItems.filter((line) => line.requiresShipping);
  const shipped = shippable.map((line) => fulfilledQuantity(order, line.id));
  if (shipped.every((quantity) => quantity === 0)) return null;
  return shippable.every((line, index) => shipped[index] >= line.quantity - refundedQuantity(order, line.id, 'CANCEL'))
    ? 'fulfilled'
    : 'partial';
}
