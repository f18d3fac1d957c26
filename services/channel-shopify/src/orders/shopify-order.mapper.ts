// Shopify REST order JSON -> the canonical retail.orders.v1.Order. Pure. Money comes from the
// shop-currency decimal strings (`price`, `total_tax`, ...; the `*_set.presentment_money` is the
// customer's currency and is not used), converted to minor units exactly by libs/domain; an amount
// the currency cannot hold is an error, never rounded. Ids are Shopify gids. Shopify's REST
// payload carries no fraud assessment (that is Order.risk in GraphQL), so fraud_signals stay empty.
import { ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { DomainValidationError, isCurrencyCode, parseMoney, type Money } from '@retail-mesh/domain';
import { SHOPIFY_CHANNEL } from '../shopify/shopify-channel.js';
import {
  orderIdentity,
  ShopifyOrderError,
  type ShopifyAddress,
  type ShopifyDiscountAllocation,
  type ShopifyDiscountApplication,
  type ShopifyLineItem,
  type ShopifyOrder,
  type ShopifyShippingLine,
  type ShopifyTaxLine,
} from './shopify-order.js';

const { PaymentStatus } = ordersV1;

const PAYMENT_STATUSES: Record<string, ordersV1.PaymentStatus> = {
  pending: PaymentStatus.PAYMENT_STATUS_PENDING,
  authorized: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
  // Not fully paid yet: the order waits like a pending one.
  partially_paid: PaymentStatus.PAYMENT_STATUS_PENDING,
  paid: PaymentStatus.PAYMENT_STATUS_PAID,
  partially_refunded: PaymentStatus.PAYMENT_STATUS_PARTIALLY_REFUNDED,
  refunded: PaymentStatus.PAYMENT_STATUS_REFUNDED,
  voided: PaymentStatus.PAYMENT_STATUS_VOIDED,
  // The authorisation lapsed before capture.
  expired: PaymentStatus.PAYMENT_STATUS_FAILED,
};

/** Shopify's `financial_status` as the canonical payment status (UNSPECIFIED when absent or unknown). */
export function paymentStatusOf(financialStatus: string | null | undefined): ordersV1.PaymentStatus {
  return (financialStatus && PAYMENT_STATUSES[financialStatus]) || PaymentStatus.PAYMENT_STATUS_UNSPECIFIED;
}

/** A tax rate as Shopify sends it (0.08875) in parts per million (88750). */
export function ratePpm(rate: number): number {
  return Math.round(rate * 1_000_000);
}

class Reader {
  constructor(readonly currency: string) {}

  money(value: unknown, field: string): Money {
    if (typeof value !== 'string') throw new ShopifyOrderError(`${field} must be a decimal string, got ${JSON.stringify(value)}`);
    try {
      return parseMoney(value, this.currency);
    } catch (error) {
      if (error instanceof DomainValidationError) throw new ShopifyOrderError(`${field}: ${error.message}`);
      throw error;
    }
  }

  list<T>(value: T[] | undefined, field: string): T[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new ShopifyOrderError(`${field} must be an array`);
    return value;
  }

  taxes(value: ShopifyTaxLine[] | undefined, field: string): ordersV1.TaxLine[] {
    return this.list(value, field).map((tax, index) => {
      if (typeof tax.rate !== 'number' || tax.rate < 0)
        throw new ShopifyOrderError(`${field}[${index}].rate must be a non-negative number`);
      return { name: tax.title ?? '', ratePpm: ratePpm(tax.rate), amount: this.money(tax.price, `${field}[${index}].price`) };
    });
  }

  discounts(
    value: ShopifyDiscountAllocation[] | undefined,
    field: string,
    applications: ShopifyDiscountApplication[],
  ): ordersV1.Discount[] {
    return this.list(value, field).map((allocation, index) => {
      const application = applications[allocation.discount_application_index ?? -1];
      return {
        code: application?.code ?? '',
        description: application?.title ?? application?.description ?? application?.type ?? '',
        amount: this.money(allocation.amount, `${field}[${index}].amount`),
      };
    });
  }
}

function text(value: string | null | undefined): string {
  return value ?? '';
}

function address(value: ShopifyAddress | null | undefined): ordersV1.Order['shippingAddress'] {
  if (!value) return null;
  const name = value.name ?? [value.first_name, value.last_name].filter(Boolean).join(' ');
  return {
    name: text(name),
    company: text(value.company),
    line1: text(value.address1),
    line2: text(value.address2),
    city: text(value.city),
    region: text(value.province_code ?? value.province),
    postalCode: text(value.zip),
    countryCode: text(value.country_code),
    phone: text(value.phone),
    email: '',
  };
}

function line(reader: Reader, item: ShopifyLineItem, index: number, applications: ShopifyDiscountApplication[]): ordersV1.OrderLine {
  const field = `line_items[${index}]`;
  if (!Number.isSafeInteger(item.id)) throw new ShopifyOrderError(`${field}.id must be an integer`);
  if (!Number.isSafeInteger(item.quantity) || (item.quantity as number) < 1)
    throw new ShopifyOrderError(`${field}.quantity must be a positive integer`);
  return {
    lineId: '',
    channelLineId: item.admin_graphql_api_id ?? `gid://shopify/LineItem/${item.id}`,
    sku: text(item.sku),
    title: item.name ?? item.title ?? '',
    quantity: item.quantity as number,
    unitPrice: reader.money(item.price, `${field}.price`),
    discounts: reader.discounts(item.discount_allocations, `${field}.discount_allocations`, applications),
    taxes: reader.taxes(item.tax_lines, `${field}.tax_lines`),
    shippedQuantity: 0,
    cancelledQuantity: 0,
    locationId: '',
  };
}

function shipping(reader: Reader, lines: ShopifyShippingLine[], applications: ShopifyDiscountApplication[]): ordersV1.Shipping | null {
  if (lines.length === 0) return null;
  const prices = lines.map((shippingLine, index) => reader.money(shippingLine.price, `shipping_lines[${index}].price`).amountMinor);
  return {
    methodCode: text(lines[0].code ?? lines[0].title),
    methodTitle: text(lines[0].title),
    price: { amountMinor: prices.reduce((sum, price) => sum + price, 0), currency: reader.currency },
    discounts: lines.flatMap((shippingLine, index) =>
      reader.discounts(shippingLine.discount_allocations, `shipping_lines[${index}].discount_allocations`, applications),
    ),
    taxes: lines.flatMap((shippingLine, index) => reader.taxes(shippingLine.tax_lines, `shipping_lines[${index}].tax_lines`)),
  };
}

/**
 * The canonical order for SubmitOrder (order id, state, ERP ids and version are the orders
 * service's). Throws ShopifyOrderError with the field at fault when the JSON is not a usable order.
 */
export function toCanonicalOrder(json: unknown, channelAccountId: string): ordersV1.Order {
  const identity = orderIdentity(json);
  const order = json as ShopifyOrder;
  if (typeof order.currency !== 'string' || !isCurrencyCode(order.currency)) {
    throw new ShopifyOrderError(`currency must be an ISO 4217 code, got ${JSON.stringify(order.currency)}`);
  }
  const reader = new Reader(order.currency);
  const applications = reader.list(order.discount_applications, 'discount_applications');
  const items = reader.list(order.line_items, 'line_items');
  if (items.length === 0) throw new ShopifyOrderError('line_items must not be empty');
  const shippingLines = reader.list(order.shipping_lines, 'shipping_lines');
  const shippingTotal =
    order.total_shipping_price_set?.shop_money?.amount !== undefined
      ? reader.money(order.total_shipping_price_set.shop_money.amount, 'total_shipping_price_set.shop_money.amount')
      : { amountMinor: 0, currency: reader.currency };
  const customer = order.customer;
  const placedAt = order.processed_at ?? order.created_at;
  const placedAtMs = typeof placedAt === 'string' ? Date.parse(placedAt) : Number.NaN;
  if (Number.isNaN(placedAtMs)) throw new ShopifyOrderError(`processed_at must be an ISO-8601 time, got ${JSON.stringify(placedAt)}`);
  const name = [customer?.first_name, customer?.last_name].filter(Boolean).join(' ');

  return ordersV1.Order.fromPartial({
    channelAccountId,
    channel: SHOPIFY_CHANNEL,
    channelOrderId: identity.channelOrderId,
    channelOrderNumber: identity.name,
    lines: items.map((item, index) => line(reader, item, index, applications)),
    shipping: shipping(reader, shippingLines, applications),
    shippingAddress: address(order.shipping_address),
    billingAddress: address(order.billing_address),
    customer: {
      channelCustomerId: customer ? (customer.admin_graphql_api_id ?? (customer.id ? `gid://shopify/Customer/${customer.id}` : '')) : '',
      name: name || text(order.shipping_address?.name ?? order.billing_address?.name),
      email: text(order.email ?? order.contact_email ?? customer?.email),
      phone: text(order.phone ?? customer?.phone ?? order.shipping_address?.phone),
      company: text(order.billing_address?.company ?? order.shipping_address?.company),
    },
    paymentStatus: paymentStatusOf(order.financial_status),
    fraudSignals: [],
    currency: reader.currency,
    taxesIncluded: order.taxes_included === true,
    totals: {
      subtotal: reader.money(order.total_line_items_price, 'total_line_items_price'),
      discountTotal: reader.money(order.total_discounts, 'total_discounts'),
      taxTotal: reader.money(order.total_tax, 'total_tax'),
      shippingTotal,
      grandTotal: reader.money(order.total_price, 'total_price'),
    },
    purchaseOrderNumber: text(order.po_number),
    placedAt: toTimestamp(new Date(placedAtMs)),
  });
}
