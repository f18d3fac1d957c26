// Creating an order the way a checkout would (`POST /_sandbox/shops/:shop/orders`): validated
// input with decimal-string money, line items split into one fulfillment order per location
// (the line's `locationName`, else the shop's first active location), and the payment its
// financial status implies (a SALE when paid, an AUTHORIZATION when authorized).
import { isRecord } from '@retail-mesh/sandbox-kit';
import type { LocationState, ShopRegistry, ShopState } from '../shops/shop-registry.js';
import { parseDecimalMinor } from './decimal-money.js';
import { orderTotals } from './order-json.js';
import {
  CURRENCY_CODES,
  FINANCIAL_STATUSES,
  type AddressState,
  type DiscountAllocationState,
  type DiscountApplicationState,
  type FinancialStatus,
  type FulfillmentOrderState,
  type LineItemState,
  type OrderState,
  type ShippingLineState,
  type TaxLineState,
} from './order-state.js';
import { checkoutTransactions } from './refunds.js';

export type SeedResult<T> = { ok: true; value: T } | { ok: false; error: string };

class SeedError extends Error {}

function fail(message: string): never {
  throw new SeedError(message);
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`${field} must be a string`);
  return value;
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${field} is required`);
  return value;
}

function money(value: unknown, field: string): number {
  const minor = parseDecimalMinor(value);
  if (minor === undefined) fail(`${field} must be a decimal string such as "19.99"`);
  return minor;
}

function address(value: unknown, field: string): AddressState | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) fail(`${field} must be an object`);
  const text = (name: string) => optionalString(value[name], `${field}.${name}`);
  return {
    firstName: text('firstName'),
    lastName: text('lastName'),
    company: text('company'),
    address1: text('address1'),
    address2: text('address2'),
    city: text('city'),
    province: text('province'),
    provinceCode: text('provinceCode'),
    zip: text('zip'),
    country: text('country'),
    countryCode: text('countryCode'),
    phone: text('phone'),
  };
}

function taxLines(value: unknown, field: string): TaxLineState[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`${field} must be an array`);
  return value.map((tax, index) => {
    const path = `${field}[${index}]`;
    if (!isRecord(tax)) fail(`${path} must be an object`);
    if (typeof tax.rate !== 'number' || tax.rate < 0 || tax.rate > 1) fail(`${path}.rate must be a number between 0 and 1`);
    return { title: requiredString(tax.title, `${path}.title`), rate: tax.rate, priceMinor: money(tax.price, `${path}.price`) };
  });
}

/** Discount allocations name their code; each distinct code becomes one discount application. */
function allocations(
  value: unknown,
  field: string,
  applications: DiscountApplicationState[],
  targetType: DiscountApplicationState['targetType'],
): DiscountAllocationState[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`${field} must be an array`);
  return value.map((allocation, index) => {
    const path = `${field}[${index}]`;
    if (!isRecord(allocation)) fail(`${path} must be an object`);
    const code = requiredString(allocation.code, `${path}.code`);
    let applicationIndex = applications.findIndex((application) => application.code === code && application.targetType === targetType);
    if (applicationIndex < 0) {
      applications.push({ code, title: code, description: code, valueType: 'fixed_amount', targetType });
      applicationIndex = applications.length - 1;
    }
    return { amountMinor: money(allocation.amount, `${path}.amount`), applicationIndex };
  });
}

function locationFor(shop: ShopState, name: unknown, field: string): LocationState {
  if (name !== undefined) {
    const location = [...shop.locations.values()].find((candidate) => candidate.name === name);
    if (!location) fail(`${field}: unknown location ${JSON.stringify(name)}`);
    return location;
  }
  const active = [...shop.locations.values()].find((location) => location.isActive);
  if (!active) fail(`${field}: the shop has no active location (seed one with POST /_sandbox/products)`);
  return active;
}

function buildOrder(registry: ShopRegistry, shop: ShopState, body: Record<string, unknown>): OrderState {
  const currency = typeof body.currency === 'string' ? body.currency : 'USD';
  if (!(CURRENCY_CODES as readonly string[]).includes(currency)) fail(`currency must be one of ${CURRENCY_CODES.join(', ')}`);
  const financialStatus = (body.financialStatus ?? 'paid') as FinancialStatus;
  if (!FINANCIAL_STATUSES.includes(financialStatus)) fail(`financialStatus must be one of ${FINANCIAL_STATUSES.join(', ')}`);
  if (!Array.isArray(body.lineItems) || body.lineItems.length === 0) fail('lineItems must be a non-empty array');
  if (body.taxesIncluded !== undefined && typeof body.taxesIncluded !== 'boolean') fail('taxesIncluded must be a boolean');
  if (body.tags !== undefined && !(Array.isArray(body.tags) && body.tags.every((tag) => typeof tag === 'string')))
    fail('tags must be an array of strings');
  const applications: DiscountApplicationState[] = [];

  const lineLocations: LocationState[] = [];
  const lineItems: LineItemState[] = body.lineItems.map((raw: unknown, index: number) => {
    const path = `lineItems[${index}]`;
    if (!isRecord(raw)) fail(`${path} must be an object`);
    const quantity = raw.quantity;
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1)
      fail(`${path}.quantity must be a positive integer`);
    const sku = optionalString(raw.sku, `${path}.sku`);
    const variant = sku === null ? undefined : [...shop.variants.values()].find((candidate) => candidate.sku === sku);
    lineLocations.push(locationFor(shop, raw.locationName, path));
    const { id, numericId } = registry.newId('LineItem');
    return {
      id,
      numericId,
      sku,
      title: typeof raw.title === 'string' ? raw.title : (variant?.title ?? sku ?? 'Custom item'),
      variantTitle: optionalString(raw.variantTitle, `${path}.variantTitle`),
      variantId: variant?.id ?? null,
      quantity,
      priceMinor: money(raw.price, `${path}.price`),
      requiresShipping: raw.requiresShipping !== false,
      taxLines: taxLines(raw.taxLines, `${path}.taxLines`),
      discountAllocations: allocations(raw.discountAllocations, `${path}.discountAllocations`, applications, 'line_item'),
    };
  });

  const shippingInput = body.shippingLines ?? [];
  if (!Array.isArray(shippingInput)) fail('shippingLines must be an array');
  const shippingLines: ShippingLineState[] = shippingInput.map((raw: unknown, index: number) => {
    const path = `shippingLines[${index}]`;
    if (!isRecord(raw)) fail(`${path} must be an object`);
    const { id, numericId } = registry.newId('ShippingLine');
    return {
      id,
      numericId,
      code: requiredString(raw.code, `${path}.code`),
      title: typeof raw.title === 'string' ? raw.title : requiredString(raw.code, `${path}.code`),
      priceMinor: money(raw.price, `${path}.price`),
      taxLines: taxLines(raw.taxLines, `${path}.taxLines`),
      discountAllocations: allocations(raw.discountAllocations, `${path}.discountAllocations`, applications, 'shipping_line'),
    };
  });

  const now = registry.nowMs();
  const createdAt = new Date(now).toISOString();
  const processedAtMs = body.processedAt === undefined ? now : Date.parse(String(body.processedAt));
  if (Number.isNaN(processedAtMs)) fail('processedAt must be an ISO-8601 time');

  const fulfillmentOrders: FulfillmentOrderState[] = [];
  lineItems.forEach((line, index) => {
    if (!line.requiresShipping) return;
    const location = lineLocations[index];
    let fulfillmentOrder = fulfillmentOrders.find((candidate) => candidate.locationId === location.id);
    if (!fulfillmentOrder) {
      const { id, numericId } = registry.newId('FulfillmentOrder');
      fulfillmentOrder = {
        id,
        numericId,
        status: 'OPEN',
        locationId: location.id,
        locationName: location.name,
        lineItems: [],
        createdAt,
        updatedAt: createdAt,
      };
      fulfillmentOrders.push(fulfillmentOrder);
    }
    const { id, numericId } = registry.newId('FulfillmentOrderLineItem');
    fulfillmentOrder.lineItems.push({ id, numericId, lineItemId: line.id, totalQuantity: line.quantity, remainingQuantity: line.quantity });
  });

  const customerInput = body.customer;
  if (customerInput !== undefined && !isRecord(customerInput)) fail('customer must be an object');
  const customer = customerInput
    ? {
        ...registry.newId('Customer'),
        firstName: optionalString(customerInput.firstName, 'customer.firstName'),
        lastName: optionalString(customerInput.lastName, 'customer.lastName'),
        email: optionalString(customerInput.email, 'customer.email'),
        phone: optionalString(customerInput.phone, 'customer.phone'),
      }
    : null;
  const shippingAddress = address(body.shippingAddress, 'shippingAddress');
  const billingAddress = address(body.billingAddress, 'billingAddress') ?? shippingAddress;
  const email = optionalString(body.email, 'email') ?? customer?.email ?? null;
  const phone = optionalString(body.phone, 'phone');
  const poNumber = optionalString(body.poNumber, 'poNumber');
  const note = optionalString(body.note, 'note');
  const orderNumber = shop.nextOrderNumber++;
  const { id, numericId } = registry.newId('Order');
  return {
    id,
    numericId,
    name: `#${orderNumber}`,
    orderNumber,
    email,
    phone,
    currency,
    financialStatus,
    taxesIncluded: body.taxesIncluded === true,
    poNumber,
    note,
    tags: (body.tags as string[] | undefined) ?? [],
    test: body.test === true,
    sourceName: 'web',
    customer,
    shippingAddress,
    billingAddress,
    lineItems,
    shippingLines,
    discountApplications: applications,
    fulfillmentOrders,
    fulfillments: [],
    transactions: [],
    refunds: [],
    metafields: [],
    createdAtMs: now,
    updatedAtMs: now,
    processedAtMs,
    cancelledAtMs: null,
    closedAtMs: null,
    cancellation: null,
  };
}

/** Validates the admin body and adds the order to the shop (no webhook: the caller emits orders/create). */
export function createOrder(registry: ShopRegistry, shop: ShopState, body: unknown): SeedResult<OrderState> {
  if (!isRecord(body)) return { ok: false, error: 'the body must be a JSON object' };
  try {
    const order = buildOrder(registry, shop, body);
    order.transactions = checkoutTransactions(
      registry,
      order.financialStatus,
      orderTotals(order).total,
      new Date(order.createdAtMs).toISOString(),
    );
    shop.orders.set(order.id, order);
    return { ok: true, value: order };
  } catch (error) {
    if (error instanceof SeedError) return { ok: false, error: error.message };
    throw error;
  }
}
