// The REST representation of a Shopify order: the body of orders/* webhooks and of the entries of
// GET /orders.json. Only the fields the adapter reads are typed; everything arrives as untrusted
// JSON, so `orderIdentity` checks what intake needs and the mapper checks the rest.

export interface ShopifyMoneySet {
  shop_money?: { amount?: string; currency_code?: string };
}

export interface ShopifyTaxLine {
  title?: string;
  /** A JSON number such as 0.19. */
  rate?: number;
  price?: string;
}

export interface ShopifyDiscountAllocation {
  amount?: string;
  discount_application_index?: number;
}

export interface ShopifyDiscountApplication {
  type?: string;
  code?: string | null;
  title?: string | null;
  description?: string | null;
}

export interface ShopifyLineItem {
  id?: number;
  admin_graphql_api_id?: string;
  sku?: string | null;
  title?: string;
  name?: string;
  quantity?: number;
  price?: string;
  tax_lines?: ShopifyTaxLine[];
  discount_allocations?: ShopifyDiscountAllocation[];
}

export interface ShopifyShippingLine {
  code?: string | null;
  title?: string;
  price?: string;
  tax_lines?: ShopifyTaxLine[];
  discount_allocations?: ShopifyDiscountAllocation[];
}

export interface ShopifyAddress {
  first_name?: string | null;
  last_name?: string | null;
  name?: string | null;
  company?: string | null;
  address1?: string | null;
  address2?: string | null;
  city?: string | null;
  province?: string | null;
  province_code?: string | null;
  zip?: string | null;
  country_code?: string | null;
  phone?: string | null;
}

export interface ShopifyCustomer {
  id?: number;
  admin_graphql_api_id?: string;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface ShopifyOrder {
  id: number;
  admin_graphql_api_id?: string;
  name?: string;
  email?: string | null;
  contact_email?: string | null;
  phone?: string | null;
  currency?: string;
  financial_status?: string | null;
  created_at?: string;
  updated_at: string;
  processed_at?: string | null;
  cancelled_at?: string | null;
  cancel_reason?: string | null;
  po_number?: string | null;
  taxes_included?: boolean;
  total_line_items_price?: string;
  total_discounts?: string;
  total_tax?: string;
  total_price?: string;
  total_shipping_price_set?: ShopifyMoneySet;
  line_items?: ShopifyLineItem[];
  shipping_lines?: ShopifyShippingLine[];
  shipping_address?: ShopifyAddress | null;
  billing_address?: ShopifyAddress | null;
  customer?: ShopifyCustomer | null;
  discount_applications?: ShopifyDiscountApplication[];
}

/** What intake needs of an order to store it: who it is and how recent. */
export interface OrderIdentity {
  /** `gid://shopify/Order/<id>`: the canonical channel order id. */
  channelOrderId: string;
  name: string;
  updatedAt: Date;
  /** Set once the order is cancelled on Shopify. */
  cancelledAt: Date | null;
}

export class ShopifyOrderError extends Error {
  override readonly name = 'ShopifyOrderError';
}

export function orderGid(id: number): string {
  return `gid://shopify/Order/${id}`;
}

function parseTime(value: unknown, field: string): Date {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new ShopifyOrderError(`${field} must be an ISO-8601 time, got ${JSON.stringify(value)}`);
  return new Date(ms);
}

/** Checks the identity of an order JSON (throws ShopifyOrderError with the reason). */
export function orderIdentity(value: unknown): OrderIdentity {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShopifyOrderError('the order is not a JSON object');
  const order = value as Partial<ShopifyOrder>;
  if (!Number.isSafeInteger(order.id) || (order.id as number) <= 0) throw new ShopifyOrderError('id must be a positive integer');
  const channelOrderId = orderGid(order.id as number);
  if (order.admin_graphql_api_id !== undefined && order.admin_graphql_api_id !== channelOrderId) {
    throw new ShopifyOrderError(`admin_graphql_api_id ${JSON.stringify(order.admin_graphql_api_id)} does not match id ${order.id}`);
  }
  return {
    channelOrderId,
    name: typeof order.name === 'string' ? order.name : '',
    updatedAt: parseTime(order.updated_at, 'updated_at'),
    cancelledAt: order.cancelled_at === null || order.cancelled_at === undefined ? null : parseTime(order.cancelled_at, 'cancelled_at'),
  };
}
