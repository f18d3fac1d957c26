// channel-amazon end to end against the Amazon sandbox, with a test peer standing in for the
// orders service (it is being built elsewhere): orders polled from Amazon reach SubmitOrder (with
// the shipping address read with a Restricted Data Token when the seller ships them) and
// CancelOrder, acceptances are acknowledged and cancellations sent through the order feeds,
// shipments confirmed with read-back (also when Amazon drops one), Amazon's own shipments of the
// orders it fulfils reported once per change, availability pushed by patch
// or by JSON_LISTINGS_FEED depending on the backlog. Runs on PostgreSQL + RabbitMQ and on SQLite
// + the in-process bus.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { channelEventsV1, channelV1, Events, grpcServices, ordersV1, toTimestamp, type EventDefinition } from '@retail-mesh/contracts';
import { decodeEvent, encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import { type AmazonSandbox, DEFAULT_AMAZON_SELLER, sandboxAmazonAccount, startAmazonSandbox } from '@retail-mesh/sandbox-amazon';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { createGrpcClient, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAmazonService } from './channel-amazon.definition.js';
import { OrdersTestPeer } from './orders/orders-service-peer.fixture.js';

const ACCOUNT = 'amazon-int-us';
const SELLER = DEFAULT_AMAZON_SELLER;

// The tests read the sandbox's admin answers; typing each one would only restate the assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyJson = any;

interface Captured {
  type: string;
  payload: unknown;
}

describe.each(SERVICE_TEST_MODES)('channel-amazon on $name', ({ mode }) => {
  let sandbox: AmazonSandbox;
  let admin: SandboxAdminClient;
  let peer: OrdersTestPeer;
  let testBed: ServiceTestBed;
  let service: RunningService;
  let adapter: GrpcClient<channelV1.ChannelAdapterServiceClient>;
  const captured: Captured[] = [];

  beforeAll(async () => {
    sandbox = await startAmazonSandbox({
      port: 0,
      feedQueuedMs: 50,
      feedProcessingMs: 50,
      listingsApplyMs: 0,
      // Room for a test's pace; the adapter learns the rates from x-amzn-RateLimit-Limit.
      usagePlans: {
        getOrders: { rate: 50, burst: 20 },
        createFeed: { rate: 50, burst: 15 },
        getFeedDocument: { rate: 50, burst: 10 },
        getOrderItems: { rate: 50, burst: 30 },
        getOrderAddress: { rate: 50, burst: 30 },
      },
    });
    admin = new SandboxAdminClient(sandbox.url);
    await admin.call('POST', '/_sandbox/listings', [
      ...['SKU-PATCH-1', 'SKU-PATCH-2'].map((sku) => ({ sku, quantity: 0 })),
      ...Array.from({ length: 6 }, (_, index) => ({ sku: `SKU-BULK-${index}`, quantity: 0 })),
    ]);
    peer = new OrdersTestPeer(ACCOUNT);
    await peer.start();
    testBed = await createServiceTestBed(channelAmazonService, {
      mode,
      settings: {
        AMAZON_ACCOUNTS: JSON.stringify([sandboxAmazonAccount(sandbox.url, ACCOUNT, SELLER)]),
        ORDERS_GRPC_URL: peer.url,
        AMAZON_ORDER_POLL_INTERVAL_MS: '200',
        AMAZON_ORDER_FEED_BATCH_MS: '0',
        AMAZON_FEED_POLL_INTERVAL_MS: '50',
        AMAZON_PUSH_POLL_INTERVAL_MS: '200',
        AMAZON_AVAILABILITY_FEED_THRESHOLD: '3',
        AMAZON_RETRIES: '2',
        AMAZON_RETRY_BASE_DELAY_MS: '20',
        AMAZON_MAX_BACKOFF_MS: '1000',
        AMAZON_RPC_WAIT_MS: '15000',
      },
    });
    const listen = [
      Events.channel.orderReceived,
      Events.channel.orderAcknowledged,
      Events.channel.shipmentConfirmed,
    ] as EventDefinition<unknown>[];
    await testBed.bus.consume(
      { queue: 'test.channel-events', bindings: listen.map((definition) => `${definition.routingKey}.amazon`) },
      async (delivery) => {
        const definition = listen.find((candidate) => delivery.routingKey.startsWith(candidate.routingKey)) as EventDefinition<unknown>;
        captured.push({ type: definition.type, payload: decodeEvent(delivery, definition).payload });
      },
    );
    service = await testBed.start();
    adapter = createGrpcClient<channelV1.ChannelAdapterServiceClient>(grpcServices.channelAdapter, service.grpcUrl, { deadlineMs: 30_000 });
  });

  afterAll(async () => {
    adapter?.close();
    await testBed?.close();
    await peer?.stop();
    await sandbox?.close();
  });

  const metric = (name: string, labels: Record<string, string> = {}) => scrapeMetric(service, `retail_mesh_channel_amazon_${name}`, labels);
  const amazonOrder = async (amazonOrderId: string): Promise<AnyJson> =>
    (await admin.call<{ orders: AnyJson[] }>('GET', `/_sandbox/orders?amazonOrderId=${amazonOrderId}`)).orders[0];
  const listing = async (sku: string): Promise<AnyJson> =>
    (await admin.call<{ listings: AnyJson[] }>('GET', `/_sandbox/listings?sku=${sku}`)).listings[0];
  const seedOrder = async (seed: Record<string, unknown>): Promise<AnyJson> =>
    (await admin.call<{ orders: AnyJson[] }>('POST', '/_sandbox/orders', seed)).orders[0];
  const event = <T>(definition: EventDefinition<T>, payload: T, subject: string): BusMessage =>
    encodeEvent({ definition, payload, source: 'orders', subject, channel: 'amazon', channelAccountId: ACCOUNT });
  const submittedOrder = (amazonOrderId: string) =>
    waitFor(() => peer.order(amazonOrderId), { description: `SubmitOrder of ${amazonOrderId}` });

  it('polls new orders into SubmitOrder with exact amounts, waits for Pending ones, and passes on a buyer cancellation', async () => {
    const ready = await seedOrder({
      items: [{ sku: 'TEE-M', quantity: 2, unitPrice: '19.99', itemTax: '3.20', promotionDiscount: '1.00' }],
    });
    const pending = await seedOrder({ status: 'Pending', items: [{ sku: 'MUG', quantity: 1, unitPrice: '8.00' }] });

    const order = await submittedOrder(ready.AmazonOrderId);
    expect(order).toMatchObject({ channel: 'amazon', channelAccountId: ACCOUNT, currency: 'USD' });
    expect(order.lines.map((line) => [line.sku, line.quantity, line.unitPrice?.amountMinor, line.channelLineId])).toEqual([
      ['TEE-M', 2, 1999, ready.OrderItems[0].OrderItemId],
    ]);
    expect(order.totals?.grandTotal).toEqual({ amountMinor: 4218, currency: 'USD' });
    expect(peer.submitCalls.find((call) => call.order?.channelOrderId === ready.AmazonOrderId)?.idempotencyKey).toBe(
      `${ACCOUNT}/${ready.AmazonOrderId}`,
    );
    await waitFor(
      () =>
        captured.some(
          (entry) =>
            entry.type === Events.channel.orderReceived.type &&
            (entry.payload as channelEventsV1.OrderReceived).order?.orderId === order.orderId,
        ),
      {
        description: 'channel.order_received',
      },
    );
    expect(peer.order(pending.AmazonOrderId)).toBeUndefined();

    // Payment cleared: the order moves to Unshipped and the next poll submits it.
    await admin.call('POST', `/_sandbox/orders/${pending.AmazonOrderId}/status`, { status: 'Unshipped' });
    const cleared = await submittedOrder(pending.AmazonOrderId);

    await admin.call('POST', `/_sandbox/orders/${pending.AmazonOrderId}/status`, {
      status: 'Canceled',
      buyerCancelReason: 'Customer changed mind',
    });
    const cancel = await waitFor(() => peer.cancelCalls.find((call) => call.orderId === cleared.orderId), { description: 'CancelOrder' });
    expect(cancel).toMatchObject({ reason: ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED, requestedBy: 'channel' });
    // Re-reads of unchanged orders (the poll's fresh and settled passes) submit nothing twice.
    expect(peer.submitCalls.filter((call) => call.order?.channelOrderId === ready.AmazonOrderId)).toHaveLength(1);
  });

  it('submits a seller-fulfilled order with the address read with one Restricted Data Token, an AFN order without it', async () => {
    const shippingAddress = {
      Name: 'Ada Lovelace',
      AddressLine1: '12 Analytical Way',
      AddressLine2: 'Floor 3',
      City: 'SEATTLE',
      StateOrRegion: 'WA',
      PostalCode: '98101',
      CountryCode: 'US',
      Phone: '+1 206-555-0100',
      AddressType: 'Commercial',
    };
    const mfn = await seedOrder({ shippingAddress, items: [{ sku: 'TEE-M', quantity: 1, unitPrice: '19.99' }] });
    const other = await seedOrder({ items: [{ sku: 'MUG', quantity: 1, unitPrice: '8.00' }] });
    const afn = await seedOrder({ fulfillmentChannel: 'AFN', items: [{ sku: 'CAP', quantity: 1, unitPrice: '9.00' }] });

    expect((await submittedOrder(mfn.AmazonOrderId)).shippingAddress).toEqual({
      name: 'Ada Lovelace',
      company: '',
      line1: '12 Analytical Way',
      line2: 'Floor 3',
      city: 'SEATTLE',
      region: 'WA',
      postalCode: '98101',
      countryCode: 'US',
      phone: '+1 206-555-0100',
      email: '',
    });
    expect((await submittedOrder(other.AmazonOrderId)).shippingAddress).toMatchObject({
      name: other.ShippingAddress.Name,
      line1: other.ShippingAddress.AddressLine1,
      city: 'SEATTLE',
    });
    // Amazon ships AFN orders: no PII is asked for, the order keeps what getOrders shows and says the channel fulfils it.
    const afnOrder = await submittedOrder(afn.AmazonOrderId);
    expect(afnOrder.shippingAddress).toMatchObject({ name: '', line1: '', city: 'SEATTLE', countryCode: 'US' });
    expect([afnOrder.fulfilledByChannel, (await submittedOrder(mfn.AmazonOrderId)).fulfilledByChannel]).toEqual([true, false]);
    expect(await admin.requests({ path: `/orders/v0/orders/${afn.AmazonOrderId}/address` })).toEqual([]);
    // One RDT for the generic address path serves every order of the account (this file's earlier orders too).
    expect(await admin.requests({ path: '/tokens/2021-03-01/restrictedDataToken' })).toHaveLength(1);
    expect(
      await metric('api_calls_total', { channel_account_id: ACCOUNT, operation: 'getOrderAddress', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(2);
  });

  it('rides out 429s of createRestrictedDataToken and getOrderAddress and renews an expired RDT after its 403', async () => {
    await admin.call('POST', '/_sandbox/lwa/expire-tokens');
    await admin.setFaults([
      { type: 'rateLimit', operation: 'createRestrictedDataToken', count: 2 },
      { type: 'rateLimit', operation: 'getOrderAddress', count: 2 },
    ]);
    const seeded = await seedOrder({ items: [{ sku: 'TEE-L', quantity: 1, unitPrice: '20.00' }] });

    const order = await submittedOrder(seeded.AmazonOrderId);
    expect(order.shippingAddress).toMatchObject({ name: seeded.ShippingAddress.Name, line1: seeded.ShippingAddress.AddressLine1 });
    expect((await admin.faults()).map((fault) => fault.fired)).toEqual([2, 2]);
    const statuses = async (path: string) => (await admin.requests({ path })).map((entry) => entry.status);
    expect(await statuses(`/orders/v0/orders/${seeded.AmazonOrderId}/address`)).toEqual([429, 429, 403, 200]);
    // The first token is the one of the previous test.
    expect(await statuses('/tokens/2021-03-01/restrictedDataToken')).toEqual([200, 429, 429, 200]);
    expect(await metric('api_calls_total', { channel_account_id: ACCOUNT, operation: 'getOrderAddress', outcome: 'throttled' })).toBe(2);
    await admin.clearFaults();
  });

  it('acknowledges an accepted order through the acknowledgement feed and publishes channel.order_acknowledged', async () => {
    const seeded = await seedOrder({ items: [{ sku: 'TEE-L', quantity: 1, unitPrice: '20.00' }] });
    const order = await submittedOrder(seeded.AmazonOrderId);
    await testBed.bus.publish([event(Events.orders.orderAccepted, { order }, order.orderId)]);

    const acknowledged = await waitFor(async () => (await amazonOrder(seeded.AmazonOrderId)).acknowledgements[0], {
      description: 'the acknowledgement on Amazon',
    });
    expect(acknowledged).toMatchObject({ statusCode: 'Success', merchantOrderId: order.erpOrderId });
    const published = await waitFor(
      () =>
        captured.find(
          (entry) =>
            entry.type === Events.channel.orderAcknowledged.type &&
            (entry.payload as channelEventsV1.OrderAcknowledged).orderId === order.orderId,
        ),
      { description: 'channel.order_acknowledged' },
    );
    expect(published.payload).toMatchObject({ channelAccountId: ACCOUNT, channel: 'amazon', channelOrderId: seeded.AmazonOrderId });
    const { feeds } = await admin.call<{ feeds: AnyJson[] }>('GET', '/_sandbox/feeds');
    expect(feeds.some((feed) => feed.feedType === 'POST_ORDER_ACKNOWLEDGEMENT_DATA' && feed.content.includes(seeded.AmazonOrderId))).toBe(
      true,
    );

    const state = await adapter.getOrderState({
      channelAccountId: ACCOUNT,
      channelOrderIds: [seeded.AmazonOrderId, '999-0000000-0000000'],
    });
    expect(state.states.map((entry) => entry.status)).toEqual([
      channelV1.ChannelOrderStatus.CHANNEL_ORDER_STATUS_ACKNOWLEDGED,
      channelV1.ChannelOrderStatus.CHANNEL_ORDER_STATUS_NOT_FOUND,
    ]);
  });

  it('acknowledges an accepted AFN order at once (Amazon has nothing to acknowledge) and never confirms its shipment', async () => {
    const seeded = await seedOrder({ fulfillmentChannel: 'AFN', items: [{ sku: 'CAP', quantity: 1, unitPrice: '9.00' }] });
    const order = await submittedOrder(seeded.AmazonOrderId);
    await testBed.bus.publish([event(Events.orders.orderAccepted, { order }, order.orderId)]);
    await waitFor(
      () =>
        captured.some(
          (entry) =>
            entry.type === Events.channel.orderAcknowledged.type &&
            (entry.payload as channelEventsV1.OrderAcknowledged).orderId === order.orderId,
        ),
      { description: 'channel.order_acknowledged of the AFN order' },
    );
    const shipment = ordersV1.Shipment.fromPartial({
      shipmentId: 'SHIP-AFN',
      carrier: 'UPS',
      trackingNumber: '1ZAFN',
      lines: [{ lineId: 'L1', channelLineId: seeded.OrderItems[0].OrderItemId, sku: 'CAP', quantity: 1 }],
    });
    const shippedOrder = { ...order, lines: order.lines.map((line) => ({ ...line, lineId: 'L1', shippedQuantity: 1 })) };
    await testBed.bus.publish([event(Events.orders.orderShipped, { order: shippedOrder, shipment, fullyShipped: true }, order.orderId)]);
    // A later acknowledgement (another order) goes through the feed: the AFN order's did not.
    const marker = await seedOrder({ items: [{ sku: 'TEE-L', quantity: 1, unitPrice: '20.00' }] });
    const markerOrder = await submittedOrder(marker.AmazonOrderId);
    await testBed.bus.publish([event(Events.orders.orderAccepted, { order: markerOrder }, markerOrder.orderId)]);
    await waitFor(async () => (await amazonOrder(marker.AmazonOrderId)).acknowledgements.length === 1, {
      description: 'the acknowledgement of the MFN order on Amazon',
    });
    const { feeds } = await admin.call<{ feeds: AnyJson[] }>('GET', '/_sandbox/feeds');
    expect(feeds.filter((feed) => (feed.content ?? '').includes(seeded.AmazonOrderId))).toEqual([]);
    expect((await amazonOrder(seeded.AmazonOrderId)).acknowledgements).toEqual([]);
    expect(await admin.requests({ path: `/orders/v0/orders/${seeded.AmazonOrderId}/shipmentConfirmation` })).toEqual([]);
    expect(captured.some((entry) => (entry.payload as channelEventsV1.ShipmentConfirmed).shipmentId === 'SHIP-AFN')).toBe(false);
  });

  it('reports what Amazon shipped of an AFN order once per change, also what it shipped before the first poll', async () => {
    const reportsOf = (amazonOrderId: string) =>
      captured
        .filter((entry) => entry.type === Events.channel.shipmentConfirmed.type)
        .map((entry) => entry.payload as channelEventsV1.ShipmentConfirmed)
        .filter((payload) => payload.channelOrderId === amazonOrderId);
    const waitForReports = (amazonOrderId: string, count: number) =>
      waitFor(() => reportsOf(amazonOrderId).length >= count && reportsOf(amazonOrderId), {
        description: `${count} shipment reports of ${amazonOrderId}`,
      });
    const reported = () => metric('channel_shipments_reported_total', { channel_account_id: ACCOUNT });
    // A poll that runs again (the loop's other pass re-reads too): SyncOrders re-reads without moving the cursor.
    const pollAgain = () => adapter.syncOrders({ channelAccountId: ACCOUNT, since: toTimestamp(new Date(Date.now() - 3_600_000)) });
    const seeded = await seedOrder({
      fulfillmentChannel: 'AFN',
      items: [
        { sku: 'CAP', quantity: 2, unitPrice: '9.00' },
        { sku: 'HAT', quantity: 1, unitPrice: '12.00' },
      ],
    });
    const [cap, hat] = seeded.OrderItems;
    const order = await submittedOrder(seeded.AmazonOrderId);
    const before = await reported();

    await admin.call('POST', `/_sandbox/orders/${seeded.AmazonOrderId}/shipments`, {
      items: [{ orderItemId: cap.OrderItemId, quantity: 1 }],
    });
    const [partial] = await waitForReports(seeded.AmazonOrderId, 1);
    expect(partial).toMatchObject({
      orderId: order.orderId,
      shipmentId: `${seeded.AmazonOrderId}/shipped-1`,
      shippedByChannel: { lines: [{ channelLineId: cap.OrderItemId, sku: 'CAP', quantity: 1 }] },
    });
    await pollAgain();
    expect(await reported()).toBe(before + 1);

    // The rest: the report carries the units shipped in all.
    await admin.call('POST', `/_sandbox/orders/${seeded.AmazonOrderId}/shipments`, {});
    const [, rest] = await waitForReports(seeded.AmazonOrderId, 2);
    expect(rest).toMatchObject({
      shipmentId: `${seeded.AmazonOrderId}/shipped-3`,
      shippedByChannel: {
        lines: [
          { channelLineId: cap.OrderItemId, quantity: 2 },
          { channelLineId: hat.OrderItemId, quantity: 1 },
        ],
      },
    });
    await pollAgain();
    expect(await reported()).toBe(before + 2);

    // Shipped while the adapter could not read orders: reported with its submission.
    await admin.setFaults([{ type: 'serverError', operation: 'getOrders' }]);
    const early = await seedOrder({ fulfillmentChannel: 'AFN', items: [{ sku: 'CAP', quantity: 1, unitPrice: '9.00' }] });
    await admin.call('POST', `/_sandbox/orders/${early.AmazonOrderId}/shipments`, {});
    await admin.clearFaults();
    const earlyOrder = await submittedOrder(early.AmazonOrderId);
    const [report] = await waitForReports(early.AmazonOrderId, 1);
    expect(report).toMatchObject({
      orderId: earlyOrder.orderId,
      shipmentId: `${early.AmazonOrderId}/shipped-1`,
      shippedByChannel: { lines: [{ channelLineId: early.OrderItems[0].OrderItemId, quantity: 1 }] },
    });
    await pollAgain();
    expect(await reported()).toBe(before + 3);
    // Amazon ships these itself: the adapter never confirmed anything.
    expect(await admin.requests({ path: `/orders/v0/orders/${seeded.AmazonOrderId}/shipmentConfirmation` })).toEqual([]);
  });

  it('confirms a shipment with carrier and tracking, re-sends one Amazon dropped, and publishes channel.shipment_confirmed once', async () => {
    const seeded = await seedOrder({ items: [{ sku: 'TEE-S', quantity: 2, unitPrice: '15.00' }] });
    const order = await submittedOrder(seeded.AmazonOrderId);
    const shippedOrder = { ...order, lines: order.lines.map((line) => ({ ...line, lineId: 'L1', shippedQuantity: 2 })) };
    const shipment = ordersV1.Shipment.fromPartial({
      shipmentId: 'SHIP-1',
      carrier: 'UPS',
      serviceLevel: 'Ground',
      trackingNumber: '1Z999AA10123456784',
      lines: [{ lineId: 'L1', channelLineId: seeded.OrderItems[0].OrderItemId, sku: 'TEE-S', quantity: 2 }],
      shippedAt: toTimestamp(new Date()),
    });
    await admin.call('POST', '/_sandbox/shipment-confirmations/drop', { count: 1 });
    const shipped = event(Events.orders.orderShipped, { order: shippedOrder, shipment, fullyShipped: true }, order.orderId);
    await testBed.bus.publish([shipped]);

    const onAmazon = await waitFor(
      async () => {
        const current = await amazonOrder(seeded.AmazonOrderId);
        return current.OrderStatus === 'Shipped' && current;
      },
      { description: 'the order shipped on Amazon' },
    );
    expect(onAmazon.droppedConfirmations).toBe(1);
    expect(onAmazon.shipments).toMatchObject([
      { carrierCode: 'UPS', trackingNumber: '1Z999AA10123456784', shippingMethod: 'Ground', items: [{ quantity: 2 }] },
    ]);
    await waitFor(
      () =>
        captured.find(
          (entry) =>
            entry.type === Events.channel.shipmentConfirmed.type &&
            (entry.payload as channelEventsV1.ShipmentConfirmed).shipmentId === 'SHIP-1',
        ),
      {
        description: 'channel.shipment_confirmed',
      },
    );
    expect(await metric('shipment_confirmations_not_applied_total', { channel_account_id: ACCOUNT })).toBe(1);

    // The same event again (a redelivery): Amazon already shows it, nothing is sent.
    const confirmationsBefore = (await admin.requests({ path: `/orders/v0/orders/${seeded.AmazonOrderId}/shipmentConfirmation` })).length;
    await testBed.bus.publish([shipped]);
    await waitFor(async () => (await metric('shipment_confirmations_total', { outcome: 'already_applied' })) >= 1, {
      description: 'the redelivery found applied',
    });
    expect((await admin.requests({ path: `/orders/v0/orders/${seeded.AmazonOrderId}/shipmentConfirmation` })).length).toBe(
      confirmationsBefore,
    );
  });

  it('sends a seller cancellation through the cancellation feed, but never one that came from Amazon', async () => {
    const seeded = await seedOrder({
      items: [
        { sku: 'CAP', quantity: 1, unitPrice: '9.00' },
        { sku: 'MUG', quantity: 1, unitPrice: '5.00' },
      ],
    });
    const order = await submittedOrder(seeded.AmazonOrderId);
    const cancelled = {
      ...order,
      lines: order.lines.map((line, index) => ({ ...line, lineId: `L${index + 1}`, cancelledQuantity: line.quantity })),
    };
    await testBed.bus.publish([
      event(
        Events.orders.orderCancelled,
        { order: cancelled, reason: ordersV1.CancelReason.CANCEL_REASON_CHANNEL_CANCELLED, lines: [], fullyCancelled: true },
        order.orderId,
      ),
    ]);
    await testBed.bus.publish([
      event(
        Events.orders.orderCancelled,
        { order: cancelled, reason: ordersV1.CancelReason.CANCEL_REASON_OUT_OF_STOCK, lines: [], fullyCancelled: true },
        order.orderId,
      ),
    ]);
    const onAmazon = await waitFor(
      async () => {
        const current = await amazonOrder(seeded.AmazonOrderId);
        return current.OrderStatus === 'Canceled' && current;
      },
      { description: 'the order cancelled on Amazon' },
    );
    expect(onAmazon.cancellations.map((entry: AnyJson) => entry.reason)).toEqual(['NoInventory', 'NoInventory']);
    const { feeds } = await admin.call<{ feeds: AnyJson[] }>('GET', '/_sandbox/feeds');
    const cancellations = feeds.filter(
      (feed) => feed.feedType === 'POST_ORDER_ACKNOWLEDGEMENT_DATA' && feed.content.includes('<StatusCode>Failure</StatusCode>'),
    );
    expect(cancellations.filter((feed) => feed.content.includes(seeded.AmazonOrderId))).toHaveLength(1);
  });

  const ordersHandled = () => scrapeMetric(service, 'retail_mesh_consumer_handled_total', { queue: 'channel-amazon.orders' });
  const feedsOf = async (amazonOrderId: string, feedType: string): Promise<AnyJson[]> =>
    (await admin.call<{ feeds: AnyJson[] }>('GET', '/_sandbox/feeds')).feeds.filter(
      (feed) => feed.feedType === feedType && (feed.content ?? '').includes(amazonOrderId),
    );

  it('cancels the items a partial cancellation leaves with nothing to ship (read back), and refunds the units of an item with units to ship through one order adjustment, also when the event comes again', async () => {
    const seeded = await seedOrder({
      items: [
        { sku: 'CAP', quantity: 1, unitPrice: '9.00' },
        { sku: 'MUG', quantity: 3, unitPrice: '5.00', itemTax: '1.00' },
        { sku: 'TEE-S', quantity: 1, unitPrice: '15.00' },
      ],
    });
    const order = await submittedOrder(seeded.AmazonOrderId);
    const [cap, mug, tee] = seeded.OrderItems;
    // The ERP cancelled the cap and one of the three mugs; the tee ships.
    const after = {
      ...order,
      lines: order.lines.map((line, index) => ({ ...line, lineId: `L${index + 1}`, cancelledQuantity: [1, 1, 0][index] })),
    };
    const payload = {
      order: after,
      reason: ordersV1.CancelReason.CANCEL_REASON_ERP_CANCELLED,
      lines: [
        { lineId: 'L1', quantity: 1 },
        { lineId: 'L2', quantity: 1 },
      ],
      fullyCancelled: false,
    };
    const cancelled = event(Events.orders.orderCancelled, payload, order.orderId);
    const readBacksBefore = (await admin.requests({ path: `/orders/v0/orders/${seeded.AmazonOrderId}/orderItems` })).length;
    const handledBefore = await ordersHandled();
    const doneBefore = {
      cancel: await metric('order_feed_actions_total', { kind: 'cancel', outcome: 'done' }),
      adjust: await metric('order_feed_actions_total', { kind: 'adjust', outcome: 'done' }),
    };
    await testBed.bus.publish([cancelled]);
    const onAmazon = await waitFor(
      async () => {
        const current = await amazonOrder(seeded.AmazonOrderId);
        return current.cancellations.length > 0 && current.adjustments.length > 0 && current;
      },
      { description: 'the cap cancelled and a mug refunded on Amazon' },
    );
    expect(onAmazon.cancellations).toMatchObject([{ orderItemId: cap.OrderItemId, reason: 'GeneralAdjustment' }]);
    // 1.00 tax over 3 mugs: 0.33 a unit, the cent left over stays on the last one.
    expect(onAmazon.adjustments).toMatchObject([
      {
        orderItemId: mug.OrderItemId,
        reason: 'NoInventory',
        quantityCancelled: 1,
        principal: { CurrencyCode: 'USD', Amount: '5.00' },
        tax: { CurrencyCode: 'USD', Amount: '0.33' },
        promotion: { Amount: '0.00' },
      },
    ]);
    expect(onAmazon.OrderStatus).toBe('Unshipped');
    expect(onAmazon.OrderItems.map((item: AnyJson) => [item.OrderItemId, item.QuantityOrdered, item.ItemPrice.Amount])).toEqual([
      [cap.OrderItemId, 0, '9.00'],
      [mug.OrderItemId, 2, '10.00'],
      [tee.OrderItemId, 1, '15.00'],
    ]);
    // The cancellation settled done only after getOrderItems showed the cap without units to ship; the adjustment on its report.
    await waitFor(async () => (await metric('order_feed_actions_total', { kind: 'cancel', outcome: 'done' })) > doneBefore.cancel, {
      description: 'the cancellation settled done',
    });
    await waitFor(async () => (await metric('order_feed_actions_total', { kind: 'adjust', outcome: 'done' })) > doneBefore.adjust, {
      description: 'the adjustment settled done',
    });
    expect((await admin.requests({ path: `/orders/v0/orders/${seeded.AmazonOrderId}/orderItems` })).length).toBeGreaterThan(
      readBacksBefore,
    );
    const [ackFeed] = await feedsOf(seeded.AmazonOrderId, 'POST_ORDER_ACKNOWLEDGEMENT_DATA');
    expect(ackFeed.content).toContain(`<AmazonOrderItemCode>${cap.OrderItemId}</AmazonOrderItemCode>`);
    expect(ackFeed.content).not.toContain(mug.OrderItemId);
    const [adjustmentFeed] = await feedsOf(seeded.AmazonOrderId, 'POST_PAYMENT_ADJUSTMENT_DATA');
    expect(adjustmentFeed.content).toContain(`<AmazonOrderItemCode>${mug.OrderItemId}</AmazonOrderItemCode>`);
    expect(adjustmentFeed.content).toContain('<QuantityCancelled>1</QuantityCancelled>');
    expect(adjustmentFeed.content).not.toContain(cap.OrderItemId);

    // The same event delivered again, and published again under another envelope: Amazon's items
    // look different now (two mugs), but nothing is sent a second time.
    await testBed.bus.publish([cancelled]);
    await testBed.bus.publish([event(Events.orders.orderCancelled, payload, order.orderId)]);
    await waitFor(async () => (await ordersHandled()) >= handledBefore + 3, { description: 'the repeats handled' });
    expect(await feedsOf(seeded.AmazonOrderId, 'POST_PAYMENT_ADJUSTMENT_DATA')).toHaveLength(1);
    expect(await feedsOf(seeded.AmazonOrderId, 'POST_ORDER_ACKNOWLEDGEMENT_DATA')).toHaveLength(1);
    expect((await amazonOrder(seeded.AmazonOrderId)).adjustments).toHaveLength(1);

    // A later change cancels a second mug (two in all): a new adjustment, of what Amazon shows now.
    const second = {
      ...payload,
      order: { ...after, lines: after.lines.map((line, index) => ({ ...line, cancelledQuantity: [1, 2, 0][index] })) },
      lines: [{ lineId: 'L2', quantity: 1 }],
    };
    await testBed.bus.publish([event(Events.orders.orderCancelled, second, order.orderId)]);
    const twice = await waitFor(
      async () => {
        const current = await amazonOrder(seeded.AmazonOrderId);
        return current.adjustments.length === 2 && current;
      },
      { description: 'a second mug refunded on Amazon' },
    );
    // 0.67 tax left over two mugs: 0.33 again, the last mug keeps 0.34.
    expect(twice.adjustments[1]).toMatchObject({ quantityCancelled: 1, principal: { Amount: '5.00' }, tax: { Amount: '0.33' } });
    expect(twice.OrderItems[1]).toMatchObject({ QuantityOrdered: 1, ItemPrice: { Amount: '5.00' }, ItemTax: { Amount: '0.34' } });
    expect(await testBed.bus.deadLetterCount('channel-amazon.orders')).toBe(0);
  });

  it('CancelOrder with lines cancels whole items and refunds the units of another once per idempotency key; a FATAL feed is retried, then reported', async () => {
    const seeded = await seedOrder({
      items: [
        { sku: 'CAP', quantity: 1, unitPrice: '9.00' },
        { sku: 'MUG', quantity: 3, unitPrice: '5.00', itemTax: '0.90', promotionDiscount: '1.50' },
      ],
    });
    const [cap, mug] = seeded.OrderItems;
    const request = {
      idempotencyKey: 'cancel-units-1',
      channelAccountId: ACCOUNT,
      channelOrderId: seeded.AmazonOrderId,
      orderId: 'ord-rpc-units',
      reason: ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
      lines: [
        { channelLineId: cap.OrderItemId, sku: 'CAP', quantity: 1 },
        { channelLineId: mug.OrderItemId, sku: 'MUG', quantity: 2 },
      ],
      note: '',
      notifyCustomer: false,
    };
    // Units of an item are a refund: without a key a repeat could refund twice.
    await expect(adapter.cancelOrder({ ...request, idempotencyKey: '' })).rejects.toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
    await expect(
      adapter.cancelOrder({ ...request, lines: [{ channelLineId: mug.OrderItemId, sku: 'MUG', quantity: 4 }] }),
    ).rejects.toMatchObject({
      code: GrpcStatus.INVALID_ARGUMENT,
    });
    // Amazon fails to process the first adjustment feed: it is sent again.
    await admin.call('POST', '/_sandbox/feeds/fatal', { count: 1, feedType: 'POST_PAYMENT_ADJUSTMENT_DATA' });
    const retriedBefore = await metric('order_feed_actions_total', { kind: 'adjust', outcome: 'retried' });
    const { cancelledAt } = await adapter.cancelOrder(request);
    expect(cancelledAt).toBeTruthy();
    const onAmazon = await amazonOrder(seeded.AmazonOrderId);
    expect(onAmazon.cancellations).toMatchObject([{ orderItemId: cap.OrderItemId, reason: 'BuyerCanceled' }]);
    expect(onAmazon.adjustments).toMatchObject([
      {
        orderItemId: mug.OrderItemId,
        reason: 'CustomerCancel',
        quantityCancelled: 2,
        principal: { Amount: '10.00' },
        tax: { Amount: '0.60' },
        promotion: { Amount: '1.00' },
      },
    ]);
    expect(onAmazon.OrderItems[1]).toMatchObject({ QuantityOrdered: 1, ItemPrice: { Amount: '5.00' }, ItemTax: { Amount: '0.30' } });
    expect(await metric('order_feed_actions_total', { kind: 'adjust', outcome: 'retried' })).toBe(retriedBefore + 1);
    const adjustmentFeeds = await feedsOf(seeded.AmazonOrderId, 'POST_PAYMENT_ADJUSTMENT_DATA');
    expect(adjustmentFeeds.map((feed) => feed.processingStatus)).toEqual(['FATAL', 'DONE']);

    // A repeat (Amazon's items look different now) answers the same and sends nothing.
    expect(await adapter.cancelOrder(request)).toEqual({ cancelledAt });
    expect(await feedsOf(seeded.AmazonOrderId, 'POST_PAYMENT_ADJUSTMENT_DATA')).toHaveLength(2);
    expect(await feedsOf(seeded.AmazonOrderId, 'POST_ORDER_ACKNOWLEDGEMENT_DATA')).toHaveLength(1);

    // Feeds that keep ending FATAL: the adjustment fails after AMAZON_ORDER_FEED_MAX_ATTEMPTS (3), and says why.
    const other = await seedOrder({ items: [{ sku: 'TEE-S', quantity: 2, unitPrice: '15.00' }] });
    await admin.call('POST', '/_sandbox/feeds/fatal', { count: 3, feedType: 'POST_PAYMENT_ADJUSTMENT_DATA' });
    const failedBefore = await metric('order_feed_actions_total', { kind: 'adjust', outcome: 'failed' });
    await expect(
      adapter.cancelOrder({
        ...request,
        idempotencyKey: 'cancel-units-2',
        channelOrderId: other.AmazonOrderId,
        lines: [{ channelLineId: other.OrderItems[0].OrderItemId, sku: 'TEE-S', quantity: 1 }],
      }),
    ).rejects.toMatchObject({ code: GrpcStatus.FAILED_PRECONDITION, details: expect.stringContaining('ended FATAL') });
    expect(await metric('order_feed_actions_total', { kind: 'adjust', outcome: 'failed' })).toBe(failedBefore + 1);
    expect(await feedsOf(other.AmazonOrderId, 'POST_PAYMENT_ADJUSTMENT_DATA')).toHaveLength(3);
    expect((await amazonOrder(other.AmazonOrderId)).adjustments).toEqual([]);
  });

  it('pushes a small backlog with patchListingsItem and a large one as a JSON_LISTINGS_FEED settled from its report', async () => {
    const availability = (sku: string, version: number, quantity: number) =>
      encodeEvent({
        definition: Events.inventory.availabilityChanged,
        payload: {
          channelAccountId: ACCOUNT,
          channel: 'amazon',
          sku,
          availableQuantity: quantity,
          version,
          computedAt: toTimestamp(new Date()),
          sourceChangedAt: toTimestamp(new Date()),
        },
        source: 'inventory',
        subject: sku,
        channel: 'amazon',
        channelAccountId: ACCOUNT,
      });
    await testBed.bus.publish([availability('SKU-PATCH-1', 1, 7)]);
    const patched = await waitFor(
      async () => {
        const current = await listing('SKU-PATCH-1');
        return current.quantity === 7 && current;
      },
      { description: 'SKU-PATCH-1 at 7 on Amazon' },
    );
    expect(patched.history.at(-1).source).toMatch(/^patch:/);

    // Six SKUs stored in one call are above the threshold of 3: one feed; a SKU without listing is refused by its report.
    const updates = [
      ...Array.from({ length: 6 }, (_, index) => ({ sku: `SKU-BULK-${index}`, availableQuantity: 10 + index, version: 1 })),
      { sku: 'SKU-UNLISTED', availableQuantity: 1, version: 1 },
    ];
    const pushed = await adapter.pushAvailability({ channelAccountId: ACCOUNT, updates });
    expect(pushed.results.map((result) => result.outcome)).toEqual([
      ...Array(6).fill(channelV1.PushOutcome.PUSH_OUTCOME_ACCEPTED),
      channelV1.PushOutcome.PUSH_OUTCOME_NOT_LISTED,
    ]);
    for (let index = 0; index < 6; index++) {
      const current = await listing(`SKU-BULK-${index}`);
      expect([current.quantity, current.history.at(-1).source]).toEqual([10 + index, expect.stringMatching(/^feed:/)]);
    }
    expect(await metric('availability_updates_pushed_total', { channel_account_id: ACCOUNT, method: 'feed' })).toBe(6);
    expect(await metric('feeds_submitted_total', { feed_type: 'JSON_LISTINGS_FEED' })).toBe(1);

    const state = await adapter.getListingState({ channelAccountId: ACCOUNT, skus: ['SKU-BULK-0', 'SKU-UNLISTED'] });
    expect(state.states.map(({ sku, listed, availableQuantity }) => ({ sku, listed, availableQuantity }))).toEqual([
      { sku: 'SKU-BULK-0', listed: true, availableQuantity: 10 },
      { sku: 'SKU-UNLISTED', listed: false, availableQuantity: 0 },
    ]);
  });

  it('rides out a storm of 429 QuotaExceeded on patchListingsItem and converges', async () => {
    await admin.setFaults({ type: 'rateLimit', operation: 'patchListingsItem', count: 4 });
    const pushed = await adapter.pushAvailability({
      channelAccountId: ACCOUNT,
      updates: [{ sku: 'SKU-PATCH-2', availableQuantity: 3, version: 1 }],
    });
    expect(pushed.results[0].outcome).toBe(channelV1.PushOutcome.PUSH_OUTCOME_ACCEPTED);
    expect((await listing('SKU-PATCH-2')).quantity).toBe(3);
    expect((await admin.faults())[0]).toMatchObject({ fired: 4 });
    expect(await metric('api_calls_total', { operation: 'patchListingsItem', outcome: 'throttled' })).toBeGreaterThanOrEqual(4);
    await admin.clearFaults();
  });

  it('dead-letters events it can never act on, and answers status and unimplemented calls', async () => {
    const stray = encodeEvent({
      definition: Events.inventory.availabilityChanged,
      payload: {
        channelAccountId: 'amazon-unknown',
        channel: 'amazon',
        sku: 'X',
        availableQuantity: 1,
        version: 1,
        computedAt: undefined,
        sourceChangedAt: undefined,
      },
      source: 'inventory',
      subject: 'X',
      channel: 'amazon',
      channelAccountId: 'amazon-unknown',
    });
    await testBed.bus.publish([stray]);
    await waitFor(async () => (await testBed.bus.deadLetterCount('channel-amazon.availability')) === 1, {
      description: 'the stray event in the DLQ',
    });
    const [deadLetter] = await testBed.bus.peekDeadLetters('channel-amazon.availability', 1);
    expect(deadLetter.reason).toContain('unknown Amazon channel account "amazon-unknown"');

    const order = ordersV1.Order.fromPartial({
      orderId: 'ord-x',
      channel: 'amazon',
      channelAccountId: ACCOUNT,
      channelOrderId: '113-0000009-4000009',
      lines: [{ lineId: 'L1', channelLineId: 'i', quantity: 1 }],
    });
    await testBed.bus.publish([
      event(
        Events.orders.orderShipped,
        { order, shipment: ordersV1.Shipment.fromPartial({ shipmentId: 'S', carrier: 'UPS', lines: [] }), fullyShipped: true },
        'ord-x',
      ),
    ]);
    await waitFor(async () => (await testBed.bus.deadLetterCount('channel-amazon.orders')) === 1, {
      description: 'the shipment without tracking in the DLQ',
    });

    const status = await adapter.getAdapterStatus({ channelAccountId: '' });
    expect(status).toMatchObject({
      channel: 'amazon',
      accounts: [{ channelAccountId: ACCOUNT, health: channelV1.AccountHealth.ACCOUNT_HEALTH_HEALTHY }],
    });
    expect(status.accounts[0].orderCursor).not.toBe('');
    await expect(adapter.getAdapterStatus({ channelAccountId: 'nope' })).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    await expect(adapter.pushPrice({ channelAccountId: ACCOUNT, updates: [] })).rejects.toMatchObject({ code: GrpcStatus.UNIMPLEMENTED });
  });
});
