// Orders as Orders v0 shows them: 3-7-7 order ids, order-level status, money as
// `{CurrencyCode, Amount}` with **string** amounts, ItemPrice = unit price x quantity, pricing
// omitted while Pending, seller-fulfilled (MFN) or fulfilled by Amazon (AFN). Buyer PII (the
// recipient's name, street and phone, the buyer's name and e-mail) is shown only to a Restricted
// Data Token that names the data element; with an LWA token the address is city, region, postal
// code and country. Shipment confirmations, acknowledgements, seller cancellations and order
// adjustments (from the order feeds) change the stored orders; admin routes seed and inspect.
import type { DataElement } from '../auth/restricted-data-tokens.js';

export const ORDER_STATUSES = [
  'Pending',
  'Unshipped',
  'PartiallyShipped',
  'Shipped',
  'Canceled',
  'Unfulfillable',
  'InvoiceUnconfirmed',
  'PendingAvailability',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const FULFILLMENT_CHANNELS = ['MFN', 'AFN'] as const;
export type FulfillmentChannel = (typeof FULFILLMENT_CHANNELS)[number];

/** The fields of Orders v0's `Address` (ExtendedFields, Brazil only, is not imitated). */
export const ADDRESS_FIELDS = [
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
] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];
export type ShippingAddress = Partial<Record<AddressField, string>>;

/** What getOrders shows of the address without a Restricted Data Token. */
const PUBLIC_ADDRESS_FIELDS: readonly AddressField[] = ['City', 'StateOrRegion', 'PostalCode', 'CountryCode'];
/** getOrderAddress gives the shipping address only in these statuses (ordersV0.json, OrderAddress). */
const ADDRESS_STATUSES: readonly OrderStatus[] = ['Unshipped', 'PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed'];

export const DEFAULT_SHIPPING_ADDRESS: ShippingAddress = {
  Name: 'Jane Doe',
  AddressLine1: '410 Terry Ave N',
  AddressLine2: 'Apt 4',
  City: 'SEATTLE',
  StateOrRegion: 'WA',
  PostalCode: '98109-5210',
  CountryCode: 'US',
  Phone: '+1 206-555-0142',
  AddressType: 'Residential',
};

export interface AmazonMoney {
  CurrencyCode: string;
  Amount: string;
}

export interface StoredOrderItem {
  orderItemId: string;
  sku: string;
  asin: string;
  title: string;
  quantityOrdered: number;
  quantityShipped: number;
  quantityCancelled: number;
  /** Minor units, for the whole quantity (Amazon's ItemPrice is unit price x quantity). */
  itemPriceMinor: number;
  itemTaxMinor: number;
  promotionDiscountMinor: number;
  shippingPriceMinor: number;
  shippingTaxMinor: number;
  /** What order adjustments refunded of ItemPrice and ItemTax, and took back of PromotionDiscount. */
  refundedPrincipalMinor: number;
  refundedTaxMinor: number;
  promotionTakenBackMinor: number;
  buyerCancelReason: string | null;
}

export interface ShippedItem {
  orderItemId: string;
  quantity: number;
}

/**
 * The units `requested` ships (`[{orderItemId, quantity?}]`, a missing quantity = every open unit
 * of the item), or why they cannot ship: an item not in the order, more units than are open.
 */
export function itemsToShip(order: StoredOrder, requested: readonly unknown[]): ShippedItem[] | string {
  const items: ShippedItem[] = [];
  for (const raw of requested) {
    const line = raw as { orderItemId?: unknown; quantity?: unknown } | null;
    const item = order.items.find((candidate) => candidate.orderItemId === line?.orderItemId);
    if (!item) return `Order item ${String(line?.orderItemId)} is not part of order ${order.amazonOrderId}.`;
    const open = item.quantityOrdered - item.quantityShipped - item.quantityCancelled;
    const quantity = line?.quantity === undefined ? open : line.quantity;
    if (!Number.isInteger(quantity) || (quantity as number) < 1 || (quantity as number) > open) {
      return `Quantity of order item ${item.orderItemId} must be from 1 to ${open}.`;
    }
    items.push({ orderItemId: item.orderItemId, quantity: quantity as number });
  }
  return items;
}

export interface ShipmentRecord {
  packageReferenceId: string;
  carrierCode: string;
  carrierName: string | null;
  shippingMethod: string | null;
  trackingNumber: string;
  shipDate: string;
  items: ShippedItem[];
  confirmedAt: string;
}

