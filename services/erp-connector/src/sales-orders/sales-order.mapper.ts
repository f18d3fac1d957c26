// The canonical order as a NetSuite sales order body. Pure: validated input in, JSON body out.
//
// Amounts: NetSuite's REST API takes currency fields as JSON numbers. Minor units become the
// currency's decimal text with libs/domain (formatMoney), then a number; the conversion is checked
// to read back to the same minor units, so the ERP receives exactly the channel's amount (a double
// holds every decimal of up to 15 significant digits; larger amounts are refused).
import { fromTimestamp, type commonV1, type ordersV1 } from '@retail-mesh/contracts';
import {
  assertQuantity,
  createMoney,
  DomainValidationError,
  formatMoney,
  isCurrencyCode,
  moneyEquals,
  multiplyMoney,
  parseMoney,
  subtractMoney,
  sumMoney,
  type Money,
} from '@retail-mesh/domain';

/** Custom fields the ERP account defines for the integration (NetSuite: custbody_* on the order, custcol_* on lines). */
export const ORDER_ID_FIELD = 'custbody_rm_order_id';
export const ORDER_LINE_ID_FIELD = 'custcol_rm_order_line_id';

const MAX_EXACT_AMOUNT_MINOR = 999_999_999_999_999;
const CHANNEL_SLUG = /^[a-z][a-z0-9-]*$/;

/**
 * The sales order's external id: `<channel>__<channel account>__<channel order id>`, each part
 * kept as is when made of letters, digits and `-`, other characters written `_XX` (hex of each
 * UTF-8 byte). NetSuite allows only letters, digits, `_` and `-` in external ids; the escaping
 * keeps the mapping one-to-one (no two channel orders share an id, since `__` never occurs
 * inside a part) and readable for the usual ids: `shopify__shop-eu__5501`,
 * `shopify__shop-eu__gid_3A_2F_2Fshopify_2FOrder_2F5501`. It names the channel order, not the
 * mesh order: even an order the mesh recorded twice could not become two ERP orders.
 */
export function salesOrderExternalId(order: Pick<ordersV1.Order, 'channel' | 'channelAccountId' | 'channelOrderId'>): string {
  return [order.channel, order.channelAccountId, order.channelOrderId].map(escapeExternalIdPart).join('__');
}

function escapeExternalIdPart(part: string): string {
  let escaped = '';
  for (const character of part) {
    if (/[A-Za-z0-9-]/.test(character)) escaped += character;
    else for (const byte of Buffer.from(character, 'utf8')) escaped += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

/** A currency amount as the JSON number NetSuite takes, exactly equal to the minor units. */
export function erpAmount(money: Money): number {
  if (Math.abs(money.amountMinor) > MAX_EXACT_AMOUNT_MINOR) {
    throw new DomainValidationError('invalid_amount', `${money.amountMinor} ${money.currency} is too large to send to the ERP exactly`);
  }
  const value = Number(formatMoney(money));
  if (!moneyEquals(parseMoney(String(value), money.currency), money)) {
    throw new DomainValidationError('invalid_amount', `${formatMoney(money)} ${money.currency} does not convert to a number exactly`);
  }
  return value;
}

function invalid(message: string): never {
  throw new DomainValidationError('invalid_order', message);
}

function money(value: commonV1.Money | null | undefined, currency: string, field: string): Money {
  if (!value) invalid(`${field} is missing`);
  if (value.currency !== currency) invalid(`${field} is in ${value.currency || 'no currency'}, the order in ${currency}`);
  return createMoney(value.amountMinor, value.currency);
}

function optionalMoney(value: commonV1.Money | null | undefined, currency: string, field: string): Money {
  return value ? money(value, currency, field) : createMoney(0, currency);
}

function total(amounts: ReadonlyArray<{ amount?: commonV1.Money | null }>, currency: string, field: string): Money {
  return sumMoney(
    amounts.map((entry, index) => money(entry.amount, currency, `${field}[${index}].amount`)),
    currency,
  );
}

/** Checks what the ERP needs of an order; throws DomainValidationError (INVALID_ARGUMENT) naming the problem. */
export function assertSalesOrderInput(order: ordersV1.Order | null | undefined): asserts order is ordersV1.Order {
  if (!order) invalid('order is missing');
  if (order.orderId.trim() === '') invalid('order.order_id is missing');
  if (!CHANNEL_SLUG.test(order.channel)) invalid(`order.channel ${JSON.stringify(order.channel)} is not a channel slug`);
  if (order.channelAccountId.trim() === '') invalid('order.channel_account_id is missing');
  if (order.channelOrderId.trim() === '') invalid('order.channel_order_id is missing');
  if (!isCurrencyCode(order.currency)) invalid(`order.currency ${JSON.stringify(order.currency)} is not an ISO 4217 code`);
  if (order.lines.length === 0) invalid('order has no lines');
  const lineIds = new Set<string>();
  for (const [index, line] of order.lines.entries()) {
    if (line.lineId.trim() === '') invalid(`lines[${index}].line_id is missing`);
    if (lineIds.has(line.lineId)) invalid(`lines[${index}].line_id ${line.lineId} is not unique`);
    lineIds.add(line.lineId);
    if (line.sku.trim() === '') invalid(`lines[${index}].sku is missing`);
    assertQuantity(line.quantity, `lines[${index}].quantity`);
    if (line.quantity === 0) invalid(`lines[${index}].quantity must be positive`);
    money(line.unitPrice, order.currency, `lines[${index}].unit_price`);
  }
}

function address(value: commonV1.PostalAddress | null | undefined): Record<string, unknown> | undefined {
  if (!value) return undefined;
  const fields: Record<string, unknown> = {
    addressee: value.company !== '' && value.name === '' ? value.company : value.name,
    attention: value.company !== '' && value.name !== '' ? value.company : undefined,
    addr1: value.line1,
    addr2: value.line2,
    city: value.city,
    state: value.region,
    zip: value.postalCode,
    country: value.countryCode === '' ? undefined : { id: value.countryCode },
    addrPhone: value.phone,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, field]) => field !== undefined && field !== ''));
}

