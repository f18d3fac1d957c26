// The SP-API shapes the adapter reads, with the vendor's field names, and the checks that turn an
// answer into them: a field the adapter relies on that is missing or of the wrong type makes the
// answer malformed instead of silently becoming `undefined` further down.

/** Orders v0 money: the amount is a decimal **string**. */
export interface AmazonMoney {
  CurrencyCode: string;
  Amount: string;
}

export const AMAZON_ORDER_STATUSES = [
  'Pending',
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'Canceled',
  'Unfulfillable',
  'InvoiceUnconfirmed',
  'PendingAvailability',
] as const;
export type AmazonOrderStatus = (typeof AMAZON_ORDER_STATUSES)[number];

/**
 * Orders v0 `Address`. With an LWA token only City, StateOrRegion, PostalCode and CountryCode
 * are present; Name, the address lines and Phone are buyer PII that need a Restricted Data Token.
 */
export interface AmazonAddress {
  Name?: string;
  CompanyName?: string;
  AddressLine1?: string;
  AddressLine2?: string;
  AddressLine3?: string;
  City?: string;
  County?: string;
  District?: string;
  StateOrRegion?: string;
  Municipality?: string;
  PostalCode?: string;
  CountryCode?: string;
  Phone?: string;
  AddressType?: string;
}

/** `MFN`: the seller ships; `AFN`: fulfilled by Amazon. */
export type AmazonFulfillmentChannel = 'MFN' | 'AFN';

export interface AmazonOrder {
  AmazonOrderId: string;
  PurchaseDate: string;
  LastUpdateDate: string;
  OrderStatus: AmazonOrderStatus;
  FulfillmentChannel?: AmazonFulfillmentChannel;
  MarketplaceId?: string;
  OrderTotal?: AmazonMoney;
  NumberOfItemsShipped?: number;
  NumberOfItemsUnshipped?: number;
  ShipServiceLevel?: string;
  ShipmentServiceLevelCategory?: string;
  IsBusinessOrder?: boolean;
  SellerOrderId?: string;
  ShippingAddress?: AmazonAddress;
}

/** getOrderAddress's payload; ShippingAddress is absent unless the order is Unshipped, PartiallyShipped, Shipped or InvoiceUnconfirmed. */
export interface AmazonOrderAddress {
  AmazonOrderId: string;
  ShippingAddress?: AmazonAddress;
}

/** A resource a Restricted Data Token is asked for (Tokens API 2021-03-01). */
export interface RestrictedResource {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** A specific path (`/orders/v0/orders/113-…/address`) or a generic one (`/orders/v0/orders/{orderId}/address`). */
  path: string;
  /** Required for getOrders, getOrder and getOrderItems: `buyerInfo`, `shippingAddress`, `buyerTaxInformation`. */
  dataElements?: string[];
}

export interface AmazonOrderItem {
  OrderItemId: string;
  SellerSKU?: string;
  ASIN?: string;
  Title?: string;
  QuantityOrdered: number;
  QuantityShipped?: number;
  ItemPrice?: AmazonMoney;
  ItemTax?: AmazonMoney;
  PromotionDiscount?: AmazonMoney;
  PromotionDiscountTax?: AmazonMoney;
  ShippingPrice?: AmazonMoney;
  ShippingTax?: AmazonMoney;
  ShippingDiscount?: AmazonMoney;
  PromotionIds?: string[];
  BuyerRequestedCancel?: { IsBuyerRequestedCancel?: string; BuyerCancelReason?: string };
}

export interface OrdersPage {
  orders: AmazonOrder[];
  nextToken?: string;
  /** The upper bound Amazon applied to LastUpdateDate: the next poll can start from it. */
  lastUpdatedBefore?: string;
}

export const FEED_PROCESSING_STATUSES = ['IN_QUEUE', 'IN_PROGRESS', 'DONE', 'FATAL', 'CANCELLED'] as const;
export type FeedProcessingStatus = (typeof FEED_PROCESSING_STATUSES)[number];