export interface AcknowledgementRecord {
  feedId: string;
  statusCode: 'Success' | 'Failure';
  merchantOrderId: string | null;
  at: string;
}

export interface CancellationRecord {
  feedId: string;
  orderItemId: string;
  reason: string;
  at: string;
}

/** An OrderAdjustment's item (POST_PAYMENT_ADJUSTMENT_DATA) as the order keeps it; amounts in minor units. */
export interface AdjustmentRecord {
  feedId: string;
  orderItemId: string;
  merchantAdjustmentItemId: string | null;
  reason: string;
  /** Units cancelled with the refund (0: a refund only). */
  quantityCancelled: number;
  principalMinor: number;
  taxMinor: number;
  /** Promotion taken back (the feed sends it negative). */
  promotionMinor: number;
  at: string;
}

export interface StoredOrder {
  sellerId: string;
  amazonOrderId: string;
  marketplaceId: string;
  status: OrderStatus;
  purchaseDate: string;
  /** As Orders v0 shows it: to the second. */
  lastUpdateDate: string;
  /** When it was last updated, to the millisecond: getOrders lists it `orderListLagMs` after this. */
  updatedAtMs: number;
  currency: string;
  shipServiceLevel: string;
  fulfillmentChannel: FulfillmentChannel;
  shippingAddress: ShippingAddress;
  buyerName: string;
  buyerEmail: string;
  items: StoredOrderItem[];
  acknowledgements: AcknowledgementRecord[];
  shipments: ShipmentRecord[];
  cancellations: CancellationRecord[];
  adjustments: AdjustmentRecord[];
  /** confirmShipment calls answered 204 but not applied (the "accepted but dropped" fault). */
  droppedConfirmations: number;
}

export interface OrderItemSeed {
  sku: string;
  quantity: number;
  /** Decimal string of the unit price; ItemPrice becomes unit price x quantity. */
  unitPrice?: string;
  itemTax?: string;
  promotionDiscount?: string;
  shippingPrice?: string;
  shippingTax?: string;
  asin?: string;
  title?: string;
  orderItemId?: string;
}

export interface OrderSeed {
  sellerId?: string;
  amazonOrderId?: string;
  marketplaceId?: string;
  status?: OrderStatus;
  purchaseDate?: string;
  currency?: string;
  shipServiceLevel?: string;
  /** MFN (default) or AFN. */
  fulfillmentChannel?: FulfillmentChannel;
  /** Default DEFAULT_SHIPPING_ADDRESS; taken as given (an incomplete one stays incomplete). */
  shippingAddress?: ShippingAddress;
  /** Default: the address's Name. */
  buyerName?: string;
  /** Default: an anonymised `…@marketplace.amazon.com` address, as Amazon gives sellers. */
  buyerEmail?: string;
  items: OrderItemSeed[];
}

const ZERO_DECIMAL_CURRENCIES = new Set(['JPY', 'KRW', 'CLP', 'VND', 'HUF']);

export function currencyDigits(currency: string): number {
  return ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2;
}

/** "12.5" USD → 1250; undefined when not a plain non-negative decimal within the currency's digits. */
export function decimalToMinor(value: string, currency: string): number | undefined {
  const digits = currencyDigits(currency);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match || (match[2] ?? '').length > digits) return undefined;
  return Number(match[1] + (match[2] ?? '').padEnd(digits, '0'));
}

export function minorToAmount(minor: number, currency: string): AmazonMoney {
  const digits = currencyDigits(currency);
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const amount = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return { CurrencyCode: currency, Amount: `${minor < 0 ? '-' : ''}${amount}` };
}

/** ISO 8601 with `Z` and whole seconds, as Orders v0 prints times. */
export function amazonTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type SeedResult = { ok: true; order: StoredOrder } | { ok: false; error: string };

