// Pure mapping of an Amazon order (Orders v0 order + its items + the shipping address read with a
// Restricted Data Token) to the canonical order, and the decision what the intake does with an
// order it reads. Amazon specifics it handles: ItemPrice is unit price x quantity, amounts are
// decimal strings (exact minor units, never floats), pricing is absent while Pending, the
// recipient's name, street and phone come only from getOrderAddress (an RDT) and only the seller's
// own (MFN) shipments need them (an AFN order is marked fulfilled by the channel: Amazon ships it
// from its own stock, and what it shipped is reported to the mesh as cumulative units per item),
// and EU/JP marketplaces price with tax included.
import { commonV1, ordersV1, toTimestamp, type channelEventsV1 } from '@retail-mesh/contracts';
import { addMoney, DomainValidationError, subtractMoney, sumMoney, zeroMoney, type Money } from '@retail-mesh/domain';
import { AMAZON_CHANNEL } from '../amazon/amazon-channel.js';
import { amazonMoneyToMoney } from '../amazon/amazon-money.js';
import type { AmazonAddress, AmazonMoney, AmazonOrder, AmazonOrderItem, AmazonOrderStatus } from '../amazon/sp-api.types.js';

// Marketplaces whose prices exclude sales tax (North America); elsewhere ItemPrice includes VAT / consumption tax.
const TAX_EXCLUSIVE_MARKETPLACES = new Set(['ATVPDKIKX0DER', 'A2EUQ1WTGCTBG2', 'A1AM78C64UM0Y8', 'A2Q3Y263D00KWC']);

export type OrderMapping = { ok: true; order: ordersV1.Order } | { ok: false; reason: string };

/**
 * Whether the seller ships the order (MFN) and so needs the recipient's full address. Amazon
 * ships AFN orders itself; an order without FulfillmentChannel is treated as the seller's.
 */
export function isFulfilledBySeller(order: Pick<AmazonOrder, 'FulfillmentChannel'>): boolean {
  return order.FulfillmentChannel !== 'AFN';
}

/**
 * `address` is getOrderAddress's ShippingAddress (read with an RDT); without it the order keeps
 * what getOrders shows without PII (city, region, postal code, country).
 */
export function toCanonicalOrder(
  channelAccountId: string,
  order: AmazonOrder,
  items: readonly AmazonOrderItem[],
  address?: AmazonAddress,
): OrderMapping {
  try {
    return { ok: true, order: mapOrder(channelAccountId, order, items, address ?? order.ShippingAddress) };
  } catch (error) {
    if (error instanceof DomainValidationError || error instanceof MappingError) return { ok: false, reason: error.message };
    throw error;
  }
}

class MappingError extends Error {}

