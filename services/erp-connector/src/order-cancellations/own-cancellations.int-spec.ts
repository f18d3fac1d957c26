// Cancellations from the mesh are not echoed back as erp.order_cancelled. Against the ERP sandbox,
// on PostgreSQL + RabbitMQ and on SQLite + the in-process bus, with the ERP's change log recording
// the integration's own changes (ERP_FEED_REPORTS_OWN_CHANGES on) and leaving them out (off, the
// default): a channel cancellation closes the ERP lines and nothing comes back; an ERP cancellation
// is published; when the mesh cancelled a unit and the ERP cancels two more, exactly the two are.
import { erpV1, Events, ordersV1, toTimestamp, type erpEventsV1 } from '@retail-mesh/contracts';
import { encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import type { ErpSandbox, ItemLine } from '@retail-mesh/sandbox-erp';
import type { GrpcClient, RunningService } from '@retail-mesh/service-kit';
import { scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorUnderTest } from '../testing/connector-under-test.js';
import { PublishedErpEvents } from '../testing/published-erp-events.js';

const FEED_MODES = [
  { name: 'a change log that reports the connector’s own changes', reportsOwnChanges: true },
  { name: 'a change log that leaves them out', reportsOwnChanges: false },
];
const MARKER_SKU = 'FEED-MARKER';

let sequence = 0;

describe.each(SERVICE_TEST_MODES)('own cancellations on $name', ({ mode }) => {
  describe.each(FEED_MODES)('with $name', ({ reportsOwnChanges }) => {
    let connector: ConnectorUnderTest;
    let erp: ErpSandbox;
    let testBed: ServiceTestBed;
    let service: RunningService;
    let client: GrpcClient<erpV1.ErpServiceClient>;
    let published: PublishedErpEvents;

    beforeAll(async () => {
      connector = await ConnectorUnderTest.start({
        mode,
        isolationPrefix: `rm_erp_own_${reportsOwnChanges ? 'on' : 'off'}`,
        skus: ['MUG-BLUE', 'CAP', MARKER_SKU],
        configureErp: (sandbox) => {
          sandbox.salesOrders.recordIntegrationChanges = reportsOwnChanges;
        },
        settings: {
          ERP_POLL_INTERVAL_MS: '50',
          ERP_REQUEST_TIMEOUT_MS: '1000',
          ERP_FEED_REPORTS_OWN_CHANGES: String(reportsOwnChanges),
        },
        beforeStart: async (bed, sandbox) => {
          published = await PublishedErpEvents.listen(bed.bus, sandbox, [Events.erp.orderCancelled], MARKER_SKU);
        },
      });
      ({ erp, testBed, service, client } = connector);
    });

    afterAll(async () => {
      await connector?.close();
    });

    /** A mesh order with an ERP sales order: MUG-BLUE x4 (line L1, ERP line 1), CAP x1 (L2, ERP line 2). */
    async function placedOrder(): Promise<{ order: ordersV1.Order; erpOrderId: string }> {
      sequence += 1;
      const order = ordersV1.Order.fromPartial({
        orderId: `order-own-${sequence}-${Date.now()}`,
        channel: 'shopify',
        channelAccountId: 'shop-eu',
        channelOrderId: `gid://shopify/Order/own${Date.now()}${sequence}`,
        currency: 'USD',
        placedAt: toTimestamp(new Date()),
        lines: [
          { lineId: 'L1', sku: 'MUG-BLUE', quantity: 4, unitPrice: { amountMinor: 1999, currency: 'USD' } },
          { lineId: 'L2', sku: 'CAP', quantity: 1, unitPrice: { amountMinor: 999, currency: 'USD' } },
        ],
      });
      const { link } = await client.createSalesOrder({ idempotencyKey: order.orderId, order });
      expect(link?.status).toBe(erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED);
      return { order, erpOrderId: link!.erpOrderId };
    }

    /** orders.order_cancelled as the orders service publishes it: the order with its cumulative cancelled units. */
    function meshCancelled(order: ordersV1.Order, cancelled: { L1?: number; L2?: number }, fullyCancelled = false): BusMessage {
      const lines = order.lines.map((line) => ({
        ...line,
        cancelledQuantity: fullyCancelled ? line.quantity : (cancelled[line.lineId as 'L1' | 'L2'] ?? 0),
      }));
      return encodeEvent({
        definition: Events.orders.orderCancelled,
        payload: {
          order: { ...order, lines },
          reason: ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
          lines: fullyCancelled ? [] : Object.entries(cancelled).map(([lineId, quantity]) => ({ lineId, quantity })),
          fullyCancelled,
        },
        source: 'orders',
        subject: order.orderId,
        channel: order.channel,
        channelAccountId: order.channelAccountId,
      });
    }

    function erpLines(erpOrderId: string): ItemLine[] {
      return (erp.records.get('salesOrder', erpOrderId)!.fields.item as { items: ItemLine[] }).items;
    }

    function cancellationsOf(orderId: string): erpEventsV1.OrderCancelled[] {
      return published.of(Events.erp.orderCancelled).filter((event) => event.orderId === orderId);
    }

    const echoes = () =>
      scrapeMetric(service, 'retail_mesh_erp_connector_feed_records_total', { type: 'sales_order_cancellation', outcome: 'echo' });

    /** The ERP feed records cancellations of this sales order (the change log's view of it). */
    function feedCancellationsOf(erpOrderId: string): unknown[] {
      return erp.feed
        .list()
        .map((entry) => entry.record as { type?: string; salesOrder?: { id?: string } })
        .filter((record) => record.type === 'salesOrderCancellation' && record.salesOrder?.id === erpOrderId);
    }

    it('a cancellation from the channel closes the ERP lines and is not published back', async () => {
      const { order, erpOrderId } = await placedOrder();
      const echoesBefore = await echoes();

      await testBed.bus.publish([meshCancelled(order, { L1: 1 })]);
      await waitFor(() => erpLines(erpOrderId)[0].quantity === 3, { description: 'ERP line 1 lowered to 3' });
      await testBed.bus.publish([meshCancelled(order, {}, true)]);
      await waitFor(() => erpLines(erpOrderId).every((line) => line.isClosed), { description: 'every ERP line closed' });

      if (reportsOwnChanges) {
        // The ERP did report both changes; the connector recognised them as its own.
        expect(feedCancellationsOf(erpOrderId)).toEqual([
          expect.objectContaining({ lines: [expect.objectContaining({ orderLine: 1, quantity: 1, custcol_rm_order_line_id: 'L1' })] }),
          expect.objectContaining({
            lines: [
              expect.objectContaining({ orderLine: 1, quantity: 3 }),
              expect.objectContaining({ orderLine: 2, quantity: 1, custcol_rm_order_line_id: 'L2' }),
            ],
          }),
        ]);
        await waitFor(async () => (await echoes()) === echoesBefore + 2, { description: 'two echoes recognised' });
      } else {
        expect(feedCancellationsOf(erpOrderId)).toEqual([]);
      }
      await published.feedCaughtUp();
      expect(cancellationsOf(order.orderId)).toEqual([]);
    });

    it('a cancellation made in the ERP is published', async () => {
      const { order, erpOrderId } = await placedOrder();
      erp.salesOrders.cancel(erpOrderId, { lines: [{ line: 1, quantity: 2 }], reason: 'Damaged in the warehouse' });
      const [event] = await waitFor(() => {
        const events = cancellationsOf(order.orderId);
        return events.length > 0 ? events : undefined;
      });
      expect(event).toMatchObject({
        erpOrderId,
        reason: 'Damaged in the warehouse',
        lines: [{ orderLineId: 'L1', sku: 'MUG-BLUE', quantity: 2 }],
      });
      await published.feedCaughtUp();
      expect(cancellationsOf(order.orderId)).toHaveLength(1);
    });

    it('publishes exactly what the ERP cancelled after the mesh’s own cancellation of the same line', async () => {
      const { order, erpOrderId } = await placedOrder();
      const echoesBefore = await echoes();
      // The channel cancelled 1 of the 4 mugs; the ERP line goes to 3 (its report of that is an echo).
      await testBed.bus.publish([meshCancelled(order, { L1: 1 })]);
      await waitFor(() => erpLines(erpOrderId)[0].quantity === 3, { description: 'ERP line 1 lowered to 3' });
      if (reportsOwnChanges) await waitFor(async () => (await echoes()) === echoesBefore + 1, { description: 'the echo recognised' });

      // Then the warehouse cancels 2 more in the ERP.
      erp.salesOrders.cancel(erpOrderId, { lines: [{ line: 1, quantity: 2 }], reason: 'Broken' });
      await waitFor(() => cancellationsOf(order.orderId).length > 0, { description: 'the ERP cancellation published' });
      await published.feedCaughtUp();
      expect(cancellationsOf(order.orderId)).toEqual([
        expect.objectContaining({ reason: 'Broken', lines: [{ orderLineId: 'L1', sku: 'MUG-BLUE', quantity: 2 }] }),
      ]);
      expect(erpLines(erpOrderId)[0]).toMatchObject({ quantity: 1, isClosed: false });
    });

    it('forgets a cancellation the ERP refused, so a later ERP cancellation of the line is published whole', async () => {
      const { order, erpOrderId } = await placedOrder();
      const deadLettered = () => testBed.bus.deadLetterCount('erp-connector.order-cancellations');
      const before = await deadLettered();
      erp.faults.set([{ type: 'serverError', status: 400, method: 'PATCH', path: '/services/rest/record/v1/salesOrder', count: 1 }]);
      await testBed.bus.publish([meshCancelled(order, { L1: 1 })]);
      await waitFor(async () => (await deadLettered()) === before + 1, { description: 'the refused cancellation dead-lettered' });
      erp.faults.clear();
      expect(erpLines(erpOrderId)[0].quantity).toBe(4);

      erp.salesOrders.cancel(erpOrderId, { lines: [{ line: 1, quantity: 1 }], reason: 'Broken' });
      await waitFor(() => cancellationsOf(order.orderId).length > 0, { description: 'the ERP cancellation published' });
      expect(cancellationsOf(order.orderId)).toEqual([expect.objectContaining({ lines: [expect.objectContaining({ quantity: 1 })] })]);
    });
  });
});