/** Why a seeded address is not an Orders v0 `Address`, or undefined when it is one. */
function addressProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'shippingAddress must be an object';
  for (const [field, fieldValue] of Object.entries(value)) {
    if (!(ADDRESS_FIELDS as readonly string[]).includes(field))
      return `shippingAddress.${field} is not an Address field (${ADDRESS_FIELDS.join(', ')})`;
    if (typeof fieldValue !== 'string') return `shippingAddress.${field} must be a string`;
  }
  const { AddressType, CountryCode } = value as ShippingAddress;
  if (AddressType !== undefined && AddressType !== 'Residential' && AddressType !== 'Commercial')
    return 'shippingAddress.AddressType must be Residential or Commercial';
  if (CountryCode !== undefined && !/^[A-Z]{2}$/.test(CountryCode)) return 'shippingAddress.CountryCode must be ISO 3166-1 alpha-2';
  return undefined;
}

export class OrderStore {
  private readonly orders = new Map<string, StoredOrder>();
  private sequence = 1;

  constructor(private readonly now: () => number) {}

  clear(): void {
    this.orders.clear();
    this.sequence = 1;
  }

  /** 3-7-7 digits, e.g. 113-0000001-4000001: distinct per seed, deterministic after a reset. */
  private nextOrderId(): string {
    const n = this.sequence++;
    return `113-${String(n).padStart(7, '0')}-${String(4_000_000 + n).padStart(7, '0')}`;
  }

  seed(seed: OrderSeed, defaults: { sellerId: string; marketplaceId: string }): SeedResult {
    const currency = seed.currency ?? 'USD';
    if (!/^[A-Z]{3}$/.test(currency)) return { ok: false, error: 'currency must be an ISO 4217 code' };
    if (seed.amazonOrderId !== undefined && !/^\d{3}-\d{7}-\d{7}$/.test(seed.amazonOrderId))
      return { ok: false, error: 'amazonOrderId must be 3-7-7 digits, e.g. 113-1234567-1234567' };
    if (seed.amazonOrderId !== undefined && this.orders.has(seed.amazonOrderId))
      return { ok: false, error: `order ${seed.amazonOrderId} exists` };
    if (seed.status !== undefined && !ORDER_STATUSES.includes(seed.status)) return { ok: false, error: 'unknown status' };
    if (seed.fulfillmentChannel !== undefined && !FULFILLMENT_CHANNELS.includes(seed.fulfillmentChannel))
      return { ok: false, error: 'fulfillmentChannel must be MFN or AFN' };
    if (seed.shippingAddress !== undefined) {
      const problem = addressProblem(seed.shippingAddress);
      if (problem) return { ok: false, error: problem };
    }
    for (const field of ['buyerName', 'buyerEmail'] as const) {
      if (seed[field] !== undefined && typeof seed[field] !== 'string') return { ok: false, error: `${field} must be a string` };
    }
    if (!Array.isArray(seed.items) || seed.items.length === 0) return { ok: false, error: 'items must be a non-empty array' };
    const amazonOrderId = seed.amazonOrderId ?? this.nextOrderId();
    const items: StoredOrderItem[] = [];
    for (const [index, item] of seed.items.entries()) {
      if (typeof item?.sku !== 'string' || item.sku === '') return { ok: false, error: `item ${index}: sku is required` };
      if (!Number.isInteger(item.quantity) || item.quantity < 1)
        return { ok: false, error: `item ${index}: quantity must be a positive integer` };
      const amounts: Record<string, number> = {};
      for (const field of ['unitPrice', 'itemTax', 'promotionDiscount', 'shippingPrice', 'shippingTax'] as const) {
        const raw = item[field] ?? '0';
        const minor = typeof raw === 'string' ? decimalToMinor(raw, currency) : undefined;
        if (minor === undefined) return { ok: false, error: `item ${index}: ${field} must be a decimal string in ${currency}` };
        amounts[field] = minor;
      }
      items.push({
        orderItemId: item.orderItemId ?? `${amazonOrderId.replaceAll('-', '').slice(3, 11)}${String(index + 1).padStart(6, '0')}`,
        sku: item.sku,
        asin: item.asin ?? `B0${String(index + 1).padStart(8, '0')}`,
        title: item.title ?? item.sku,
        quantityOrdered: item.quantity,
        quantityShipped: 0,
        quantityCancelled: 0,
        itemPriceMinor: amounts.unitPrice * item.quantity,
        itemTaxMinor: amounts.itemTax,
        promotionDiscountMinor: amounts.promotionDiscount,
        shippingPriceMinor: amounts.shippingPrice,
        shippingTaxMinor: amounts.shippingTax,
        refundedPrincipalMinor: 0,
        refundedTaxMinor: 0,
        promotionTakenBackMinor: 0,
        buyerCancelReason: null,
      });
    }
    const nowMs = this.now();
    const now = amazonTime(nowMs);
    const shippingAddress = { ...(seed.shippingAddress ?? DEFAULT_SHIPPING_ADDRESS) };
    const order: StoredOrder = {
      sellerId: seed.sellerId ?? defaults.sellerId,
      amazonOrderId,
      marketplaceId: seed.marketplaceId ?? defaults.marketplaceId,
      status: seed.status ?? 'Unshipped',
      purchaseDate: seed.purchaseDate ?? now,
      lastUpdateDate: now,
      updatedAtMs: nowMs,
      currency,
      shipServiceLevel: seed.shipServiceLevel ?? 'Std US D2D Dom',
      fulfillmentChannel: seed.fulfillmentChannel ?? 'MFN',
      shippingAddress,
      buyerName: seed.buyerName ?? shippingAddress.Name ?? '',
      buyerEmail: seed.buyerEmail ?? `${amazonOrderId.replaceAll('-', '')}@marketplace.amazon.com`,
      items,
      acknowledgements: [],
      shipments: [],
      cancellations: [],
      adjustments: [],
      droppedConfirmations: 0,
    };
    this.orders.set(amazonOrderId, order);
    return { ok: true, order };
  }

