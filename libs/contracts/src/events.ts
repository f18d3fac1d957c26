// Every event of the mesh: its full message name (EventEnvelope.type), its routing key, whether
// the key ends with the channel slug, and its codec. Publishers and consumers take keys and
// bindings from here instead of typing strings.
//
// Routing key = `<domain>.<event>[.<channel>]`. The channel suffix is on events a channel adapter
// acts on (availability, prices, order outcomes, refunds) and on events adapters publish, so each
// adapter binds only its own channel and mesh consumers bind `<domain>.<event>.*`.
import * as catalogEvents from './generated/retail/catalog/v1/catalog_events.js';
import * as channelEvents from './generated/retail/channel/v1/channel_events.js';
import * as erpEvents from './generated/retail/erp/v1/erp_events.js';
import * as inventoryEvents from './generated/retail/inventory/v1/inventory_events.js';
import * as operationsEvents from './generated/retail/operations/v1/operations_events.js';
import * as ordersEvents from './generated/retail/orders/v1/orders_events.js';
import * as returnsEvents from './generated/retail/returns/v1/returns_events.js';
import * as settlementEvents from './generated/retail/settlement/v1/settlement_events.js';
// Every generated file declares the same MessageFns; take it from one.
import type { MessageFns } from './generated/retail/common/v1/common.js';

export interface EventDefinition<T> {
  /** Full protobuf message name, the EventEnvelope `type`, e.g. "retail.inventory.v1.AvailabilityChanged". */
  readonly type: string;
  /** Routing key without the channel suffix, e.g. "inventory.availability_changed". */
  readonly routingKey: string;
  /** True when the routing key ends with `.<channel>`. */
  readonly channelScoped: boolean;
  /** Binding pattern matching every routing key of this event (all channels). */
  readonly binding: string;
  /** EventEnvelope `schema_version` publishers set (see common.proto). */
  readonly schemaVersion: number;
  readonly codec: MessageFns<T>;
}

function event<T>(type: string, routingKey: string, channelScoped: boolean, codec: MessageFns<T>): EventDefinition<T> {
  return { type, routingKey, channelScoped, binding: channelScoped ? `${routingKey}.*` : routingKey, schemaVersion: 1, codec };
}

