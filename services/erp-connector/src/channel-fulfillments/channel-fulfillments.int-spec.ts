// Shipments a channel made itself (Amazon FBA) reach the ERP as item fulfillments, against the ERP
// sandbox, on PostgreSQL + RabbitMQ and on SQLite + the in-process bus: a redelivered or repeated
// orders.order_shipped, an ERP 5xx and a lost answer each still make exactly one fulfillment; the
// ERP's refusal is dead-lettered; the ERP's own shipments are not sent back; and the feed's report
// of the connector's fulfillment is not published as erp.shipment_created (no echo).
import { randomUUID } from 'node:crypto';
import { erpV1, Events, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { decodeEvent, encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import type { ErpSandbox, ItemLine } from '@retail-mesh/sandbox-erp';
import type { GrpcClient, RunningService } from '@retail-mesh/service-kit';
import { scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorUnderTest } from '../testing/connector-under-test.js';
import { PublishedErpEvents } from '../testing/published-erp-events.js';
import { CHANNEL_FULFILLMENTS_PURPOSE } from './order-shipped.consumer.js';

const QUEUE = `erp-connector.${CHANNEL_FULFILLMENTS_PURPOSE}`;
const MARKER_SKU = 'FEED-MARKER';
const TRANSFORM = /^\/services\/rest\/record\/v1\/salesOrder\/\d+\/!transform\/itemFulfillment$/;

let sequence = 0;

describe.each(SERVICE_TEST_MODES)('channel fulfillments on $name', ({ mode }) => {
  let connector: ConnectorUnderTest;
  let erp: ErpSandbox;
  let testBed: ServiceTestBed;
  let service: RunningService;
  let client: GrpcClient<erpV1.ErpServiceClient>;
  let published: PublishedErpEvents;

  beforeAll(async () => {
    connector = await ConnectorUnderTest.start({
      mode,
      isolationPrefix: 'rm_erp_channel_fulfillments',
      skus: ['MUG-BLUE', 'CAP', MARKER_SKU],
      settings: { ERP_POLL_INTERVAL_MS: '50', ERP_REQUEST_TIMEOUT_MS: '1000', ERP_REQUEST_RETRIES: '3' },
      beforeStart: async (bed, sandbox) => {
        published = await PublishedErpEvents.listen(bed.bus, sandbox, [Events.erp.shipmentCreated], MARKER_SKU);
      },
    });
    ({ erp, testBed, service, client } = connector);
  });

  afterAll(async () => {
    await connector?.close();
  });

  /** An Amazon FBA order with its ERP sales order: MUG-BLUE x3 (line L1), CAP x1 (L2). */
  async function fbaOrder(): Promise<ordersV1.Order> {
    sequence += 1;
    const order = ordersV1.Order.fromPartial({
      orderId: `order-fba-${sequence}-${Date.now()}`,
      channel: 'amazon',
      channelAccountId: 'amazon-us',
      channelOrderId: `113-${Date.now()}-${sequence}`,
      currency: 'USD',
      fulfilledByChannel: true,
      placedAt: toTimestamp(new Date()),
      lines: [
        { lineId: 'L1', sku: 'MUG-BLUE', quantity: 3, unitPrice: { amountMinor: 2500, currency: 'USD' } },
        { lineId: 'L2', sku: 'CAP', quantity: 1, unitPrice: { amountMinor: 999, currency: 'USD' } },
      ],
    });
    const { link } = await client.createSalesOrder({ idempotencyKey: order.orderId, order });
    expect(link?.status).toBe(erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED);
    return { ...order, erpOrderId: link!.erpOrderId, state: ordersV1.OrderState.ORDER_STATE_SHIPPED };
  }

  /** orders.order_shipped as orders publishes a channel's own shipment: no ERP shipment id, no location. */
  function orderShipped(
    order: ordersV1.Order,
    lines: Array<{ lineId: string; quantity: number }>,
    shipmentId: string = randomUUID(),
  ): BusMessage {
    return encodeEvent({
      definition: Events.orders.orderShipped,
      payload: {
        order,
        shipment: {
          shipmentId,
          erpShipmentId: '',
          locationId: '',
          carrier: '',
          serviceLevel: '',
          trackingNumber: '',
          trackingUrl: '',
          shippedAt: toTimestamp(new Date()),
          lines: lines.map(({ lineId, quantity }) => {
            const line = order.lines.find((candidate) => candidate.lineId === lineId)!;
            return { lineId, channelLineId: line.channelLineId, sku: line.sku, quantity };
          }),
        },
        fullyShipped: true,
      },
      source: 'orders',
      subject: order.orderId,
      channel: order.channel,
      channelAccountId: order.channelAccountId,
    });
  }

  const fulfillmentsOf = (erpOrderId: string) =>
    erp.records.list('itemFulfillment').filter((record) => (record.fields.createdFrom as { id: string }).id === erpOrderId);
  const erpLines = (erpOrderId: string) => (erp.records.get('salesOrder', erpOrderId)!.fields.item as { items: ItemLine[] }).items;
  const transformCalls = (erpOrderId: string) =>
    erp.requests.list().filter((request) => TRANSFORM.test(request.path) && request.path.includes(`/salesOrder/${erpOrderId}/`));
  const outcomes = (outcome: string) => scrapeMetric(service, 'retail_mesh_erp_connector_channel_fulfillments_total', { outcome });

  it('records the channel’s shipment as one item fulfillment; a redelivery and a repeat of the shipment make no second', async () => {
    const order = await fbaOrder();
    const message = orderShipped(order, [
      { lineId: 'L1', quantity: 3 },
      { lineId: 'L2', quantity: 1 },
    ]);
    const duplicatesBefore = await outcomes('duplicate');
    const createdBefore = await outcomes('created');
    await testBed.bus.publish([message]);
    const [fulfillment] = await waitFor(
      () => (fulfillmentsOf(order.erpOrderId).length > 0 ? fulfillmentsOf(order.erpOrderId) : undefined),
      {
        description: 'the item fulfillment in the ERP',
      },
    );
    expect(fulfillment.externalId).toMatch(/^rm-shipment-/);
    expect(fulfillment.fields).toMatchObject({
      shipStatus: { id: 'C' },
      memo: expect.stringContaining(`amazon order ${order.channelOrderId}`),
      custbody_rm_order_id: order.orderId,
      item: { items: [expect.objectContaining({ orderLine: 1, quantity: 3 }), expect.objectContaining({ orderLine: 2, quantity: 1 })] },
    });
    expect(erpLines(order.erpOrderId).map((line) => line.quantityFulfilled)).toEqual([3, 1]);
    expect(erp.records.get('salesOrder', order.erpOrderId)!.fields.orderStatus).toMatchObject({ id: 'F' });

    // The same event again (a redelivery after the inbox row committed): the ERP is not called again.
    // `created` is counted once the inbox row committed, which happens after the ERP answered.
    await waitFor(async () => (await outcomes('created')) === createdBefore + 1, { description: 'the first delivery recorded' });
    await testBed.bus.publish([message]);
    await waitFor(async () => (await outcomes('duplicate')) === duplicatesBefore + 1, {
      description: 'the redelivery dropped by the inbox',
    });
    expect(transformCalls(order.erpOrderId)).toHaveLength(1);
    // The same shipment in another event (orders publishing it again): the ERP knows the idempotency key.
    const replayedBefore = await outcomes('replayed');
    const decoded = decodeEvent(message, Events.orders.orderShipped).payload;
    await testBed.bus.publish([
      orderShipped(
        order,
        [
          { lineId: 'L1', quantity: 3 },
          { lineId: 'L2', quantity: 1 },
        ],
        decoded.shipment!.shipmentId,
      ),
    ]);
    await waitFor(async () => (await outcomes('replayed')) === replayedBefore + 1, { description: 'the repeat answered by the ERP’s key' });
    expect(fulfillmentsOf(order.erpOrderId)).toHaveLength(1);

    // The feed reports the fulfillment: not published as erp.shipment_created (orders has it, Amazon shipped it).
    await published.feedCaughtUp();
    expect(
      erp.feed.list().filter((entry) => (entry.record as { itemFulfillment?: { id: string } }).itemFulfillment?.id === fulfillment.id),
    ).toHaveLength(1);
    expect(published.of(Events.erp.shipmentCreated).filter((event) => event.orderId === order.orderId)).toEqual([]);
    expect(
      await scrapeMetric(service, 'retail_mesh_erp_connector_feed_records_total', { type: 'item_fulfillment', outcome: 'echo' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('makes one fulfillment of a partial shipment after an ERP 5xx, and after an answer lost on the way back', async () => {
    const order = await fbaOrder();
    erp.faults.set([{ type: 'serverError', status: 503, method: 'POST', pathRegex: TRANSFORM.source, count: 1 }]);
    await testBed.bus.publish([orderShipped(order, [{ lineId: 'L1', quantity: 1 }])]);
    await waitFor(() => fulfillmentsOf(order.erpOrderId).length === 1, { description: 'the first fulfillment' });
    expect(transformCalls(order.erpOrderId).map((request) => request.status)).toEqual([503, 204]);

    // The ERP creates the fulfillment but its answer never arrives: the retry is answered by the idempotency key.
    const replayedBefore = await outcomes('replayed');
    erp.faults.set([{ type: 'timeout', afterEffect: true, method: 'POST', pathRegex: TRANSFORM.source, count: 1 }]);
    await testBed.bus.publish([orderShipped(order, [{ lineId: 'L1', quantity: 2 }])]);
    await waitFor(async () => (await outcomes('replayed')) === replayedBefore + 1, { description: 'the retry after the lost answer' });
    erp.faults.clear();
    expect(
      transformCalls(order.erpOrderId)
        .map((request) => request.status)
        .sort(),
    ).toEqual([204, 400, 503, null].sort());
    expect(fulfillmentsOf(order.erpOrderId)).toHaveLength(2);
    expect(erpLines(order.erpOrderId).map((line) => line.quantityFulfilled)).toEqual([3, 0]);
    // The fulfillments fulfil only the shipped line: the cap stays to ship.
    expect(fulfillmentsOf(order.erpOrderId).map((record) => (record.fields.item as { items: unknown[] }).items)).toEqual([
      [expect.objectContaining({ orderLine: 1, quantity: 1 })],
      [expect.objectContaining({ orderLine: 1, quantity: 2 })],
    ]);
  });

  it('dead-letters a shipment the ERP refuses, and does not send the ERP’s own shipments back', async () => {
    const order = await fbaOrder();
    // Everything was already fulfilled in the ERP: there is nothing left to fulfil.
    const shipped = erp.salesOrders.ship(order.erpOrderId, {
      location: 'WH-EAST',
      shipCarrier: '',
      shipMethod: '',
      trackingNumber: '',
      trackingUrl: '',
    });
    expect(shipped.ok).toBe(true);
    const deadLettered = () => testBed.bus.deadLetterCount(QUEUE);
    const before = await deadLettered();
    await testBed.bus.publish([orderShipped(order, [{ lineId: 'L1', quantity: 3 }])]);
    await waitFor(async () => (await deadLettered()) === before + 1, { description: 'the refused shipment dead-lettered' });
    expect(fulfillmentsOf(order.erpOrderId)).toHaveLength(1);

    // orders.order_shipped of a shipment from the ERP (it carries the ERP's id): nothing to tell the ERP.
    const skippedBefore = await outcomes('skipped');
    const fromErp = encodeEvent({
      definition: Events.orders.orderShipped,
      payload: {
        order,
        shipment: ordersV1.Shipment.fromPartial({
          shipmentId: randomUUID(),
          erpShipmentId: '8999',
          lines: [{ lineId: 'L1', sku: 'MUG-BLUE', quantity: 3 }],
        }),
        fullyShipped: true,
      },
      source: 'orders',
      subject: order.orderId,
      channel: order.channel,
      channelAccountId: order.channelAccountId,
    });
    const calls = transformCalls(order.erpOrderId).length;
    await testBed.bus.publish([fromErp]);
    await waitFor(async () => (await outcomes('skipped')) === skippedBefore + 1, { description: 'the ERP’s own shipment skipped' });
    expect(transformCalls(order.erpOrderId)).toHaveLength(calls);
  });
});
