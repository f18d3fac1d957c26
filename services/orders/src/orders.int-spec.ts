// The orders service end to end through gRPC and the bus: a channel order becomes exactly one ERP
// sales order (or a hold with its reason), survives a restart mid-flow, drains in reservation
// order after an ERP outage, and follows shipments, cancellations and acknowledgements. Runs on
// PostgreSQL + RabbitMQ (distributed mode) and on SQLite + the in-process bus (embedded mode).
//
// Peers: the real catalog and inventory services (SQLite, in this process); the ERP connector is
// ErpTestPeer (a test peer with fault injection) until the e2e runs the real connector.
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  catalogV1,
  eventDefinitionOf,
  Events,
  grpcServices,
  inventoryV1,
  ordersV1,
  toTimestamp,
  type commonV1,
  type erpEventsV1,
  type ordersEventsV1,
} from '@retail-mesh/contracts';
import { decodeEvent, encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import { catalogService } from '@retail-mesh/service-catalog';
import { inventoryService } from '@retail-mesh/service-inventory';
import { createGrpcClient, errorReasonOf, freePort, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersService } from './index.js';
import { ErpTestPeer } from './testing/erp-test-peer.fixture.js';

const { OrderState, HoldReason, CancelReason, PaymentStatus, FraudRiskLevel } = ordersV1;
const ACCOUNT = 'shop-us';
const USD = (amountMinor: number): commonV1.Money => ({ amountMinor, currency: 'USD' });

interface Published {
  routingKey: string;
  type: string;
  payload: ordersEventsV1.OrderAccepted | ordersEventsV1.OrderOnHold | ordersEventsV1.OrderCancelled | ordersEventsV1.OrderShipped;
}

type LineSpec = [sku: string, quantity: number, unitPriceMinor: number];

/** A consistent order: each line taxed 10 %, shipping 5.00 untaxed. */
function buildOrder(
  channelOrderId: string,
  lines: LineSpec[] = [['SKU-A', 2, 1000]],
  overrides: Partial<ordersV1.Order> = {},
): ordersV1.Order {
  const orderLines = lines.map(([sku, quantity, unitPriceMinor], index) =>
    ordersV1.OrderLine.fromPartial({
      channelLineId: `${channelOrderId}-line-${index + 1}`,
      sku,
      title: sku,
      quantity,
      unitPrice: USD(unitPriceMinor),
      taxes: [{ name: 'Sales tax', ratePpm: 100_000, amount: USD((unitPriceMinor * quantity) / 10) }],
    }),
  );
  const subtotal = lines.reduce((sum, [, quantity, price]) => sum + quantity * price, 0);
  const tax = subtotal / 10;
  return ordersV1.Order.fromPartial({
    channelAccountId: ACCOUNT,
    channel: 'shopify',
    channelOrderId,
    channelOrderNumber: `#${channelOrderId}`,
    lines: orderLines,
    shipping: { methodCode: 'standard', methodTitle: 'Standard', price: USD(500) },
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '1 Main St',
      city: 'Springfield',
      region: 'IL',
      postalCode: '62701',
      countryCode: 'US',
    },
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    paymentStatus: PaymentStatus.PAYMENT_STATUS_PAID,
    currency: 'USD',
    totals: {
      subtotal: USD(subtotal),
      discountTotal: USD(0),
      taxTotal: USD(tax),
      shippingTotal: USD(500),
      grandTotal: USD(subtotal + tax + 500),
    },
    placedAt: toTimestamp(new Date('2026-11-27T09:00:00Z')),
    ...overrides,
  });
}