export const Events = {
  catalog: {
    productUpserted: event('retail.catalog.v1.ProductUpserted', 'catalog.product_upserted', false, catalogEvents.ProductUpserted),
    priceChanged: event('retail.catalog.v1.PriceChanged', 'catalog.price_changed', true, catalogEvents.PriceChanged),
    channelListingUpserted: event(
      'retail.catalog.v1.ChannelListingUpserted',
      'catalog.channel_listing_upserted',
      true,
      catalogEvents.ChannelListingUpserted,
    ),
  },
  inventory: {
    availabilityChanged: event(
      'retail.inventory.v1.AvailabilityChanged',
      'inventory.availability_changed',
      true,
      inventoryEvents.AvailabilityChanged,
    ),
    availabilityChangedBatch: event(
      'retail.inventory.v1.AvailabilityChangedBatch',
      'inventory.availability_changed_batch',
      true,
      inventoryEvents.AvailabilityChangedBatch,
    ),
  },
  orders: {
    orderAccepted: event('retail.orders.v1.OrderAccepted', 'orders.order_accepted', true, ordersEvents.OrderAccepted),
    orderOnHold: event('retail.orders.v1.OrderOnHold', 'orders.order_on_hold', true, ordersEvents.OrderOnHold),
    orderCancelled: event('retail.orders.v1.OrderCancelled', 'orders.order_cancelled', true, ordersEvents.OrderCancelled),
    orderShipped: event('retail.orders.v1.OrderShipped', 'orders.order_shipped', true, ordersEvents.OrderShipped),
  },
  returns: {
    returnAuthorized: event('retail.returns.v1.ReturnAuthorized', 'returns.return_authorized', false, returnsEvents.ReturnAuthorized),
    returnRejected: event('retail.returns.v1.ReturnRejected', 'returns.return_rejected', false, returnsEvents.ReturnRejected),
    returnReceived: event('retail.returns.v1.ReturnReceived', 'returns.return_received', false, returnsEvents.ReturnReceived),
    refundRequested: event('retail.returns.v1.RefundRequested', 'returns.refund_requested', true, returnsEvents.RefundRequested),
    returnRefunded: event('retail.returns.v1.ReturnRefunded', 'returns.return_refunded', false, returnsEvents.ReturnRefunded),
    restocked: event('retail.returns.v1.Restocked', 'returns.restocked', false, returnsEvents.Restocked),
  },
  settlement: {
    reportImported: event('retail.settlement.v1.ReportImported', 'settlement.report_imported', false, settlementEvents.ReportImported),
    journalPosted: event('retail.settlement.v1.JournalPosted', 'settlement.journal_posted', false, settlementEvents.JournalPosted),
    exceptionRaised: event('retail.settlement.v1.ExceptionRaised', 'settlement.exception_raised', false, settlementEvents.ExceptionRaised),
  },
  erp: {
    stockChanged: event('retail.erp.v1.StockChanged', 'erp.stock_changed', false, erpEvents.StockChanged),
    stockChangeBatch: event('retail.erp.v1.StockChangeBatch', 'erp.stock_change_batch', false, erpEvents.StockChangeBatch),
    shipmentCreated: event('retail.erp.v1.ShipmentCreated', 'erp.shipment_created', false, erpEvents.ShipmentCreated),
    orderCancelled: event('retail.erp.v1.OrderCancelled', 'erp.order_cancelled', false, erpEvents.OrderCancelled),
    returnReceived: event('retail.erp.v1.ReturnReceived', 'erp.return_received', false, erpEvents.ReturnReceived),
    salesOrderCreated: event('retail.erp.v1.SalesOrderCreated', 'erp.sales_order_created', false, erpEvents.SalesOrderCreated),
    salesOrderRejected: event('retail.erp.v1.SalesOrderRejected', 'erp.sales_order_rejected', false, erpEvents.SalesOrderRejected),
    creditMemoCreated: event('retail.erp.v1.CreditMemoCreated', 'erp.credit_memo_created', false, erpEvents.CreditMemoCreated),
    journalRecorded: event('retail.erp.v1.JournalRecorded', 'erp.journal_recorded', false, erpEvents.JournalRecorded),
  },
  channel: {
    orderReceived: event('retail.channel.v1.OrderReceived', 'channel.order_received', true, channelEvents.OrderReceived),
    orderCancellationRequested: event(
      'retail.channel.v1.OrderCancellationRequested',
      'channel.order_cancellation_requested',
      true,
      channelEvents.OrderCancellationRequested,
    ),
    orderAcknowledged: event('retail.channel.v1.OrderAcknowledged', 'channel.order_acknowledged', true, channelEvents.OrderAcknowledged),
    shipmentConfirmed: event('retail.channel.v1.ShipmentConfirmed', 'channel.shipment_confirmed', true, channelEvents.ShipmentConfirmed),
    refundIssued: event('retail.channel.v1.RefundIssued', 'channel.refund_issued', true, channelEvents.RefundIssued),
    returnRequested: event('retail.channel.v1.ReturnRequested', 'channel.return_requested', true, channelEvents.ReturnRequested),
    settlementAvailable: event(
      'retail.channel.v1.SettlementAvailable',
      'channel.settlement_available',
      true,
      channelEvents.SettlementAvailable,
    ),
  },
  operations: {
    exceptionRaised: event('retail.operations.v1.ExceptionRaised', 'operations.exception_raised', false, operationsEvents.ExceptionRaised),
    exceptionResolved: event(
      'retail.operations.v1.ExceptionResolved',
      'operations.exception_resolved',
      false,
      operationsEvents.ExceptionResolved,
    ),
    reconciliationCompleted: event(
      'retail.operations.v1.ReconciliationCompleted',
      'operations.reconciliation_completed',
      false,
      operationsEvents.ReconciliationCompleted,
    ),
  },
} as const;

/** Every event definition. */
export const ALL_EVENTS: readonly EventDefinition<unknown>[] = Object.values(Events).flatMap((domain) =>
  Object.values(domain as Record<string, EventDefinition<unknown>>),
);

const byType = new Map(ALL_EVENTS.map((definition) => [definition.type, definition]));

/** The definition of an EventEnvelope `type`, or undefined for a type this build does not know. */
export function eventDefinitionOf(type: string): EventDefinition<unknown> | undefined {
  return byType.get(type);
}

/** A channel type slug: lower-case letters, digits and dashes, e.g. "shopify", "adobe-commerce". */
export const CHANNEL_SLUG_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * The routing key to publish an event with, or to bind one channel's events:
 * `routingKeyOf(Events.inventory.availabilityChanged, 'shopify')` is
 * "inventory.availability_changed.shopify". Throws when a channel-scoped event gets no valid
 * channel slug or an unscoped one gets a channel.
 */
export function routingKeyOf(definition: EventDefinition<unknown>, channel?: string): string {
  if (!definition.channelScoped) {
    if (channel !== undefined) throw new Error(`${definition.type} is not channel-scoped; got channel "${channel}"`);
    return definition.routingKey;
  }
  if (channel === undefined || !CHANNEL_SLUG_PATTERN.test(channel)) {
    throw new Error(`${definition.type} needs a channel slug matching ${CHANNEL_SLUG_PATTERN}; got "${channel ?? ''}"`);
  }
  return `${definition.routingKey}.${channel}`;
}