function mapOrder(
  channelAccountId: string,
  order: AmazonOrder,
  items: readonly AmazonOrderItem[],
  address: AmazonAddress | undefined,
): ordersV1.Order {
  const orderedItems = items.filter((item) => item.QuantityOrdered > 0);
  if (orderedItems.length === 0) throw new MappingError(`order ${order.AmazonOrderId} has no items with a quantity`);
  const currency = order.OrderTotal?.CurrencyCode ?? orderedItems.find((item) => item.ItemPrice)?.ItemPrice?.CurrencyCode;
  if (!currency) throw new MappingError(`order ${order.AmazonOrderId} has no prices yet`);
  const money = (value: AmazonMoney | undefined, what: string): Money => {
    if (value === undefined) return zeroMoney(currency);
    const parsed = amazonMoneyToMoney(value);
    if (parsed.currency !== currency)
      throw new MappingError(`${what} of order ${order.AmazonOrderId} is in ${parsed.currency}, the order in ${currency}`);
    return parsed;
  };

  const lines = orderedItems.map((item): ordersV1.OrderLine => {
    if (!item.SellerSKU) throw new MappingError(`order item ${item.OrderItemId} has no SellerSKU`);
    if (item.ItemPrice === undefined)
      throw new MappingError(`order item ${item.OrderItemId} has no ItemPrice (is the order still Pending?)`);
    const itemPrice = money(item.ItemPrice, 'ItemPrice');
    // ItemPrice is for the whole quantity; the canonical line needs the unit price exactly.
    if (itemPrice.amountMinor % item.QuantityOrdered !== 0) {
      throw new MappingError(
        `ItemPrice ${item.ItemPrice.Amount} of order item ${item.OrderItemId} does not divide into ${item.QuantityOrdered} equal unit prices`,
      );
    }
    const unitPrice = { amountMinor: itemPrice.amountMinor / item.QuantityOrdered, currency };
    const promotion = money(item.PromotionDiscount, 'PromotionDiscount');
    const tax = money(item.ItemTax, 'ItemTax');
    return ordersV1.OrderLine.fromPartial({
      channelLineId: item.OrderItemId,
      sku: item.SellerSKU,
      title: item.Title ?? '',
      quantity: item.QuantityOrdered,
      unitPrice: toProtoMoney(unitPrice),
      discounts:
        promotion.amountMinor > 0
          ? [{ code: (item.PromotionIds ?? []).join(','), description: 'Amazon promotion', amount: toProtoMoney(promotion) }]
          : [],
      taxes: tax.amountMinor > 0 ? [{ name: 'Amazon item tax', ratePpm: 0, amount: toProtoMoney(tax) }] : [],
      shippedQuantity: item.QuantityShipped ?? 0,
      cancelledQuantity: 0,
    });
  });

  const sum = (field: 'ItemPrice' | 'PromotionDiscount' | 'ItemTax' | 'ShippingPrice' | 'ShippingDiscount' | 'ShippingTax') =>
    sumMoney(
      orderedItems.map((item) => money(item[field], field)),
      currency,
    );
  const subtotal = sum('ItemPrice');
  const shippingPrice = sum('ShippingPrice');
  const shippingDiscount = sum('ShippingDiscount');
  const shippingTax = sum('ShippingTax');
  const discountTotal = addMoney(sum('PromotionDiscount'), shippingDiscount);
  const taxTotal = addMoney(sum('ItemTax'), shippingTax);
  const taxesIncluded = order.MarketplaceId !== undefined && !TAX_EXCLUSIVE_MARKETPLACES.has(order.MarketplaceId);
  const beforeTax = addMoney(subtractMoney(subtotal, discountTotal), shippingPrice);
  const grandTotal = taxesIncluded ? beforeTax : addMoney(beforeTax, taxTotal);

  return ordersV1.Order.fromPartial({
    channelAccountId,
    channel: AMAZON_CHANNEL,
    channelOrderId: order.AmazonOrderId,
    channelOrderNumber: order.AmazonOrderId,
    lines,
    shipping: {
      methodCode: order.ShipmentServiceLevelCategory ?? order.ShipServiceLevel ?? '',
      methodTitle: order.ShipServiceLevel ?? '',
      price: toProtoMoney(shippingPrice),
      discounts:
        shippingDiscount.amountMinor > 0
          ? [{ code: '', description: 'Amazon shipping promotion', amount: toProtoMoney(shippingDiscount) }]
          : [],
      taxes: shippingTax.amountMinor > 0 ? [{ name: 'Amazon shipping tax', ratePpm: 0, amount: toProtoMoney(shippingTax) }] : [],
    },
    shippingAddress: address ? toPostalAddress(address) : null,
    fulfilledByChannel: !isFulfilledBySeller(order),
    customer: { channelCustomerId: '', name: '', email: '', phone: '', company: '' },
    // Amazon collected the payment authorisation; it charges the buyer when the order ships.
    paymentStatus: ordersV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
    currency,
    totals: {
      subtotal: toProtoMoney(subtotal),
      discountTotal: toProtoMoney(discountTotal),
      taxTotal: toProtoMoney(taxTotal),
      shippingTotal: toProtoMoney(shippingPrice),
      grandTotal: toProtoMoney(grandTotal),
    },
    taxesIncluded,
    purchaseOrderNumber: order.SellerOrderId ?? '',
    placedAt: toTimestamp(new Date(order.PurchaseDate)),
  });
}

/** Orders v0 Address → canonical PostalAddress; AddressLine2 and 3 share line 2 (the canonical address has two lines). */
function toPostalAddress(address: AmazonAddress): commonV1.PostalAddress {
  return commonV1.PostalAddress.fromPartial({
    name: address.Name ?? '',
    company: address.CompanyName ?? '',
    line1: address.AddressLine1 ?? '',
    line2: [address.AddressLine2, address.AddressLine3].filter((line) => line !== undefined && line.trim() !== '').join(', '),
    city: address.City ?? '',
    region: address.StateOrRegion ?? '',
    postalCode: address.PostalCode ?? '',
    countryCode: address.CountryCode ?? '',
    phone: address.Phone ?? '',
  });
}

export function toProtoMoney(money: Money): { amountMinor: number; currency: string } {
  return { amountMinor: money.amountMinor, currency: money.currency };
}