export interface SalesOrderMappingOptions {
  /** ERP customer the order is booked to. */
  customerId: string;
}

/**
 * The NetSuite salesOrder body. Lines reference items by external id (the SKU is the ERP item's
 * external id) and carry the mesh line id; taxes and discounts are the channel's, carried in
 * custom fields and the line amount rather than recomputed by the ERP.
 */
export function toNetSuiteSalesOrder(order: ordersV1.Order, options: SalesOrderMappingOptions): Record<string, unknown> {
  assertSalesOrderInput(order);
  const { currency } = order;
  const lines = order.lines.map((line, index) => {
    const unitPrice = money(line.unitPrice, currency, `lines[${index}].unit_price`);
    const discount = total(line.discounts, currency, `lines[${index}].discounts`);
    const tax = total(line.taxes, currency, `lines[${index}].taxes`);
    const body = {
      item: { externalId: line.sku },
      quantity: line.quantity,
      rate: erpAmount(unitPrice),
      amount: erpAmount(subtractMoney(multiplyMoney(unitPrice, line.quantity), discount)),
      ...(line.title === '' ? {} : { description: line.title }),
      [ORDER_LINE_ID_FIELD]: line.lineId,
      custcol_rm_channel_line_id: line.channelLineId,
      custcol_rm_tax_amount: erpAmount(tax),
    };
    return { body, tax };
  });
  const shipping = order.shipping;
  const shippingCost = shipping
    ? subtractMoney(optionalMoney(shipping.price, currency, 'shipping.price'), total(shipping.discounts, currency, 'shipping.discounts'))
    : createMoney(0, currency);
  const shippingTax = shipping ? total(shipping.taxes, currency, 'shipping.taxes') : createMoney(0, currency);
  const reference = order.channelOrderNumber || order.channelOrderId;
  const body: Record<string, unknown> = {
    externalId: salesOrderExternalId(order),
    entity: { id: options.customerId },
    ...(order.placedAt ? { tranDate: fromTimestamp(order.placedAt).toISOString().slice(0, 10) } : {}),
    // "PO/Check Number": the buyer's purchase order when there is one, else the number the customer sees.
    otherRefNum: order.purchaseOrderNumber || reference,
    memo: `${order.channel} ${order.channelAccountId} order ${reference}`,
    [ORDER_ID_FIELD]: order.orderId,
    custbody_rm_channel: order.channel,
    custbody_rm_channel_account_id: order.channelAccountId,
    custbody_rm_channel_order_id: order.channelOrderId,
    custbody_rm_currency: currency,
    // Rates and amounts are the channel's prices; with VAT-style pricing they include the tax.
    custbody_rm_taxes_included: order.taxesIncluded,
    // The channel ships it (Amazon FBA): the ERP books the sale but must not fulfil it from its warehouses.
    ...(order.fulfilledByChannel ? { custbody_rm_fulfilled_by_channel: true } : {}),
    custbody_rm_tax_total: erpAmount(sumMoney([...lines.map((line) => line.tax), shippingTax], currency)),
    shippingCost: erpAmount(shippingCost),
    custbody_rm_shipping_tax: erpAmount(shippingTax),
    ...(shipping?.methodCode ? { custbody_rm_shipping_method: shipping.methodCode } : {}),
    ...(order.customer?.email ? { email: order.customer.email } : {}),
    item: { items: lines.map((line) => line.body) },
  };
  const shippingAddress = address(order.shippingAddress);
  const billingAddress = address(order.billingAddress);
  if (shippingAddress) body.shippingAddress = shippingAddress;
  if (billingAddress) body.billingAddress = billingAddress;
  return body;
}