export interface AmazonFeed {
  feedId: string;
  feedType: string;
  processingStatus: FeedProcessingStatus;
  resultFeedDocumentId?: string;
}

export interface ListingsIssue {
  code: string;
  message: string;
  severity: string;
  attributeNames?: string[];
}

export interface ListingsSubmission {
  sku: string;
  status: 'ACCEPTED' | 'INVALID';
  submissionId: string;
  issues: ListingsIssue[];
}

export interface ListingsItem {
  sku: string;
  /** The DEFAULT (seller-fulfilled) quantity, null when the listing has none. */
  quantity: number | null;
  asin: string | null;
}

/** Why a value is not the shape expected, or undefined when it is. */
export type ShapeCheck = string | undefined;

function isMoney(value: unknown): value is AmazonMoney {
  const money = value as AmazonMoney | undefined;
  return typeof money?.CurrencyCode === 'string' && typeof money.Amount === 'string';
}

export function checkOrder(value: unknown): ShapeCheck {
  const order = value as Partial<AmazonOrder> | undefined;
  if (typeof order?.AmazonOrderId !== 'string' || order.AmazonOrderId === '') return 'an order without AmazonOrderId';
  for (const field of ['PurchaseDate', 'LastUpdateDate'] as const) {
    if (typeof order[field] !== 'string' || Number.isNaN(Date.parse(order[field] as string)))
      return `order ${order.AmazonOrderId} has no valid ${field}`;
  }
  if (!(AMAZON_ORDER_STATUSES as readonly string[]).includes(order.OrderStatus as string))
    return `order ${order.AmazonOrderId} has an unknown OrderStatus`;
  if (order.OrderTotal !== undefined && !isMoney(order.OrderTotal)) return `order ${order.AmazonOrderId} has a malformed OrderTotal`;
  return undefined;
}

const ADDRESS_TEXT_FIELDS: ReadonlyArray<keyof AmazonAddress> = [
  'Name',
  'CompanyName',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'City',
  'County',
  'District',
  'StateOrRegion',
  'Municipality',
  'PostalCode',
  'CountryCode',
  'Phone',
  'AddressType',
];

/** Checks of PII answers name fields, never their values: the reason may reach a log. */
export function checkOrderAddress(value: unknown): ShapeCheck {
  const payload = value as Partial<AmazonOrderAddress> | undefined;
  if (typeof payload?.AmazonOrderId !== 'string' || payload.AmazonOrderId === '') return 'an order address without AmazonOrderId';
  const address = payload.ShippingAddress as unknown;
  if (address === undefined) return undefined;
  if (typeof address !== 'object' || address === null || Array.isArray(address))
    return `the address of order ${payload.AmazonOrderId} is not an object`;
  const field = ADDRESS_TEXT_FIELDS.find((name) => {
    const fieldValue = (address as Record<string, unknown>)[name];
    return fieldValue !== undefined && typeof fieldValue !== 'string';
  });
  return field ? `the address of order ${payload.AmazonOrderId} has a malformed ${field}` : undefined;
}

export function checkOrderItem(value: unknown): ShapeCheck {
  const item = value as Partial<AmazonOrderItem> | undefined;
  if (typeof item?.OrderItemId !== 'string' || item.OrderItemId === '') return 'an order item without OrderItemId';
  if (!Number.isSafeInteger(item.QuantityOrdered) || (item.QuantityOrdered as number) < 0)
    return `order item ${item.OrderItemId} has no valid QuantityOrdered`;
  for (const field of ['ItemPrice', 'ItemTax', 'PromotionDiscount', 'ShippingPrice', 'ShippingTax', 'ShippingDiscount'] as const) {
    if (item[field] !== undefined && !isMoney(item[field])) return `order item ${item.OrderItemId} has a malformed ${field}`;
  }
  return undefined;
}