describe.each(SERVICE_TEST_MODES)('orders on $name', ({ mode }) => {
  let catalogBed: ServiceTestBed;
  let catalog: RunningService;
  let inventoryBed: ServiceTestBed;
  let inventory: RunningService;
  let inventoryClient: GrpcClient<inventoryV1.InventoryServiceClient>;
  let testBed: ServiceTestBed;
  let service: RunningService;
  let client: GrpcClient<ordersV1.OrdersServiceClient>;
  const erp = new ErpTestPeer();
  const published: Published[] = [];
  let stockVersion = 0;
  let orderNumber = 0;

  beforeAll(async () => {
    // The peers only answer the worker's calls: SQLite and a bus of their own suffice.
    // A fixed port, so that the catalog can be stopped and started again where the orders service expects it.
    catalogBed = await createServiceTestBed(catalogService, {
      mode: 'sqlite+in-process',
      settings: { GRPC_PORT: String(await freePort('127.0.0.1')) },
    });
    catalog = await catalogBed.start();
    const catalogClient = createGrpcClient<catalogV1.CatalogServiceClient>(grpcServices.catalog, catalog.grpcUrl);
    await catalogClient.upsertProduct({
      product: catalogV1.Product.fromPartial({
        productId: 'P-1',
        title: 'Things',
        status: catalogV1.ProductStatus.PRODUCT_STATUS_ACTIVE,
        variants: ['SKU-A', 'SKU-B', 'SKU-C', 'SKU-D'].map((sku) => ({ sku, title: sku })),
      }),
    });
    // SKU-C is in the catalog but not listed on the account.
    for (const sku of ['SKU-A', 'SKU-B', 'SKU-D']) {
      await catalogClient.upsertChannelListing({
        listing: catalogV1.ChannelListing.fromPartial({
          channelAccountId: ACCOUNT,
          channel: 'shopify',
          sku,
          status: catalogV1.ListingStatus.LISTING_STATUS_ACTIVE,
        }),
      });
    }
    catalogClient.close();

    // A fixed port too: inventory is stopped and started again.
    inventoryBed = await createServiceTestBed(inventoryService, {
      mode: 'sqlite+in-process',
      settings: { GRPC_PORT: String(await freePort('127.0.0.1')) },
    });
    inventory = await inventoryBed.start();
    inventoryClient = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, inventory.grpcUrl);
    await inventoryClient.upsertChannelPolicy({
      policy: inventoryV1.ChannelPolicy.fromPartial({
        channelAccountId: ACCOUNT,
        channel: 'shopify',
        eligibleLocationIds: ['WH-1', 'WH-2'],
      }),
    });
    await setStock('SKU-A', 'WH-1', 1000);
    await setStock('SKU-B', 'WH-1', 5);
    await setStock('SKU-D', 'WH-2', 100);
    await setStock('SKU-A', 'STORE-9', 10);

    await erp.start();
    testBed = await createServiceTestBed(ordersService, {
      mode,
      settings: {
        CATALOG_GRPC_URL: catalog.grpcUrl,
        INVENTORY_GRPC_URL: inventory.grpcUrl,
        ERP_CONNECTOR_GRPC_URL: erp.grpcUrl,
        ORDERS_WORKER_POLL_INTERVAL_MS: '50',
        ORDERS_RETRY_BACKOFF_MS: '20',
        ORDERS_RETRY_MAX_BACKOFF_MS: '200',
      },
    });
    await testBed.bus.consume({ queue: 'test.orders', bindings: ['orders.#'], prefetch: 200 }, async (delivery) => {
      const type = delivery.headers['x-event-type'] ?? '';
      const { payload } = decodeEvent(delivery, eventDefinitionOf(type)!);
      published.push({ routingKey: delivery.routingKey, type, payload: payload as Published['payload'] });
    });
    await start();
  });

  afterAll(async () => {
    client?.close();
    inventoryClient?.close();
    await testBed?.close();
    await inventoryBed?.close();
    await catalogBed?.close();
    await erp.stop();
  });

  async function start(): Promise<void> {
    client?.close();
    service = await testBed.start();
    client = createGrpcClient<ordersV1.OrdersServiceClient>(grpcServices.orders, service.grpcUrl);
  }

  async function setStock(sku: string, locationId: string, onHand: number): Promise<void> {
    stockVersion += 1;
    await inventoryClient.setStockPosition({ sku, locationId, onHand, version: stockVersion, sourceChangeId: '', changedAt: undefined });
  }

  function nextChannelOrderId(): string {
    orderNumber += 1;
    return `${mode === 'postgres+rabbitmq' ? 'pg' : 'sq'}-${orderNumber}`;
  }

  async function submit(order: ordersV1.Order): Promise<ordersV1.Order> {
    const response = await client.submitOrder({ idempotencyKey: '', order });
    expect(response.created).toBe(true);
    return response.order!;
  }

  async function getOrder(orderId: string): Promise<ordersV1.GetOrderResponse> {
    return client.getOrder({ orderId });
  }

  function waitForState(orderId: string, state: ordersV1.OrderState): Promise<ordersV1.Order> {
    return waitFor(
      async () => {
        const { order } = await getOrder(orderId);
        return order?.state === state && order;
      },
      { description: `order ${orderId} ${ordersV1.orderStateToJSON(state)}` },
    );
  }

  function eventsOf<T extends Published['payload']>(orderId: string, type: string): T[] {
    return published.filter((event) => event.type === type && event.payload.order?.orderId === orderId).map((event) => event.payload as T);
  }

  function waitForEvent<T extends Published['payload']>(orderId: string, type: string, count = 1): Promise<T[]> {
    return waitFor(() => eventsOf<T>(orderId, type).length >= count && eventsOf<T>(orderId, type), {
      description: `${type} for ${orderId}`,
    });
  }

  async function acceptedOrder(lines?: LineSpec[]): Promise<ordersV1.Order> {
    const order = await submit(buildOrder(nextChannelOrderId(), lines));
    return waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
  }

  async function grpcError(call: Promise<unknown>): Promise<{ code: number; reason: string | undefined }> {
    const error = await call.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeDefined();
    return { code: (error as { code: number }).code, reason: errorReasonOf(error) };
  }

  function shipmentCreated(payload: erpEventsV1.ShipmentCreated): BusMessage {
    return encodeEvent({ definition: Events.erp.shipmentCreated, payload, source: 'erp-connector', subject: payload.orderId });
  }

  function erpOrderCancelled(payload: erpEventsV1.OrderCancelled): BusMessage {
    return encodeEvent({ definition: Events.erp.orderCancelled, payload, source: 'erp-connector', subject: payload.orderId });
  }

  it('takes a valid order to ACCEPTED: validated, reserved, one ERP sales order, order_accepted published', async () => {
    const submitted = await submit(
      buildOrder(nextChannelOrderId(), [
        ['SKU-A', 2, 1000],
        ['SKU-D', 1, 2500],
      ]),
    );
    expect(submitted).toMatchObject({ state: OrderState.ORDER_STATE_RECEIVED, version: 1 });
    expect(submitted.lines.map((line) => line.lineId)).toEqual(['L1', 'L2']);

    const accepted = await waitForState(submitted.orderId, OrderState.ORDER_STATE_ACCEPTED);
    const [salesOrder] = erp.salesOrdersOf(submitted.orderId);
    expect(accepted).toMatchObject({ erpOrderId: salesOrder!.erpOrderId, version: 4 });
    expect(salesOrder!.idempotencyKey).toBe(submitted.orderId);
    expect(accepted.reservationId).not.toBe('');
    expect(accepted.lines.map((line) => line.locationId)).toEqual(['WH-1', 'WH-2']);

    const [event] = await waitForEvent<ordersEventsV1.OrderAccepted>(submitted.orderId, Events.orders.orderAccepted.type);
    expect(event!.order).toMatchObject({ erpOrderId: salesOrder!.erpOrderId, state: OrderState.ORDER_STATE_ACCEPTED });
    expect(published.find((entry) => entry.payload.order?.orderId === submitted.orderId)!.routingKey).toBe('orders.order_accepted.shopify');

    // Validated and reserved in one pass and one commit, each step with its own history entry and version.
    const { history } = await getOrder(submitted.orderId);
    expect(history.map((entry) => [entry.change, entry.actor, ordersV1.orderStateToJSON(entry.toState), entry.version])).toEqual([
      ['submitted', 'channel', 'ORDER_STATE_RECEIVED', 1],
      ['validated', 'orders', 'ORDER_STATE_VALIDATED', 2],
      ['reserved', 'orders', 'ORDER_STATE_RESERVED', 3],
      ['accepted', 'orders', 'ORDER_STATE_ACCEPTED', 4],
    ]);
    expect(history.map((entry) => ordersV1.orderStateToJSON(entry.fromState))).toEqual([
      'ORDER_STATE_UNSPECIFIED',
      'ORDER_STATE_RECEIVED',
      'ORDER_STATE_VALIDATED',
      'ORDER_STATE_RESERVED',
    ]);
    const { reservation } = await inventoryClient.getReservation({ orderId: submitted.orderId });
    expect(reservation).toMatchObject({
      reservationId: accepted.reservationId,
      status: inventoryV1.ReservationStatus.RESERVATION_STATUS_ACTIVE,
    });
    for (const [from, to] of [
      ['RECEIVED', 'VALIDATED'],
      ['VALIDATED', 'RESERVED'],
      ['RESERVED', 'ACCEPTED'],
    ]) {
      expect(await scrapeMetric(service, 'retail_mesh_orders_state_transitions_total', { from, to })).toBeGreaterThan(0);
    }
  });

  it('records an order once when the same channel order is submitted ten times at once', async () => {
    const order = buildOrder(nextChannelOrderId());
    const responses = await Promise.all(Array.from({ length: 10 }, () => client.submitOrder({ idempotencyKey: '', order })));
    expect(responses.filter((response) => response.created)).toHaveLength(1);
    const orderIds = new Set(responses.map((response) => response.order!.orderId));
    expect(orderIds.size).toBe(1);
    const [orderId] = [...orderIds];
    await waitForState(orderId!, OrderState.ORDER_STATE_ACCEPTED);
    const { orders } = await client.listOrders(ordersV1.ListOrdersRequest.fromPartial({ channelAccountId: ACCOUNT }));
    expect(orders.filter((listed) => listed.channelOrderId === order.channelOrderId)).toHaveLength(1);
    expect(erp.salesOrdersOf(orderId!)).toHaveLength(1);

    // A later repeat returns the order as it stands.
    const again = await client.submitOrder({ idempotencyKey: '', order });
    expect(again).toMatchObject({ created: false, order: { orderId, state: OrderState.ORDER_STATE_ACCEPTED } });
    expect(await scrapeMetric(service, 'retail_mesh_orders_submissions_total', { outcome: 'existing' })).toBeGreaterThanOrEqual(10);
  });

  it('records a batch of orders in one call: each request gets what SubmitOrder would answer it, in order', async () => {
    const first = buildOrder(nextChannelOrderId());
    const second = buildOrder(nextChannelOrderId());
    const existing = await submit(buildOrder(nextChannelOrderId()));
    const erpCallsBefore = erp.batchSizes.length;
    const { results } = await client.submitOrders({
      requests: [
        { idempotencyKey: '', order: first },
        { idempotencyKey: '', order: buildOrder('bad-batch', [], {}) },
        { idempotencyKey: '', order: existing },
        { idempotencyKey: '', order: second },
        { idempotencyKey: '', order: first },
      ],
    });
    expect(results).toHaveLength(5);
    expect(results[0]!.response).toMatchObject({ created: true, order: { channelOrderId: first.channelOrderId } });
    expect(results[1]!.error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT, reason: 'invalid_order' });
    expect(results[2]!.response).toMatchObject({ created: false, order: { orderId: existing.orderId } });
    expect(results[3]!.response).toMatchObject({ created: true, order: { channelOrderId: second.channelOrderId } });
    // The same channel order twice in one call is recorded once.
    expect(results[4]!.response).toMatchObject({ created: false, order: { orderId: results[0]!.response!.order!.orderId } });
    for (const result of [results[0]!, results[3]!]) {
      const orderId = result.response!.order!.orderId;
      await waitForState(orderId, OrderState.ORDER_STATE_ACCEPTED);
      expect(erp.salesOrdersOf(orderId)).toHaveLength(1);
    }
    // Reserved together, they went to the ERP connector together: one CreateSalesOrders call.
    expect(Math.max(...erp.batchSizes.slice(erpCallsBefore))).toBeGreaterThanOrEqual(2);

    const tooMany = Array.from({ length: 501 }, () => ({ idempotencyKey: '', order: first }));
    expect(await grpcError(client.submitOrders({ requests: tooMany }))).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: 'too_many_requests',
    });
  });

  it('creates sales orders one call each through an ERP connector without CreateSalesOrders (a rolling upgrade)', async () => {
    erp.withoutBatch = true;
    try {
      const order = await submit(buildOrder(nextChannelOrderId()));
      await waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
      expect(erp.salesOrdersOf(order.orderId)).toHaveLength(1);
    } finally {
      erp.withoutBatch = false;
    }
  });

  describe('holds, each with its reason', () => {
    const cases: Array<[name: string, reason: ordersV1.HoldReason, build: (id: string) => ordersV1.Order]> = [
      ['a SKU the catalog does not know', HoldReason.HOLD_REASON_UNKNOWN_SKU, (id) => buildOrder(id, [['NOPE-1', 1, 1000]])],
      ['a SKU not listed on the channel account', HoldReason.HOLD_REASON_SKU_NOT_LISTED, (id) => buildOrder(id, [['SKU-C', 1, 1000]])],
      [
        'line taxes that do not add up to the order tax',
        HoldReason.HOLD_REASON_TAX_MISMATCH,
        (id) => {
          const order = buildOrder(id);
          order.lines[0]!.taxes = [{ name: 'Sales tax', ratePpm: 100_000, amount: USD(199) }];
          return order;
        },
      ],
      [
        'a grand total that is not what the lines say',
        HoldReason.HOLD_REASON_PRICE_MISMATCH,
        (id) => {
          const order = buildOrder(id);
          order.totals!.grandTotal = USD(order.totals!.grandTotal!.amountMinor + 1);
          return order;
        },
      ],
      [
        'an incomplete shipping address',
        HoldReason.HOLD_REASON_INVALID_ADDRESS,
        (id) => buildOrder(id, undefined, { shippingAddress: { ...buildOrder(id).shippingAddress!, city: '' } }),
      ],
      [
        'a payment still pending',
        HoldReason.HOLD_REASON_PAYMENT_PENDING,
        (id) => buildOrder(id, undefined, { paymentStatus: PaymentStatus.PAYMENT_STATUS_PENDING }),
      ],
      [
        'a high fraud risk',
        HoldReason.HOLD_REASON_FRAUD_REVIEW,
        (id) =>
          buildOrder(id, undefined, {
            fraudSignals: [{ source: 'shopify', code: 'CVV_MISMATCH', riskLevel: FraudRiskLevel.FRAUD_RISK_LEVEL_HIGH, message: '' }],
          }),
      ],
      ['more units than are in stock', HoldReason.HOLD_REASON_INSUFFICIENT_STOCK, (id) => buildOrder(id, [['SKU-B', 50, 1000]])],
      [
        'a fulfilment location the account may not use',
        HoldReason.HOLD_REASON_LOCATION_NOT_ELIGIBLE,
        (id) => buildOrder(id, undefined, { requestedLocationId: 'STORE-9' }),
      ],
    ];

    it.each(cases)('holds an order with %s', async (_name, reason, build) => {
      const order = await submit(build(nextChannelOrderId()));
      const held = await waitForState(order.orderId, OrderState.ORDER_STATE_ON_HOLD);
      expect(held.holdReason).toBe(reason);
      expect(held.holdDetail).not.toBe('');
      const [event] = await waitForEvent<ordersEventsV1.OrderOnHold>(order.orderId, Events.orders.orderOnHold.type);
      expect(event).toMatchObject({ holdReason: reason, holdDetail: held.holdDetail, order: { state: OrderState.ORDER_STATE_ON_HOLD } });
      expect(erp.salesOrdersOf(order.orderId)).toEqual([]);
      const label = ordersV1.holdReasonToJSON(reason).replace('HOLD_REASON_', '');
      expect(await scrapeMetric(service, 'retail_mesh_orders_holds_total', { reason: label })).toBeGreaterThan(0);
    });

    it('holds an order the ERP refuses, keeping its reservation', async () => {
      erp.mode = 'rejecting';
      try {
        const order = await submit(buildOrder(nextChannelOrderId()));
        const held = await waitForState(order.orderId, OrderState.ORDER_STATE_ON_HOLD);
        expect(held).toMatchObject({ holdReason: HoldReason.HOLD_REASON_ERP_REJECTED, holdDetail: 'customer credit hold' });
        expect(held.reservationId).not.toBe('');
      } finally {
        erp.mode = 'available';
      }
    });

    it('lists held orders by hold reason and state', async () => {
      const { orders } = await client.listOrders(
        ordersV1.ListOrdersRequest.fromPartial({
          states: [OrderState.ORDER_STATE_ON_HOLD],
          holdReasons: [HoldReason.HOLD_REASON_FRAUD_REVIEW],
          channel: 'shopify',
        }),
      );
      expect(orders.length).toBeGreaterThan(0);
      expect(orders.every((order) => order.holdReason === HoldReason.HOLD_REASON_FRAUD_REVIEW)).toBe(true);
    });
  });

  describe('releasing holds', () => {
    it('waives a fraud review an operator released and takes the order on to ACCEPTED', async () => {
      const order = await submit(
        buildOrder(nextChannelOrderId(), undefined, {
          fraudSignals: [{ source: 'signifyd', code: 'HIGH_RISK', riskLevel: FraudRiskLevel.FRAUD_RISK_LEVEL_HIGH, message: '' }],
        }),
      );
      await waitForState(order.orderId, OrderState.ORDER_STATE_ON_HOLD);
      const { order: released } = await client.releaseHold({
        orderId: order.orderId,
        releasedBy: 'ops@retailer',
        note: 'called the customer',
      });
      expect(released).toMatchObject({ state: OrderState.ORDER_STATE_RECEIVED, holdReason: HoldReason.HOLD_REASON_UNSPECIFIED });
      await waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
      const { history } = await getOrder(order.orderId);
      expect(history.find((entry) => entry.change === 'released')).toMatchObject({
        actor: 'ops@retailer',
        detail: 'called the customer',
        holdReason: HoldReason.HOLD_REASON_FRAUD_REVIEW,
      });
    });

    it('checks stock again on release: held while short, accepted once stock arrived', async () => {
      const order = await submit(buildOrder(nextChannelOrderId(), [['SKU-B', 20, 1000]]));
      await waitForState(order.orderId, OrderState.ORDER_STATE_ON_HOLD);
      await client.releaseHold({ orderId: order.orderId, releasedBy: 'ops', note: '' });
      const again = await waitFor(async () => {
        const { order: current, history } = await getOrder(order.orderId);
        return (
          current?.state === OrderState.ORDER_STATE_ON_HOLD && history.filter((entry) => entry.change === 'held').length === 2 && current
        );
      });
      expect(again.holdReason).toBe(HoldReason.HOLD_REASON_INSUFFICIENT_STOCK);

      await setStock('SKU-B', 'WH-2', 100);
      await client.releaseHold({ orderId: order.orderId, releasedBy: 'ops', note: 'stock arrived' });
      await waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
    });

    it('asks the ERP again under a new key after an ERP rejection is released, with the same reservation', async () => {
      erp.mode = 'rejecting';
      const order = await submit(buildOrder(nextChannelOrderId()));
      const held = await waitForState(order.orderId, OrderState.ORDER_STATE_ON_HOLD).finally(() => (erp.mode = 'available'));
      await client.releaseHold({ orderId: order.orderId, releasedBy: 'ops', note: 'credit limit raised' });
      const accepted = await waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
      expect(accepted.reservationId).toBe(held.reservationId);
      expect(erp.salesOrdersOf(order.orderId).map((salesOrder) => salesOrder.idempotencyKey)).toEqual([`${order.orderId}/2`]);
    });

    it('refuses to release an order that is not on hold', async () => {
      const order = await acceptedOrder();
      expect(await grpcError(client.releaseHold({ orderId: order.orderId, releasedBy: 'ops', note: '' }))).toEqual({
        code: GrpcStatus.FAILED_PRECONDITION,
        reason: 'order_not_on_hold',
      });
    });
  });

  describe('cancellations', () => {
    it('cancels some units: the state stays, the event names the lines, inventory gets them back', async () => {
      const order = await acceptedOrder([['SKU-A', 3, 1000]]);
      const { order: cancelled } = await client.cancelOrder({
        orderId: order.orderId,
        reason: CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
        lines: [{ lineId: 'L1', quantity: 1 }],
        note: 'one fewer',
        requestedBy: 'channel',
      });
      expect(cancelled).toMatchObject({ state: OrderState.ORDER_STATE_ACCEPTED, lines: [{ cancelledQuantity: 1 }] });
      const [event] = await waitForEvent<ordersEventsV1.OrderCancelled>(order.orderId, Events.orders.orderCancelled.type);
      expect(event).toMatchObject({
        reason: CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
        lines: [{ lineId: 'L1', quantity: 1 }],
        fullyCancelled: false,
      });
      await waitFor(async () => {
        const { reservation } = await inventoryClient.getReservation({ orderId: order.orderId });
        return reservation?.lines[0]?.releasedQuantity === 1;
      });
    });

    it('cancels a whole order: CANCELLED with its reason, everything released', async () => {
      const order = await acceptedOrder();
      const { order: cancelled } = await client.cancelOrder({
        orderId: order.orderId,
        reason: CancelReason.CANCEL_REASON_FRAUD,
        lines: [],
        note: '',
        requestedBy: 'ops',
      });
      expect(cancelled).toMatchObject({ state: OrderState.ORDER_STATE_CANCELLED, cancelReason: CancelReason.CANCEL_REASON_FRAUD });
      const [event] = await waitForEvent<ordersEventsV1.OrderCancelled>(order.orderId, Events.orders.orderCancelled.type);
      expect(event).toMatchObject({ fullyCancelled: true, lines: [{ lineId: 'L1', quantity: 2 }] });
      await waitFor(async () => {
        const { reservation } = await inventoryClient.getReservation({ orderId: order.orderId });
        return reservation?.status === inventoryV1.ReservationStatus.RESERVATION_STATUS_RELEASED;
      });
      // A repeated whole-order cancellation (a channel echoing the mesh's own) answers the order as it is.
      const { order: again } = await client.cancelOrder({
        orderId: order.orderId,
        reason: CancelReason.CANCEL_REASON_OTHER,
        lines: [],
        note: '',
        requestedBy: 'channel',
      });
      expect(again).toMatchObject({
        state: OrderState.ORDER_STATE_CANCELLED,
        cancelReason: CancelReason.CANCEL_REASON_FRAUD,
        version: cancelled!.version,
      });
      // Cancelling units of a cancelled order is still refused.
      expect(
        await grpcError(
          client.cancelOrder({
            orderId: order.orderId,
            reason: CancelReason.CANCEL_REASON_OTHER,
            lines: [{ lineId: 'L1', quantity: 1 }],
            note: '',
            requestedBy: 'ops',
          }),
        ),
      ).toEqual({
        code: GrpcStatus.FAILED_PRECONDITION,
        reason: 'invalid_transition',
      });
    });

    it('cancels an order on hold, which never held stock', async () => {
      const order = await submit(buildOrder(nextChannelOrderId(), undefined, { paymentStatus: PaymentStatus.PAYMENT_STATUS_PENDING }));
      await waitForState(order.orderId, OrderState.ORDER_STATE_ON_HOLD);
      const { order: cancelled } = await client.cancelOrder({
        orderId: order.orderId,
        reason: CancelReason.CANCEL_REASON_PAYMENT_FAILED,
        lines: [],
        note: '',
        requestedBy: 'channel',
      });
      expect(cancelled).toMatchObject({ state: OrderState.ORDER_STATE_CANCELLED, holdReason: HoldReason.HOLD_REASON_UNSPECIFIED });
    });

    it('refuses bad cancellations with their reasons', async () => {
      const order = await acceptedOrder();
      const cancel = (request: Partial<ordersV1.CancelOrderRequest>) =>
        grpcError(
          client.cancelOrder(
            ordersV1.CancelOrderRequest.fromPartial({ orderId: order.orderId, reason: CancelReason.CANCEL_REASON_OTHER, ...request }),
          ),
        );
      expect(await cancel({ reason: CancelReason.CANCEL_REASON_UNSPECIFIED })).toEqual({
        code: GrpcStatus.INVALID_ARGUMENT,
        reason: 'invalid_reason',
      });
      expect(await cancel({ lines: [{ lineId: 'L9', quantity: 1 }] })).toEqual({
        code: GrpcStatus.INVALID_ARGUMENT,
        reason: 'unknown_line',
      });
      expect(await cancel({ lines: [{ lineId: 'L1', quantity: 3 }] })).toEqual({
        code: GrpcStatus.FAILED_PRECONDITION,
        reason: 'exceeds_remaining',
      });
      expect(await cancel({ orderId: randomUUID() })).toEqual({ code: GrpcStatus.NOT_FOUND, reason: 'order_not_found' });
    });
  });

  /**
   * Submits an order while `peer` is stopped, waits until the worker has failed to reach it twice,
   * runs `whileDown`, then starts the peer again (also when the test fails: the other tests need
   * it) and returns the order once ACCEPTED.
   */
  async function acceptedAfterOutage(
    peer: 'catalog' | 'inventory',
    whileDown: (orderId: string) => Promise<void>,
  ): Promise<ordersV1.Order> {
    const failures = () => scrapeMetric(service, 'retail_mesh_orders_peer_failures_total', { peer });
    const failuresBefore = await failures();
    const restart = async () => {
      if (peer === 'catalog') catalog = await catalogBed.start();
      else inventory = await inventoryBed.start();
    };
    await (peer === 'catalog' ? catalog : inventory).close();
    let stopped = true;
    try {
      const order = await submit(buildOrder(nextChannelOrderId()));
      await waitFor(async () => (await failures()) > failuresBefore + 1, { description: `${peer} failures counted` });
      await whileDown(order.orderId);
      await restart();
      stopped = false;
      return await waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
    } finally {
      if (stopped) await restart();
    }
  }

  it('retries validation while the catalog is unavailable and validates once it is back', async () => {
    await acceptedAfterOutage('catalog', async (orderId) => {
      expect((await getOrder(orderId)).order?.state).toBe(OrderState.ORDER_STATE_RECEIVED);
    });
  });

  it('keeps the validation of an order inventory cannot reserve for yet, and reserves it once inventory is back', async () => {
    const accepted = await acceptedAfterOutage('inventory', async (orderId) => {
      const { order: waiting, history } = await getOrder(orderId);
      expect(waiting?.state).toBe(OrderState.ORDER_STATE_VALIDATED);
      expect(history.map((entry) => entry.change)).toEqual(['submitted', 'validated']);
    });
    expect(accepted.reservationId).not.toBe('');
    expect((await getOrder(accepted.orderId)).history.map((entry) => entry.change)).toEqual([
      'submitted',
      'validated',
      'reserved',
      'accepted',
    ]);
  });

  describe('the ERP link', () => {
    it('resumes after a restart mid-flow with exactly one ERP sales order', async () => {
      // The ERP creates the sales order but the answer is lost, and the ERP stays down: the order stays RESERVED.
      erp.loseNextAnswer = true;
      const order = await submit(buildOrder(nextChannelOrderId()));
      await waitFor(() => erp.salesOrdersOf(order.orderId).length === 1, { description: 'the ERP sales order created' });
      await waitForState(order.orderId, OrderState.ORDER_STATE_RESERVED);
      expect(erp.mode).toBe('unavailable');

      await service.close();
      erp.mode = 'available';
      await start();

      const accepted = await waitForState(order.orderId, OrderState.ORDER_STATE_ACCEPTED);
      const salesOrders = erp.salesOrdersOf(order.orderId);
      expect(salesOrders).toHaveLength(1);
      expect(accepted.erpOrderId).toBe(salesOrders[0]!.erpOrderId);
      expect(erp.calls.filter((call) => call.orderId === order.orderId).map((call) => call.outcome)).toEqual(
        expect.arrayContaining(['answer-lost', 'existing']),
      );
      await waitForEvent(order.orderId, Events.orders.orderAccepted.type);
      expect(eventsOf(order.orderId, Events.orders.orderAccepted.type)).toHaveLength(1);
    });

    it('keeps reserved orders while the ERP is unavailable and sends them oldest first when it returns', async () => {
      erp.mode = 'unavailable';
      const orderIds: string[] = [];
      for (let index = 0; index < 4; index++) {
        const order = await submit(buildOrder(nextChannelOrderId()));
        await waitForState(order.orderId, OrderState.ORDER_STATE_RESERVED);
        orderIds.push(order.orderId);
      }
      await waitFor(() => erp.calls.some((call) => call.orderId === orderIds[0] && call.outcome === 'unavailable'));
      expect(await scrapeMetric(service, 'retail_mesh_orders_worker_lag_seconds')).toBeGreaterThan(0);
      erp.mode = 'available';
      for (const orderId of orderIds) await waitForState(orderId, OrderState.ORDER_STATE_ACCEPTED);
      const created = erp.calls.filter((call) => call.outcome === 'created' && orderIds.includes(call.orderId)).map((call) => call.orderId);
      expect(created).toEqual(orderIds);
    });
  });

  describe('after acceptance', () => {
    it('acknowledges the orders the channel acknowledged, published together with repeats, and dead-letters an unknown one', async () => {
      const orders = [await acceptedOrder(), await acceptedOrder(), await acceptedOrder()];
      const acknowledged = (order: { orderId: string; channelOrderId: string }, byChannelOrder = false): BusMessage =>
        encodeEvent({
          definition: Events.channel.orderAcknowledged,
          payload: {
            channelAccountId: ACCOUNT,
            channel: 'shopify',
            channelOrderId: order.channelOrderId,
            orderId: byChannelOrder ? '' : order.orderId,
            acknowledgedAt: undefined,
          },
          source: 'channel-shopify',
          subject: order.orderId,
          channel: 'shopify',
        });
      const unknown = randomUUID();
      // One batch or several, as they arrive: the same outcome.
      await testBed.bus.publish([
        acknowledged(orders[0]!),
        acknowledged(orders[1]!, true),
        acknowledged({ orderId: unknown, channelOrderId: 'gid://shopify/Order/404' }),
        acknowledged(orders[0]!),
        acknowledged(orders[2]!),
      ]);
      for (const order of orders) await waitForState(order.orderId, OrderState.ORDER_STATE_ACKNOWLEDGED);
      const [deadLetter] = await waitFor(async () => {
        const letters = await testBed.bus.peekDeadLetters('orders.channel-acknowledgements', 10);
        return letters.length > 0 && letters;
      });
      expect(deadLetter!.reason).toContain(`unknown order ${unknown}`);
      // Acknowledged once: the repeat changed nothing.
      const { history } = await getOrder(orders[0]!.orderId);
      expect(history.filter((entry) => entry.toState === OrderState.ORDER_STATE_ACKNOWLEDGED)).toHaveLength(1);
    });

    it('ships partially, then fully, consuming the reservation once per shipment', async () => {
      const order = await acceptedOrder([
        ['SKU-A', 2, 1000],
        ['SKU-D', 1, 2500],
      ]);
      const shipment = (
        erpShipmentId: string,
        lines: Array<[orderLineId: string, sku: string, quantity: number]>,
      ): erpEventsV1.ShipmentCreated => ({
        erpChangeId: `change-${erpShipmentId}`,
        version: 1,
        erpShipmentId,
        erpOrderId: order.erpOrderId,
        orderId: order.orderId,
        locationId: 'WH-1',
        carrier: 'UPS',
        serviceLevel: 'Ground',
        trackingNumber: `1Z${erpShipmentId}`,
        trackingUrl: '',
        lines: lines.map(([orderLineId, sku, quantity]) => ({ orderLineId, sku, quantity })),
        shippedAt: toTimestamp(new Date()),
      });
      const first = shipmentCreated(shipment(`${order.orderId}-1`, [['L1', 'SKU-A', 1]]));
      await testBed.bus.publish([first]);
      const partial = await waitForState(order.orderId, OrderState.ORDER_STATE_PARTIALLY_SHIPPED);
      expect(partial.lines.map((line) => line.shippedQuantity)).toEqual([1, 0]);
      const [shipped] = await waitForEvent<ordersEventsV1.OrderShipped>(order.orderId, Events.orders.orderShipped.type);
      expect(shipped).toMatchObject({
        fullyShipped: false,
        shipment: { carrier: 'UPS', trackingNumber: `1Z${order.orderId}-1`, lines: [{ lineId: 'L1', sku: 'SKU-A', quantity: 1 }] },
      });

      // The same shipment again (a redelivery, and a re-read with another event id) changes nothing.
      await testBed.bus.publish([first, shipmentCreated(shipment(`${order.orderId}-1`, [['L1', 'SKU-A', 1]]))]);
      // The second shipment, by SKU only, finishes it.
      await testBed.bus.publish([
        shipmentCreated(
          shipment(`${order.orderId}-2`, [
            ['', 'SKU-A', 1],
            ['L2', 'SKU-D', 1],
          ]),
        ),
      ]);
      const full = await waitForState(order.orderId, OrderState.ORDER_STATE_SHIPPED);
      expect(full.lines.map((line) => line.shippedQuantity)).toEqual([2, 1]);
      const events = await waitForEvent<ordersEventsV1.OrderShipped>(order.orderId, Events.orders.orderShipped.type, 2);
      expect(events.map((event) => event.fullyShipped)).toEqual([false, true]);
      const { reservation } = await inventoryClient.getReservation({ orderId: order.orderId });
      expect(reservation).toMatchObject({ status: inventoryV1.ReservationStatus.RESERVATION_STATUS_CONSUMED });
      expect(reservation!.lines.reduce((sum, line) => sum + line.consumedQuantity, 0)).toBe(3);
      expect((await getOrder(order.orderId)).history.filter((entry) => entry.change === 'shipped')).toHaveLength(2);
    });

    it('cancels an order the ERP cancelled and releases its stock', async () => {
      const order = await acceptedOrder();
      const cancelled: erpEventsV1.OrderCancelled = {
        erpChangeId: `cancel-${order.orderId}`,
        version: 1,
        erpOrderId: order.erpOrderId,
        orderId: order.orderId,
        lines: [],
        reason: 'out of stock at the warehouse',
        cancelledAt: undefined,
      };
      await testBed.bus.publish([erpOrderCancelled(cancelled), erpOrderCancelled(cancelled)]);
      const done = await waitForState(order.orderId, OrderState.ORDER_STATE_CANCELLED);
      expect(done.cancelReason).toBe(CancelReason.CANCEL_REASON_ERP_CANCELLED);
      const [event] = await waitForEvent<ordersEventsV1.OrderCancelled>(order.orderId, Events.orders.orderCancelled.type);
      expect(event).toMatchObject({ reason: CancelReason.CANCEL_REASON_ERP_CANCELLED, fullyCancelled: true });
      await waitFor(async () => {
        const { reservation } = await inventoryClient.getReservation({ orderId: order.orderId });
        return reservation?.status === inventoryV1.ReservationStatus.RESERVATION_STATUS_RELEASED;
      });
      expect((await getOrder(order.orderId)).history.filter((entry) => entry.change === 'cancelled')).toHaveLength(1);
    });

    it('dead-letters events for unknown orders with the reason', async () => {
      const unknown = randomUUID();
      await testBed.bus.publish([
        shipmentCreated({
          erpChangeId: 'x',
          version: 1,
          erpShipmentId: 'SH-X',
          erpOrderId: '',
          orderId: unknown,
          locationId: '',
          carrier: '',
          serviceLevel: '',
          trackingNumber: '',
          trackingUrl: '',
          lines: [{ orderLineId: 'L1', sku: 'SKU-A', quantity: 1 }],
          shippedAt: undefined,
        }),
      ]);
      const [deadLetter] = await waitFor(async () => {
        const letters = await testBed.bus.peekDeadLetters('orders.erp-order-changes', 10);
        return letters.length > 0 && letters;
      });
      expect(deadLetter!.reason).toContain(`unknown order ${unknown}`);
    });
  });

  describe('queries and bad requests', () => {
    it('lists orders newest placed first, a page at a time, filtered by channel account', async () => {
      const account = `shop-list-${mode === 'postgres+rabbitmq' ? 'pg' : 'sq'}`;
      for (const day of [1, 3, 2]) {
        await submit(
          buildOrder(`list-${day}`, undefined, { channelAccountId: account, placedAt: toTimestamp(new Date(`2026-11-0${day}T12:00:00Z`)) }),
        );
      }
      const first = await client.listOrders(ordersV1.ListOrdersRequest.fromPartial({ channelAccountId: account, page: { pageSize: 2 } }));
      const second = await client.listOrders(
        ordersV1.ListOrdersRequest.fromPartial({ channelAccountId: account, page: { pageSize: 2, pageToken: first.page!.nextPageToken } }),
      );
      expect([...first.orders, ...second.orders].map((order) => order.channelOrderId)).toEqual(['list-3', 'list-2', 'list-1']);
      expect(second.page!.nextPageToken).toBe('');
      const placedRange = await client.listOrders(
        ordersV1.ListOrdersRequest.fromPartial({
          channelAccountId: account,
          placedAfter: toTimestamp(new Date('2026-11-02T00:00:00Z')),
          placedBefore: toTimestamp(new Date('2026-11-03T00:00:00Z')),
        }),
      );
      expect(placedRange.orders.map((order) => order.channelOrderId)).toEqual(['list-2']);
      const byRef = await client.getOrder({ channelOrder: { channelAccountId: account, channelOrderId: 'list-1' } });
      expect(byRef.order?.channelOrderId).toBe('list-1');
    });

    it('answers bad requests with their status and reason', async () => {
      expect(await grpcError(client.submitOrder({ idempotencyKey: '', order: buildOrder('bad-1', [], {}) }))).toEqual({
        code: GrpcStatus.INVALID_ARGUMENT,
        reason: 'invalid_order',
      });
      expect(
        await grpcError(client.submitOrder({ idempotencyKey: '', order: buildOrder('bad-2', undefined, { channel: 'Shopify!' }) })),
      ).toEqual({
        code: GrpcStatus.INVALID_ARGUMENT,
        reason: 'invalid_order',
      });
      expect(await grpcError(client.getOrder({ orderId: randomUUID() }))).toEqual({
        code: GrpcStatus.NOT_FOUND,
        reason: 'order_not_found',
      });
      expect(await grpcError(client.listOrders(ordersV1.ListOrdersRequest.fromPartial({ page: { pageToken: 'nope' } })))).toEqual({
        code: GrpcStatus.INVALID_ARGUMENT,
        reason: 'invalid_page_token',
      });
    });
  });
});