/** What the intake knows of an order it has seen before. */
export interface KnownOrder {
  lastUpdateDate: string;
  orderStatus: string;
  /** Mesh order id once SubmitOrder accepted it; null before. */
  orderId: string | null;
  cancelSubmitted: boolean;
  /** Units Amazon showed shipped of an order it fulfils (AFN) that the mesh has been told of. */
  shippedUnitsReported: number;
}

export type IntakeDecision =
  /** Nothing changed since the last read (the overlap re-reads orders). */
  | 'skip'
  /** Not ready for fulfilment (Pending: no prices yet); it is read again when it changes. */
  | 'wait'
  /** New and ready: read its items, map, SubmitOrder. */
  | 'submit'
  /** Cancelled on Amazon after it was submitted: CancelOrder. */
  | 'cancel'
  /** Amazon shipped more of a submitted order it fulfils (AFN): read its items, tell the mesh. */
  | 'ship'
  /** Changed, but nothing for the mesh to do: remember the new state. */
  | 'record';

const WAITING: readonly AmazonOrderStatus[] = ['Pending', 'PendingAvailability'];
const READY: readonly AmazonOrderStatus[] = ['Unshipped', 'PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed'];
const SHIPPING: readonly AmazonOrderStatus[] = ['PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed'];

export function decideIntake(
  order: Pick<AmazonOrder, 'LastUpdateDate' | 'OrderStatus' | 'FulfillmentChannel' | 'NumberOfItemsShipped'>,
  known: KnownOrder | undefined,
): IntakeDecision {
  const shippedMore = known !== undefined && shippedByAmazonBeyond(order, known.shippedUnitsReported);
  // LastUpdateDate has whole seconds: a second shipment within the same second shows only in the count.
  const countGrew = shippedMore && order.NumberOfItemsShipped !== undefined;
  if (known && known.lastUpdateDate === order.LastUpdateDate && known.orderStatus === order.OrderStatus && !countGrew) return 'skip';
  if (order.OrderStatus === 'Canceled') return known?.orderId && !known.cancelSubmitted ? 'cancel' : 'record';
  if (WAITING.includes(order.OrderStatus)) return 'wait';
  if (READY.includes(order.OrderStatus)) {
    if (!known?.orderId) return 'submit';
    return shippedMore ? 'ship' : 'record';
  }
  // Unfulfillable: Amazon-fulfilled orders the seller does not ship.
  return 'record';
}

/**
 * Whether Amazon may show more units shipped of an order it fulfils (AFN) than `reported`:
 * NumberOfItemsShipped says so when getOrders gives it, else a shipping status does (the items tell).
 */
function shippedByAmazonBeyond(
  order: Pick<AmazonOrder, 'OrderStatus' | 'FulfillmentChannel' | 'NumberOfItemsShipped'>,
  reported: number,
): boolean {
  if (isFulfilledBySeller(order) || !SHIPPING.includes(order.OrderStatus)) return false;
  return order.NumberOfItemsShipped === undefined || order.NumberOfItemsShipped > reported;
}

/** What Amazon shows shipped of an order it fulfils: units in all, and per item (only items with some). */
export interface AmazonShipped {
  units: number;
  lines: Array<{ channelLineId: string; sku: string; quantity: number }>;
}

export function shippedByAmazon(items: readonly AmazonOrderItem[]): AmazonShipped {
  const lines = items
    .filter((item) => (item.QuantityShipped ?? 0) > 0)
    .map((item) => ({ channelLineId: item.OrderItemId, sku: item.SellerSKU ?? '', quantity: item.QuantityShipped! }));
  return { units: lines.reduce((sum, line) => sum + line.quantity, 0), lines };
}

/**
 * channel.shipment_confirmed for units Amazon shipped itself: cumulative quantities per item
 * (the orders service ships what its order lacks), identified by the order and the units shipped
 * in all, so the same figures always make the same report.
 */
export function amazonShipmentReport(
  channelAccountId: string,
  orderId: string,
  order: Pick<AmazonOrder, 'AmazonOrderId' | 'LastUpdateDate'>,
  shipped: AmazonShipped,
): channelEventsV1.ShipmentConfirmed {
  return {
    channelAccountId,
    channel: AMAZON_CHANNEL,
    channelOrderId: order.AmazonOrderId,
    orderId,
    shipmentId: `${order.AmazonOrderId}/shipped-${shipped.units}`,
    channelFulfillmentId: '',
    confirmedAt: toTimestamp(new Date(order.LastUpdateDate)),
    shippedByChannel: { lines: shipped.lines },
  };
}
