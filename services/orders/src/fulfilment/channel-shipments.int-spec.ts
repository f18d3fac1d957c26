// The channel's own shipments of an order it fulfils (Amazon FBA), through the bus: each report
// (channel.shipment_confirmed with shipped_by_channel) ships what the order lacks, once, whatever
// is redelivered or reported again. Nothing was reserved for such an order, so inventory is never
// called: its address points at a port nobody listens on. PostgreSQL + RabbitMQ and SQLite + the
// in-process bus, with the real catalog and ErpTestPeer for the ERP connector.
import {
  catalogV1,
  eventDefinitionOf,
  Events,
  grpcServices,
  ordersV1,
  toTimestamp,
  type channelEventsV1,
  type commonV1,
  type ordersEventsV1,
} from '@retail-mesh/contracts';
import { decodeEvent, encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import { catalogService } from '@retail-mesh/service-catalog';
import { createGrpcClient, freePort, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersService } from '../index.js';
import { ErpTestPeer } from '../testing/erp-test-peer.fixture.js';

const { OrderState, PaymentStatus } = ordersV1;
const ACCOUNT = 'amazon-us';
const QUEUE = 'orders.channel-shipments';
const USD = (amountMinor: number): commonV1.Money => ({ amountMinor, currency: 'USD' });

/** An Amazon order of SKU-A x2 and SKU-B x1 (10 % tax), fulfilled by Amazon unless said otherwise. */
function amazonOrder(channelOrderId: string, fulfilledByChannel = true): ordersV1.Order {
  const lines: Array<[sku: string, quantity: number]> = [
    ['SKU-A', 2],
    ['SKU-B', 1],
  ];
  return ordersV1.Order.fromPartial({
    channelAccountId: ACCOUNT,
    channel: 'amazon',
    channelOrderId,
    channelOrderNumber: channelOrderId,
    lines: lines.map(([sku, quantity], index) => ({
      channelLineId: `${channelOrderId}-item-${index + 1}`,
      sku,
      title: sku,
      quantity,
      unitPrice: USD(1000),
      taxes: [{ name: 'Amazon item tax', ratePpm: 0, amount: USD(100 * quantity) }],
    })),
    shipping: { methodCode: 'Standard', methodTitle: 'Standard', price: USD(0) },
    // Amazon shares no recipient for the orders it ships.
    shippingAddress: fulfilledByChannel
      ? undefined
      : { name: 'Ada Lovelace', line1: '1 Main St', city: 'Springfield', region: 'IL', postalCode: '62701', countryCode: 'US' },
    fulfilledByChannel,
    paymentStatus: PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
    currency: 'USD',
    totals: { subtotal: USD(3000), discountTotal: USD(0), taxTotal: USD(300), shippingTotal: USD(0), grandTotal: USD(3300) },
    placedAt: toTimestamp(new Date('2026-11-27T09:00:00Z')),
  });
}

describe.each(SERVICE_TEST_MODES)('shipments the channel makes itself, on $name', ({ mode }) => {
  let catalogBed: ServiceTestBed;
  let testBed: ServiceTestBed;
  let service: RunningService;
  let client: GrpcClient<ordersV1.OrdersServiceClient>;
  const erp = new ErpTestPeer();
  const shipped: ordersEventsV1.OrderShipped[] = [];
  let orderNumber = 0;

  beforeAll(async () => {
    catalogBed = await createServiceTestBed(catalogService, { mode: 'sqlite+in-process' });
    const catalog = await catalogBed.start();
    const catalogClient = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, catalog.grpcUrl);
    await catalogClient.upsertProduct({
      product: catalogV1.Product.fromPartial({
        productId: 'P-1',
        title: 'Things',
        status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
        variants: ['SKU-A', 'SKU-B'].map((sku) => ({ sku, title: sku })),
      }),
    });
    for (const sku of ['SKU-A', 'SKU-B']) {
      await catalogClient.upsertChannelListing({
        listing: catalogV1.ChannelListing.fromPartial({
          channelAccountId: ACCOUNT,
          channel: 'amazon',
          sku,
          status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
        }),
      });
    }
    catalogClient.close();

    await erp.start();
    testBed = await createServiceTestBed(ordersService, {
      mode,
      settings: {
        CATALOG_GRPC_URL: catalog.grpcUrl,
        // Nothing listens there: an order the channel fulfils never needs inventory.
        INVENTORY_GRPC_URL: `127.0.0.1:${await freePort('127.0.0.1')}`,
        ERP_CONNECTOR_GRPC_URL: erp.grpcUrl,
        ORDERS_WORKER_POLL_INTERVAL_MS: '50',
        ORDERS_RETRY_BACKOFF_MS: '20',
        ORDERS_RETRY_MAX_BACKOFF_MS: '200',
      },
    });
    await testBed.bus.consume(
      { queue: 'test.orders-shipped', bindings: [Events.orders.orderShipped.binding], prefetch: 50 },
      async (delivery) => {
        const { payload } = decodeEvent(delivery, eventDefinitionOf(delivery.headers['x-event-type'] ?? '')!);
        shipped.push(payload as ordersEventsV1.OrderShipped);
      },
    );
    service = await testBed.start();
    client = createGrpcClient<ordersV1.OrdersServiceClient>(grpcServices.orders, service.grpcUrl);
  });

  afterAll(async () => {
    client?.close();
    await testBed?.close();
    await catalogBed?.close();
    await erp.stop();
  });

  function nextChannelOrderId(): string {
    orderNumber += 1;
    return `${mode === 'postgres+rabbitmq' ? '111' : '112'}-0000000-${String(orderNumber).padStart(7, '0')}`;
  }

  function waitForState(orderId: string, state: ordersV1.OrderState): Promise<ordersV1.Order> {
    return waitFor(
      async () => {
        const { order } = await client.getOrder({ orderId });
        return order?.state === state && order;
      },
      { description: `order ${orderId} ${ordersV1.orderStateToJSON(state)}` },
    );
  }

  /** A report of the units the channel shows shipped in all, per channel line. */
  function report(order: ordersV1.Order, shipmentId: string, quantities: number[], byChannelOrder = false): BusMessage {
    const payload: channelEventsV1.ShipmentConfirmed = {
      channelAccountId: ACCOUNT,
      channel: 'amazon',
      channelOrderId: order.channelOrderId,
      orderId: byChannelOrder ? '' : order.orderId,
      shipmentId,
      channelFulfillmentId: '',
      confirmedAt: toTimestamp(new Date()),
      shippedByChannel: {
        lines: order.lines.map((line, index) => ({ channelLineId: line.channelLineId, sku: line.sku, quantity: quantities[index]! })),
      },
    };
    return encodeEvent({
      definition: Events.channel.shipmentConfirmed,
      payload,
      source: 'channel-amazon',
      subject: order.orderId,
      channel: 'amazon',
    });
  }

  const handled = () => scrapeMetric(service, 'retail_mesh_consumer_handled_total', { queue: QUEUE });
  const duplicates = () => scrapeMetric(service, 'retail_mesh_consumer_duplicates_total', { queue: QUEUE });

  it('ships what the channel reports once: a redelivery and a repeated report change nothing', async () => {
    const submitted = (await client.submitOrder({ idempotencyKey: '', order: amazonOrder(nextChannelOrderId()) })).order!;
    const order = await waitForState(submitted.orderId, OrderState.ORDER_STATE_ACCEPTED);
    expect(order.reservationId).toBe('');

    const first = report(order, 'report-1', [1, 0]);
    await testBed.bus.publish([first]);
    const partial = await waitForState(order.orderId, OrderState.ORDER_STATE_PARTIALLY_SHIPPED);
    expect(partial.lines.map((line) => line.shippedQuantity)).toEqual([1, 0]);

    // The same event again, and the same figures in a new report (by channel order: a poll that ran twice).
    const [handledBefore, duplicatesBefore] = [await handled(), await duplicates()];
    await testBed.bus.publish([first, report(order, 'report-1-again', [1, 0], true)]);
    await waitFor(async () => (await handled()) >= handledBefore + 2, { description: 'both deliveries handled' });
    expect(await duplicates()).toBe(duplicatesBefore + 1);
    expect((await client.getOrder({ orderId: order.orderId })).order!.lines.map((line) => line.shippedQuantity)).toEqual([1, 0]);

    await testBed.bus.publish([report(order, 'report-2', [2, 1])]);
    const done = await waitForState(order.orderId, OrderState.ORDER_STATE_SHIPPED);
    expect(done.lines.map((line) => line.shippedQuantity)).toEqual([2, 1]);
    const { history } = await client.getOrder({ orderId: order.orderId });
    expect(history.filter((entry) => entry.change === 'shipped').map((entry) => entry.actor)).toEqual(['channel', 'channel']);

    const events = await waitFor(() => {
      const ofOrder = shipped.filter((event) => event.order?.orderId === order.orderId);
      return ofOrder.length >= 2 && ofOrder;
    });
    expect(events).toHaveLength(2);
    expect(events.map((event) => [event.fullyShipped, event.shipment?.lines.map((line) => [line.channelLineId, line.quantity])])).toEqual([
      [false, [[order.lines[0]!.channelLineId, 1]]],
      [
        true,
        [
          [order.lines[0]!.channelLineId, 1],
          [order.lines[1]!.channelLineId, 1],
        ],
      ],
    ]);
    expect(events[1]!.order).toMatchObject({ state: OrderState.ORDER_STATE_SHIPPED, fulfilledByChannel: true });
  });

  it('dead-letters a report for an order the seller ships, or for an unknown order, with the reason', async () => {
    // Never gets past validation here (inventory is unreachable), which does not matter: it exists.
    const seller = (await client.submitOrder({ idempotencyKey: '', order: amazonOrder(nextChannelOrderId(), false) })).order!;
    const unknown = { ...seller, orderId: randomUUID() };
    await testBed.bus.publish([report(seller, 'report-seller', [1, 0]), report(unknown, 'report-unknown', [1, 0])]);
    const letters = await waitFor(async () => {
      const peeked = await testBed.bus.peekDeadLetters(QUEUE, 10);
      return peeked.length >= 2 && peeked;
    });
    expect(letters.map((letter) => letter.reason)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`is for an unknown order ${unknown.orderId}`),
        expect.stringContaining(`order ${seller.orderId} is shipped by the seller`),
      ]),
    );
  });
});
