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

export interface AmazonOrder {
  AmazonOrderId: string;
  PurchaseDate: string;
  LastUpdateDate: string;
  OrderStatus: AmazonOrderStatus;
  MarketplaceId?: string;
  OrderTotal?: AmazonMoney;
  NumberOfItemsShipped?: number;
  NumberOfItemsUnshipped?: number;
  ShipServiceLevel?: string;
  ShipmentServiceLevelCategory?: string;
  IsBusinessOrder?: boolean;
  SellerOrderId?: string;
  ShippingAddress?: { Name?: string; City?: string; StateOrRegion?: string; PostalCode?: string; CountryCode?: string };
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