  get(amazonOrderId: string): StoredOrder | undefined {
    return this.orders.get(amazonOrderId);
  }

  list(): StoredOrder[] {
    return [...this.orders.values()];
  }

  /** A change on Amazon's side (buyer cancellation, payment cleared): status moves, LastUpdateDate too. */
  setStatus(order: StoredOrder, status: OrderStatus, buyerCancelReason?: string): void {
    order.status = status;
    if (buyerCancelReason !== undefined) for (const item of order.items) item.buyerCancelReason = buyerCancelReason;
    this.touch(order);
  }

  touch(order: StoredOrder): void {
    order.updatedAtMs = this.now();
    order.lastUpdateDate = amazonTime(order.updatedAtMs);
  }

  /** Ships units of the order's items (a seller's confirmShipment, or Amazon shipping an AFN order): status and LastUpdateDate move. */
  ship(order: StoredOrder, items: readonly ShippedItem[]): void {
    for (const line of items) {
      const item = order.items.find((candidate) => candidate.orderItemId === line.orderItemId);
      if (item) item.quantityShipped += line.quantity;
    }
    this.settleStatus(order);
  }

  /** Recomputes the order status from its items after a shipment or a cancellation. */
  settleStatus(order: StoredOrder): void {
    const open = order.items.reduce((sum, item) => sum + item.quantityOrdered - item.quantityShipped - item.quantityCancelled, 0);
    const shipped = order.items.reduce((sum, item) => sum + item.quantityShipped, 0);
    if (open === 0) order.status = shipped > 0 ? 'Shipped' : 'Canceled';
    else if (shipped > 0) order.status = 'PartiallyShipped';
    this.touch(order);
  }
}

function money(minor: number, currency: string): AmazonMoney {
  return minorToAmount(minor, currency);
}

/**
 * The shipping address as shown with these data elements: complete with `shippingAddress` (an
 * RDT) on an order the seller ships (MFN), else only city, region, postal code and country.
 * Amazon gives the recipient's address to sellers for the orders they fulfil: an AFN order's
 * stays private whatever the token ("Access Orders PII": the order is fulfilled by the merchant).
 */
export function addressView(order: StoredOrder, dataElements: ReadonlySet<DataElement>): ShippingAddress {
  const fields = dataElements.has('shippingAddress') && order.fulfillmentChannel === 'MFN' ? ADDRESS_FIELDS : PUBLIC_ADDRESS_FIELDS;
  const view: ShippingAddress = {};
  for (const field of fields) {
    const value = order.shippingAddress[field];
    if (value !== undefined) view[field] = value;
  }
  return view;
}

/** getOrderAddress's payload: the shipping address only for an MFN order once it is payable and not cancelled. */
export function orderAddressView(order: StoredOrder): Record<string, unknown> {
  const payload: Record<string, unknown> = { AmazonOrderId: order.amazonOrderId };
  if (order.fulfillmentChannel === 'MFN' && ADDRESS_STATUSES.includes(order.status))
    payload.ShippingAddress = addressView(order, new Set(['shippingAddress']));
  return payload;
}

