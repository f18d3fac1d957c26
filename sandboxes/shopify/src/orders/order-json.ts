// The REST representation of an order: the body of `GET /orders.json` entries and of every
// orders/* webhook. Money is decimal strings with `*_set` money bags, ids are numbers plus
// `admin_graphql_api_id`, timestamps carry the shop's UTC offset, `tags` is one comma-separated
// string: the wire-format traps a client of the real API has to handle.
import type { ShopState } from '../shops/shop-registry.js';
import { formatDecimalMinor } from './decimal-money.js';
import {
  fulfilledQuantity,
  refundedQuantity,
  restFulfillmentStatus,
  unfulfilledQuantity,
  type AddressState,
  type DiscountAllocationState,
  type LineItemState,
  type OrderState,
  type RefundState,
  type ShippingLineState,
  type TaxLineState,
} from './order-state.js';

/** `2026-11-27T05:00:00-05:00`: second precision, in the shop's time zone. */
export function shopTimestamp(ms: number, utcOffsetMinutes: number): string {
  const local = new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(utcOffsetMinutes);
  return `${local}${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/** GraphQL DateTime: UTC, second precision. */
export function utcTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function moneySet(minor: number, currency: string) {
  const money = { amount: formatDecimalMinor(minor), currency_code: currency };
  return { shop_money: money, presentment_money: { ...money } };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function lineDiscountMinor(line: Pick<LineItemState | ShippingLineState, 'discountAllocations'>): number {
  return sum(line.discountAllocations.map((allocation) => allocation.amountMinor));
}

export function lineTaxMinor(line: Pick<LineItemState | ShippingLineState, 'taxLines'>): number {
  return sum(line.taxLines.map((tax) => tax.priceMinor));
}

/** The order's totals as Shopify computes them; with taxes included in prices they add nothing to the total. */
export function orderTotals(order: OrderState) {
  const lineItemsPrice = sum(order.lineItems.map((line) => line.priceMinor * line.quantity));
  const lineDiscounts = sum(order.lineItems.map(lineDiscountMinor));
  const shippingPrice = sum(order.shippingLines.map((line) => line.priceMinor));
  const shippingDiscounts = sum(order.shippingLines.map(lineDiscountMinor));
  const tax = sum([...order.lineItems, ...order.shippingLines].map(lineTaxMinor));
  const subtotal = lineItemsPrice - lineDiscounts;
  return {
    lineItemsPrice,
    subtotal,
    discounts: lineDiscounts + shippingDiscounts,
    shipping: shippingPrice,
    tax,
    total: subtotal + shippingPrice - shippingDiscounts + (order.taxesIncluded ? 0 : tax),
  };
}

function taxLinesJson(taxLines: TaxLineState[], currency: string) {
  return taxLines.map((tax) => ({
    channel_liable: false,
    price: formatDecimalMinor(tax.priceMinor),
    price_set: moneySet(tax.priceMinor, currency),
    rate: tax.rate,
    title: tax.title,
  }));
}

function allocationsJson(allocations: DiscountAllocationState[], currency: string) {
  return allocations.map((allocation) => ({
    amount: formatDecimalMinor(allocation.amountMinor),
    amount_set: moneySet(allocation.amountMinor, currency),
    discount_application_index: allocation.applicationIndex,
  }));
}

export function addressJson(address: AddressState | null) {
  if (!address) return null;
  const name = [address.firstName, address.lastName].filter(Boolean).join(' ');
  return {
    first_name: address.firstName,
    last_name: address.lastName,
    name: name === '' ? null : name,
    company: address.company,
    address1: address.address1,
    address2: address.address2,
    city: address.city,
    province: address.province,
    province_code: address.provinceCode,
    zip: address.zip,
    country: address.country,
    country_code: address.countryCode,
    phone: address.phone,
    latitude: null,
    longitude: null,
  };
}

function lineItemJson(order: OrderState, line: LineItemState, shop: ShopState) {
  const variant = line.variantId ? shop.variants.get(line.variantId) : undefined;
  const fulfilled = fulfilledQuantity(order, line.id);
  const cancelled = order.cancelledAtMs !== null;
  return {
    id: line.numericId,
    admin_graphql_api_id: line.id,
    attributed_staffs: [],
    current_quantity: cancelled ? 0 : line.quantity - refundedQuantity(order, line.id),
    fulfillable_quantity: unfulfilledQuantity(order, line),
    fulfillment_service: 'manual',
    fulfillment_status: fulfilled === 0 ? null : fulfilled >= line.quantity ? 'fulfilled' : 'partial',
    gift_card: false,
    grams: 0,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    price: formatDecimalMinor(line.priceMinor),
    price_set: moneySet(line.priceMinor, order.currency),
    product_exists: variant !== undefined,
    product_id: null,
    properties: [],
    quantity: line.quantity,
    requires_shipping: line.requiresShipping,
    sku: line.sku,
    taxable: line.taxLines.length > 0,
    title: line.title,
    total_discount: '0.00',
    total_discount_set: moneySet(0, order.currency),
    variant_id: variant?.numericId ?? null,
    variant_inventory_management: variant ? 'shopify' : null,
    variant_title: line.variantTitle,
    vendor: null,
    tax_lines: taxLinesJson(line.taxLines, order.currency),
    duties: [],
    discount_allocations: allocationsJson(line.discountAllocations, order.currency),
  };
}

function shippingLineJson(line: ShippingLineState, currency: string) {
  const discounted = line.priceMinor - lineDiscountMinor(line);
  return {
    id: line.numericId,
    carrier_identifier: null,
    code: line.code,
    discounted_price: formatDecimalMinor(discounted),
    discounted_price_set: moneySet(discounted, currency),
    is_removed: false,
    phone: null,
    price: formatDecimalMinor(line.priceMinor),
    price_set: moneySet(line.priceMinor, currency),
    requested_fulfillment_service_id: null,
    source: 'shopify',
    title: line.title,
    tax_lines: taxLinesJson(line.taxLines, currency),
    discount_allocations: allocationsJson(line.discountAllocations, currency),
  };
}

function fulfillmentJson(order: OrderState, shop: ShopState) {
  return order.fulfillments.map((fulfillment) => {
    const tracking = fulfillment.trackingInfo;
    return {
      id: fulfillment.numericId,
      admin_graphql_api_id: fulfillment.id,
      created_at: shopTimestamp(Date.parse(fulfillment.createdAt), shop.utcOffsetMinutes),
      location_id: shop.locations.get(fulfillment.locationId)?.numericId ?? null,
      name: fulfillment.name,
      order_id: order.numericId,
      service: 'manual',
      shipment_status: null,
      status: fulfillment.status === 'SUCCESS' ? 'success' : 'cancelled',
      tracking_company: tracking[0]?.company ?? null,
      tracking_number: tracking[0]?.number ?? null,
      tracking_numbers: tracking.map((info) => info.number).filter((number): number is string => number !== null),
      tracking_url: tracking[0]?.url ?? null,
      tracking_urls: tracking.map((info) => info.url).filter((url): url is string => url !== null),
      updated_at: shopTimestamp(Date.parse(fulfillment.updatedAt), shop.utcOffsetMinutes),
      line_items: fulfillment.lineItems.map((item) => {
        const line = order.lineItems.find((candidate) => candidate.id === item.lineItemId) as LineItemState;
        return { ...lineItemJson(order, line, shop), quantity: item.quantity };
      }),
    };
  });
}

/** A refund as the REST order (and the refunds/create webhook) shows it. */
function refundJson(order: OrderState, refund: RefundState, shop: ShopState) {
  const currency = order.currency;
  return {
    id: refund.numericId,
    admin_graphql_api_id: refund.id,
    created_at: shopTimestamp(Date.parse(refund.createdAt), shop.utcOffsetMinutes),
    note: refund.note,
    order_id: order.numericId,
    processed_at: shopTimestamp(Date.parse(refund.createdAt), shop.utcOffsetMinutes),
    restock: refund.lineItems.some((line) => line.restockType === 'CANCEL' || line.restockType === 'RETURN'),
    refund_line_items: refund.lineItems.map((item) => {
      const line = order.lineItems.find((candidate) => candidate.id === item.lineItemId) as LineItemState;
      return {
        id: item.numericId,
        line_item_id: line.numericId,
        location_id: item.locationId === null ? null : (shop.locations.get(item.locationId)?.numericId ?? null),
        quantity: item.quantity,
        restock_type: item.restockType.toLowerCase(),
        subtotal: formatDecimalMinor(item.subtotalMinor),
        subtotal_set: moneySet(item.subtotalMinor, currency),
        total_tax: formatDecimalMinor(item.taxMinor),
        total_tax_set: moneySet(item.taxMinor, currency),
        line_item: lineItemJson(order, line, shop),
      };
    }),
    transactions: order.transactions
      .filter((transaction) => refund.transactionIds.includes(transaction.id))
      .map((transaction) => ({
        id: transaction.numericId,
        admin_graphql_api_id: transaction.id,
        amount: formatDecimalMinor(transaction.amountMinor),
        currency,
        gateway: transaction.gateway,
        kind: transaction.kind.toLowerCase(),
        order_id: order.numericId,
        parent_id: transaction.parentId === null ? null : Number(transaction.parentId.split('/').pop()),
        status: 'success',
      })),
    order_adjustments: [],
  };
}

export function restOrderJson(order: OrderState, shop: ShopState): Record<string, unknown> {
  const totals = orderTotals(order);
  const time = (ms: number | null) => (ms === null ? null : shopTimestamp(ms, shop.utcOffsetMinutes));
  const currency = order.currency;
  const customer = order.customer;
  return {
    id: order.numericId,
    admin_graphql_api_id: order.id,
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: false,
    cancel_reason: order.cancellation ? order.cancellation.reason.toLowerCase() : null,
    cancelled_at: time(order.cancelledAtMs),
    closed_at: time(order.closedAtMs),
    confirmation_number: order.id.slice(-9).toUpperCase(),
    confirmed: true,
    contact_email: order.email,
    created_at: time(order.createdAtMs),
    currency,
    current_subtotal_price: formatDecimalMinor(totals.subtotal),
    current_subtotal_price_set: moneySet(totals.subtotal, currency),
    current_total_discounts: formatDecimalMinor(totals.discounts),
    current_total_discounts_set: moneySet(totals.discounts, currency),
    current_total_price: formatDecimalMinor(totals.total),
    current_total_price_set: moneySet(totals.total, currency),
    current_total_tax: formatDecimalMinor(totals.tax),
    current_total_tax_set: moneySet(totals.tax, currency),
    customer_locale: 'en',
    discount_codes: order.discountApplications.map((application, index) => ({
      code: application.code,
      amount: formatDecimalMinor(
        sum(
          [...order.lineItems, ...order.shippingLines].flatMap((line) =>
            line.discountAllocations
              .filter((allocation) => allocation.applicationIndex === index)
              .map((allocation) => allocation.amountMinor),
          ),
        ),
      ),
      type: application.valueType,
    })),
    discount_applications: order.discountApplications.map((application) => ({
      target_type: application.targetType,
      type: 'discount_code',
      value_type: application.valueType,
      allocation_method: 'across',
      target_selection: 'all',
      code: application.code,
      title: application.title,
      description: application.description,
    })),
    email: order.email,
    estimated_taxes: false,
    financial_status: order.financialStatus,
    fulfillment_status: restFulfillmentStatus(order),
    name: order.name,
    note: order.note,
    note_attributes: [],
    number: order.orderNumber - 1000,
    order_number: order.orderNumber,
    payment_gateway_names: ['manual'],
    phone: order.phone,
    po_number: order.poNumber,
    presentment_currency: currency,
    processed_at: time(order.processedAtMs),
    source_name: order.sourceName,
    subtotal_price: formatDecimalMinor(totals.subtotal),
    subtotal_price_set: moneySet(totals.subtotal, currency),
    tags: order.tags.join(', '),
    tax_exempt: false,
    tax_lines: taxLinesJson(
      [...order.lineItems, ...order.shippingLines].flatMap((line) => line.taxLines),
      currency,
    ),
    taxes_included: order.taxesIncluded,
    test: order.test,
    total_discounts: formatDecimalMinor(totals.discounts),
    total_discounts_set: moneySet(totals.discounts, currency),
    total_line_items_price: formatDecimalMinor(totals.lineItemsPrice),
    total_line_items_price_set: moneySet(totals.lineItemsPrice, currency),
    total_outstanding: order.financialStatus === 'paid' ? '0.00' : formatDecimalMinor(totals.total),
    total_price: formatDecimalMinor(totals.total),
    total_price_set: moneySet(totals.total, currency),
    total_shipping_price_set: moneySet(totals.shipping, currency),
    total_tax: formatDecimalMinor(totals.tax),
    total_tax_set: moneySet(totals.tax, currency),
    total_tip_received: '0.00',
    total_weight: 0,
    updated_at: time(order.updatedAtMs),
    billing_address: addressJson(order.billingAddress),
    customer: customer
      ? {
          id: customer.numericId,
          email: customer.email,
          first_name: customer.firstName,
          last_name: customer.lastName,
          phone: customer.phone,
          state: 'enabled',
          verified_email: true,
          tax_exempt: false,
          currency,
          admin_graphql_api_id: customer.id,
          default_address: addressJson(order.billingAddress),
        }
      : null,
    fulfillments: fulfillmentJson(order, shop),
    line_items: order.lineItems.map((line) => lineItemJson(order, line, shop)),
    payment_terms: null,
    refunds: order.refunds.map((refund) => refundJson(order, refund, shop)),
    shipping_address: addressJson(order.shippingAddress),
    shipping_lines: order.shippingLines.map((line) => shippingLineJson(line, currency)),
  };
}