/** The Order object of getOrders / getOrder, with the PII the data elements of the caller's RDT allow. */
export function orderView(order: StoredOrder, dataElements: ReadonlySet<DataElement> = new Set()): Record<string, unknown> {
  const shipped = order.items.reduce((sum, item) => sum + item.quantityShipped, 0);
  const unshipped = order.items.reduce((sum, item) => sum + item.quantityOrdered - item.quantityShipped - item.quantityCancelled, 0);
  const total = order.items.reduce(
    (sum, item) => sum + chargedPrice(item) + chargedTax(item) + item.shippingPriceMinor + item.shippingTaxMinor - chargedPromotion(item),
    0,
  );
  const view: Record<string, unknown> = {
    AmazonOrderId: order.amazonOrderId,
    PurchaseDate: order.purchaseDate,
    LastUpdateDate: order.lastUpdateDate,
    OrderStatus: order.status,
    FulfillmentChannel: order.fulfillmentChannel,
    SalesChannel: 'Amazon.com',
    ShipServiceLevel: order.shipServiceLevel,
    NumberOfItemsShipped: shipped,
    NumberOfItemsUnshipped: order.status === 'Canceled' ? 0 : unshipped,
    PaymentMethod: 'Other',
    PaymentMethodDetails: ['Standard'],
    MarketplaceId: order.marketplaceId,
    ShipmentServiceLevelCategory: 'Standard',
    OrderType: 'StandardOrder',
    IsBusinessOrder: false,
    IsPrime: false,
    IsPremiumOrder: false,
    IsGlobalExpressEnabled: false,
    IsReplacementOrder: false,
    IsISPU: false,
    IsAccessPointOrder: false,
    IsSoldByAB: false,
  };
  if (order.status !== 'Pending') view.OrderTotal = money(total, order.currency);
  const address = addressView(order, dataElements);
  if (Object.keys(address).length > 0) view.ShippingAddress = address;
  if (dataElements.has('buyerInfo')) view.BuyerInfo = { BuyerEmail: order.buyerEmail, BuyerName: order.buyerName };
  return view;
}

/** ItemPrice, ItemTax and PromotionDiscount as they stand after the order adjustments: what the buyer pays for the units left. */
export function chargedPrice(item: StoredOrderItem): number {
  return item.itemPriceMinor - item.refundedPrincipalMinor;
}

export function chargedTax(item: StoredOrderItem): number {
  return item.itemTaxMinor - item.refundedTaxMinor;
}

export function chargedPromotion(item: StoredOrderItem): number {
  return item.promotionDiscountMinor - item.promotionTakenBackMinor;
}

/**
 * An OrderItem of getOrderItems; pricing is omitted while the order is Pending. A cancelled item
 * no longer counts its cancelled units in QuantityOrdered (a cancelled order shows 0); units an
 * order adjustment cancelled leave QuantityOrdered, and what it refunded leaves ItemPrice, ItemTax
 * and PromotionDiscount (they show what the buyer pays for the units left).
 */
export function orderItemView(order: StoredOrder, item: StoredOrderItem): Record<string, unknown> {
  const view: Record<string, unknown> = {
    ASIN: item.asin,
    SellerSKU: item.sku,
    OrderItemId: item.orderItemId,
    Title: item.title,
    QuantityOrdered: item.quantityOrdered - item.quantityCancelled,
    QuantityShipped: item.quantityShipped,
    ProductInfo: { NumberOfItems: '1' },
    IsGift: 'false',
    ConditionId: 'New',
    ConditionSubtypeId: 'New',
    IsTransparency: false,
    BuyerRequestedCancel: {
      IsBuyerRequestedCancel: item.buyerCancelReason === null ? 'false' : 'true',
      BuyerCancelReason: item.buyerCancelReason ?? '',
    },
  };
  if (order.status !== 'Pending') {
    const currency = order.currency;
    Object.assign(view, {
      ItemPrice: money(chargedPrice(item), currency),
      ItemTax: money(chargedTax(item), currency),
      ShippingPrice: money(item.shippingPriceMinor, currency),
      ShippingTax: money(item.shippingTaxMinor, currency),
      PromotionDiscount: money(chargedPromotion(item), currency),
      PromotionDiscountTax: money(0, currency),
    });
  }
  return view;
}
