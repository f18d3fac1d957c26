// Sales orders end to end against the ERP sandbox, in both idempotency modes (NetSuite's
// idempotency key + upsert by external id; an ERP without idempotency, looked up before create),
// on PostgreSQL + RabbitMQ and on SQLite + the in-process bus: one ERP order per mesh order
// whatever the retries, lost answers, concurrent requests and outages; rejections as REJECTED
// links and events; shipments and ERP cancellations from the change feed as events with the mesh
// order id; mesh cancellations applied to the ERP sales order.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { erpV1, Events, ordersV1, toTimestamp, type EventDefinition, type erpEventsV1 } from '@retail-mesh/contracts';
import { decodeEvent, encodeEvent } from '@retail-mesh/messaging';
import type { ErpSandbox, IdempotencyMode, ItemLine } from '@retail-mesh/sandbox-erp';
import { errorReasonOf, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorUnderTest } from '../testing/connector-under-test.js';
import { salesOrderExternalId } from './sales-order.mapper.js';

const SALES_ORDERS = '/services/rest/record/v1/salesOrder';
const IDEMPOTENCY_MODES: Array<{ connector: 'netsuite' | 'lookup'; erp: IdempotencyMode; write: 'PUT' | 'POST' }> = [
  { connector: 'netsuite', erp: 'netsuite', write: 'PUT' },
  { connector: 'lookup', erp: 'none', write: 'POST' },
];
const ORDER_EVENTS = [
  Events.erp.salesOrderCreated,
  Events.erp.salesOrderRejected,
  Events.erp.shipmentCreated,
  Events.erp.orderCancelled,
  Events.erp.stockChangeBatch,
] as const;

interface Received {
  routingKey: string;
  payload: unknown;
}

const usd = (amountMinor: number) => ({ amountMinor, currency: 'USD' });
/** ERP_MAX_CONCURRENT_REQUESTS of the connectors under test. */
const ERP_CONCURRENCY = 4;

/** The most requests the sandbox was answering at one moment (each from its arrival to its answer). */
function mostAtOnce(requests: ReadonlyArray<{ time: string; durationMs: number }>): number {
  const edges = requests.flatMap((request) => {
    const start = Date.parse(request.time);
    return [
      { at: start, change: 1 },
      { at: start + request.durationMs, change: -1 },
    ];
  });
  // An answer at the moment another request arrives frees its place first.
  edges.sort((a, b) => a.at - b.at || a.change - b.change);
  let open = 0;
  let most = 0;
  for (const edge of edges) {
    open += edge.change;
    most = Math.max(most, open);
  }
  return most;
}

let sequence = 0;
/** A canonical order with fresh ids (the ERP sandbox is shared by the tests of a suite). */
function order(lines: Array<{ sku: string; quantity: number }> = [{ sku: 'MUG-BLUE', quantity: 2 }]): ordersV1.Order {
  sequence += 1;
  return ordersV1.Order.fromPartial({
    orderId: `order-${sequence}-${Date.now()}`,
    channel: 'shopify',
    channelAccountId: 'shop-eu',
    channelOrderId: `gid://shopify/Order/${Date.now()}${sequence}`,
    channelOrderNumber: `#${1000 + sequence}`,
    currency: 'USD',
    placedAt: toTimestamp(new Date(Date.now() - 60_000)),
    lines: lines.map((line, index) => ({ lineId: `L${index + 1}`, sku: line.sku, quantity: line.quantity, unitPrice: usd(1999) })),
  });
}

describe.each(SERVICE_TEST_MODES)('sales orders on $name', ({ mode }) => {
  describe.each(IDEMPOTENCY_MODES)('with $connector idempotency', (idempotency) => {
    let connector: ConnectorUnderTest;
    let erp: ErpSandbox;
    let testBed: ServiceTestBed;
    let service: RunningService;
    let client: GrpcClient<erpV1.ErpServiceClient>;
    const received: Received[] = [];

    beforeAll(async () => {
      connector = await ConnectorUnderTest.start({
        mode,
        isolationPrefix: `rm_erp_so_${idempotency.connector}`,
        skus: ['MUG-BLUE', 'CAP'],
        configureErp: (sandbox) => {
          sandbox.records.mode = idempotency.erp;
        },
        settings: {
          ERP_IDEMPOTENCY_MODE: idempotency.connector,
          ERP_POLL_INTERVAL_MS: '50',
          // Short, as the lost-answer tests wait for it, yet far above a loaded machine's slowest answer:
          // at 500 ms the crowd of 30 concurrent requests timed out under a load average of 14.
          ERP_REQUEST_TIMEOUT_MS: '2000',
          ERP_ORDER_REQUEST_RETRIES: '1',
          ERP_MAX_CONCURRENT_REQUESTS: String(ERP_CONCURRENCY),
          ERP_CUSTOMER_IDS: '{"shop-eu":"1201"}',
        },
        beforeStart: async (bed) => {
          await bed.bus.consume(
            { queue: 'test.erp-orders', bindings: ORDER_EVENTS.map((definition) => definition.binding), prefetch: 200 },
            async (delivery) => {
              const definition = ORDER_EVENTS.find((candidate) => candidate.routingKey === delivery.routingKey) as EventDefinition<unknown>;
              received.push({ routingKey: delivery.routingKey, payload: decodeEvent(delivery, definition).payload });
            },
          );
        },
      });
      ({ erp, testBed, service, client } = connector);
    });

    afterAll(async () => {
      await connector?.close();
    });

    function erpOrdersOf(placed: ordersV1.Order) {
      return erp.records.list('salesOrder').filter((record) => record.externalId === salesOrderExternalId(placed));
    }

    function eventsOf<T>(definition: EventDefinition<T>, orderId: string): T[] {
      return received
        .filter((event) => event.routingKey === definition.routingKey && (event.payload as { orderId?: string }).orderId === orderId)
        .map((event) => event.payload as T);
    }

    async function createdLink(placed: ordersV1.Order): Promise<erpV1.SalesOrderLink> {
      const response = await client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed });
      expect(response.link?.status).toBe(erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED);
      return response.link!;
    }

    async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
      const error = (await promise.then(
        () => undefined,
        (failure: unknown) => failure,
      )) as ServiceError | undefined;
      expect(error, 'the call should have failed').toBeDefined();
      return error!;
    }

    it('creates the ERP sales order once, links it and publishes erp.sales_order_created', async () => {
      const placed = order([
        { sku: 'MUG-BLUE', quantity: 3 },
        { sku: 'CAP', quantity: 1 },
      ]);
      const first = await client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed });
      expect(first).toMatchObject({
        created: true,
        link: {
          orderId: placed.orderId,
          erpOrderId: expect.stringMatching(/^\d+$/),
          status: erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED,
          attempts: 1,
          erpExternalId: salesOrderExternalId(placed),
          lastError: '',
        },
      });
      const [record] = erpOrdersOf(placed);
      expect(record.id).toBe(first.link!.erpOrderId);
      expect(record.fields).toMatchObject({
        entity: { id: '1201' },
        custbody_rm_order_id: placed.orderId,
        otherRefNum: placed.channelOrderNumber,
      });
      expect((record.fields.item as { items: ItemLine[] }).items.map((line) => [line.item.refName, line.quantity, line.rate])).toEqual([
        ['MUG-BLUE', 3, 19.99],
        ['CAP', 1, 19.99],
      ]);

      const again = await client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed });
      expect(again).toMatchObject({ created: false, link: { erpOrderId: first.link!.erpOrderId, attempts: 1 } });
      expect(erpOrdersOf(placed)).toHaveLength(1);
      await waitFor(() => eventsOf(Events.erp.salesOrderCreated, placed.orderId).length === 1, { description: 'sales_order_created' });
      expect(eventsOf(Events.erp.salesOrderCreated, placed.orderId)[0]).toMatchObject({ erpOrderId: first.link!.erpOrderId });

      expect((await client.getSalesOrder({ orderId: placed.orderId })).link).toEqual(again.link);
      expect((await client.getSalesOrder({ erpOrderId: first.link!.erpOrderId })).link?.orderId).toBe(placed.orderId);
      const missing = await rejection(client.getSalesOrder({ orderId: 'no-such-order' }));
      expect(missing.code).toBe(GrpcStatus.NOT_FOUND);
      expect(
        await scrapeMetric(service, 'retail_mesh_erp_connector_order_intake_latency_seconds_count', {
          channel: 'shopify',
          channel_account_id: 'shop-eu',
        }),
      ).toBeGreaterThanOrEqual(1);
    });

    it('finds the order the ERP created when its answer was lost, within the call', async () => {
      const placed = order();
      erp.faults.set([{ type: 'timeout', afterEffect: true, path: SALES_ORDERS, method: idempotency.write, count: 1 }]);
      const link = await createdLink(placed);
      expect(erp.faults.list()[0].fired).toBe(1);
      erp.faults.clear();
      expect(erpOrdersOf(placed).map((record) => record.id)).toEqual([link.erpOrderId]);
    });

    it('answers UNAVAILABLE when the answer is lost and the ERP then fails, and the retry finds the first order', async () => {
      const placed = order();
      erp.faults.set([
        { type: 'timeout', afterEffect: true, path: SALES_ORDERS, method: idempotency.write, count: 1 },
        // Lookup mode looks before it writes: let that first lookup through.
        { type: 'serverError', status: 503, path: SALES_ORDERS, skip: idempotency.connector === 'lookup' ? 1 : 0 },
      ]);
      const failure = await rejection(client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed }));
      expect(failure.code).toBe(GrpcStatus.UNAVAILABLE);
      expect(errorReasonOf(failure)).toBe('erp_unavailable');
      const pending = (await client.getSalesOrder({ orderId: placed.orderId })).link!;
      expect(pending).toMatchObject({ status: erpV1.DocumentStatus.DOCUMENT_STATUS_PENDING, erpOrderId: '', attempts: 1 });
      expect(pending.lastErrorCode).not.toBe('');
      expect(erpOrdersOf(placed)).toHaveLength(1);

      erp.faults.clear();
      const link = await createdLink(placed);
      expect(link.attempts).toBe(2);
      expect(erpOrdersOf(placed).map((record) => record.id)).toEqual([link.erpOrderId]);
    });

    it('answers UNAVAILABLE while the ERP is down and creates the order once it is back', async () => {
      const placed = order();
      await fetch(`${erp.url}/_sandbox/outage`, { method: 'POST', body: '{}' });
      const failure = await rejection(client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed }));
      expect(failure.code).toBe(GrpcStatus.UNAVAILABLE);
      expect((await client.getFeedStatus({})).pendingDocuments).toBeGreaterThanOrEqual(1);
      await fetch(`${erp.url}/_sandbox/outage`, { method: 'DELETE' });
      await createdLink(placed);
      expect(erpOrdersOf(placed)).toHaveLength(1);
    });

    it('creates one ERP order for two concurrent requests for the same order', async () => {
      const placed = order();
      // Slow the ERP so that the second request arrives while the first is still at it.
      erp.faults.set([{ type: 'latency', ms: 300, path: SALES_ORDERS }]);
      const outcomes = await Promise.allSettled([
        client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed }),
        client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed }),
      ]);
      erp.faults.clear();
      const answered = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value.link!.erpOrderId] : []));
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(errorReasonOf(outcome.reason)).toBe('sales_order_in_progress');
      }
      const link = await createdLink(placed);
      expect(new Set([...answered, link.erpOrderId])).toEqual(new Set([link.erpOrderId]));
      expect(erpOrdersOf(placed)).toHaveLength(1);
      await waitFor(() => eventsOf(Events.erp.salesOrderCreated, placed.orderId).length > 0, { description: 'sales_order_created' });
      expect(eventsOf(Events.erp.salesOrderCreated, placed.orderId)).toHaveLength(1);
    });

    it('keeps at most ERP_MAX_CONCURRENT_REQUESTS requests out at the ERP; the others wait their turn', async () => {
      const placed = Array.from({ length: 10 }, () => order());
      const before = erp.requests.list().at(-1)?.seq ?? 0;
      // Slow answers, so that every request is still out when the next ones are sent.
      erp.faults.set([{ type: 'latency', ms: 100, path: SALES_ORDERS }]);
      await Promise.all(placed.map((one) => createdLink(one)));
      erp.faults.clear();
      const sent = erp.requests.list({ path: SALES_ORDERS }).filter((request) => request.seq > before);
      expect(sent.length).toBeGreaterThanOrEqual(placed.length);
      expect(mostAtOnce(sent)).toBe(ERP_CONCURRENCY);
      for (const one of placed) expect(erpOrdersOf(one)).toHaveLength(1);
    });

    it('creates one ERP order per order for a crowd of concurrent requests, repeats and a refusal among them', async () => {
      const placed = Array.from({ length: 24 }, (_, index) => order(index === 5 ? [{ sku: 'NOT-IN-ERP', quantity: 1 }] : undefined));
      // Links are claimed and recorded together for requests that arrive together; each request still gets its own answer.
      const requests = [...placed, ...placed.slice(0, 6)].map((one) =>
        client.createSalesOrder({ idempotencyKey: one.orderId, order: one }),
      );
      const outcomes = await Promise.allSettled(requests);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(errorReasonOf(outcome.reason)).toBe('sales_order_in_progress');
      }
      const links = await Promise.all(placed.map(async (one) => (await client.getSalesOrder({ orderId: one.orderId })).link!));
      expect(links.map((link) => link.status)).toEqual(
        placed.map((_, index) =>
          index === 5 ? erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED : erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED,
        ),
      );
      placed.forEach((one, index) => {
        const forOrder = outcomes.filter((_, position) => position % placed.length === index);
        const created = forOrder.filter((outcome) => outcome.status === 'fulfilled' && outcome.value.created);
        expect(created, one.orderId).toHaveLength(index === 5 ? 0 : 1);
        expect(erpOrdersOf(one).map((record) => record.id)).toEqual(index === 5 ? [] : [links[index]!.erpOrderId]);
      });
      await waitFor(
        () =>
          placed.every(
            (one) =>
              eventsOf(Events.erp.salesOrderCreated, one.orderId).length + eventsOf(Events.erp.salesOrderRejected, one.orderId).length > 0,
          ),
        {
          description: 'an event per order',
        },
      );
      for (const one of placed) {
        expect(
          eventsOf(Events.erp.salesOrderCreated, one.orderId).length + eventsOf(Events.erp.salesOrderRejected, one.orderId).length,
        ).toBe(1);
      }
    });

    it('answers each order of a CreateSalesOrders call as CreateSalesOrder would, one failure leaving the others alone', async () => {
      const [first, second, refused] = [order(), order(), order([{ sku: 'NOT-IN-ERP', quantity: 1 }])];
      const invalid = order();
      const { results } = await client.createSalesOrders({
        requests: [first, { ...invalid, lines: [] }, refused, second].map((one) => ({ idempotencyKey: one.orderId, order: one })),
      });
      expect(results).toHaveLength(4);
      expect(results[0]!.response).toMatchObject({ created: true, link: { status: erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED } });
      expect(results[1]!.error).toMatchObject({ code: GrpcStatus.INVALID_ARGUMENT });
      expect(results[2]!.response).toMatchObject({ created: false, link: { status: erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED } });
      expect(results[3]!.response).toMatchObject({ created: true, link: { status: erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED } });
      expect(erpOrdersOf(first).map((record) => record.id)).toEqual([results[0]!.response!.link!.erpOrderId]);
      expect(erpOrdersOf(second).map((record) => record.id)).toEqual([results[3]!.response!.link!.erpOrderId]);
      expect(erpOrdersOf(invalid)).toEqual([]);

      // The ERP down: every order of the call is UNAVAILABLE, and a repeat once it is back creates nothing twice.
      const later = [order(), order()];
      await fetch(`${erp.url}/_sandbox/outage`, { method: 'POST', body: '{}' });
      const down = await client.createSalesOrders({ requests: later.map((one) => ({ idempotencyKey: one.orderId, order: one })) });
      expect(down.results.map((result) => [result.error?.code, result.error?.reason])).toEqual([
        [GrpcStatus.UNAVAILABLE, 'erp_unavailable'],
        [GrpcStatus.UNAVAILABLE, 'erp_unavailable'],
      ]);
      await fetch(`${erp.url}/_sandbox/outage`, { method: 'DELETE' });
      const back = await client.createSalesOrders({
        requests: [...later, first].map((one) => ({ idempotencyKey: one.orderId, order: one })),
      });
      expect(back.results.map((result) => result.response?.created)).toEqual([true, true, false]);
      for (const one of [...later, first]) expect(erpOrdersOf(one)).toHaveLength(1);
    });

    it('records a refusal by the ERP as REJECTED with its code, publishes it, and tries again only for a new key', async () => {
      const placed = order([{ sku: 'NOT-IN-ERP', quantity: 1 }]);
      const rejected = await client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed });
      expect(rejected).toMatchObject({
        created: false,
        link: { status: erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED, erpOrderId: '', lastErrorCode: 'INVALID_CONTENT' },
      });
      expect(rejected.link!.lastError).toContain('Invalid Field Value NOT-IN-ERP for the following field: item');
      await waitFor(() => eventsOf(Events.erp.salesOrderRejected, placed.orderId).length === 1, { description: 'sales_order_rejected' });
      expect(eventsOf<erpEventsV1.SalesOrderRejected>(Events.erp.salesOrderRejected, placed.orderId)[0]).toMatchObject({
        code: 'INVALID_CONTENT',
        message: expect.stringContaining('NOT-IN-ERP'),
      });

      const writes = () => erp.requests.list({ path: SALES_ORDERS, method: idempotency.write }).length;
      const before = writes();
      expect((await client.createSalesOrder({ idempotencyKey: placed.orderId, order: placed })).link?.status).toBe(
        erpV1.DocumentStatus.DOCUMENT_STATUS_REJECTED,
      );
      expect(writes()).toBe(before);

      // The item is set up in the ERP; an operator releases the hold, which asks again with a new key.
      erp.items.ensure('NOT-IN-ERP');
      const retried = await client.createSalesOrder({ idempotencyKey: `${placed.orderId}:release-1`, order: placed });
      expect(retried).toMatchObject({ created: true, link: { status: erpV1.DocumentStatus.DOCUMENT_STATUS_CREATED, attempts: 2 } });
      expect(erpOrdersOf(placed)).toHaveLength(1);
    });

    it('refuses an invalid order with INVALID_ARGUMENT before calling the ERP', async () => {
      const placed = order();
      const failure = await rejection(client.createSalesOrder({ idempotencyKey: 'k', order: { ...placed, lines: [] } }));
      expect(failure.code).toBe(GrpcStatus.INVALID_ARGUMENT);
      expect(failure.details).toContain('order has no lines');
      expect(erpOrdersOf(placed)).toHaveLength(0);
    });

    it('turns shipments and ERP cancellations from the change feed into events with the mesh order id', async () => {
      const placed = order([
        { sku: 'MUG-BLUE', quantity: 3 },
        { sku: 'CAP', quantity: 2 },
      ]);
      const link = await createdLink(placed);
      const shipped = erp.salesOrders.ship(link.erpOrderId, {
        lines: [{ line: 1, quantity: 2 }],
        location: 'WH-EAST',
        shipCarrier: 'UPS',
        shipMethod: 'UPS Ground',
        trackingNumber: '1Z999',
        trackingUrl: 'https://ups.example/1Z999',
      });
      if (!shipped.ok) throw new Error(shipped.error);
      const cancelled = erp.salesOrders.cancel(link.erpOrderId, { lines: [{ line: 2 }], reason: 'Damaged in the warehouse' });
      if (!cancelled.ok) throw new Error(cancelled.error);

      const [shipment] = await waitFor(() => {
        const events = eventsOf<erpEventsV1.ShipmentCreated>(Events.erp.shipmentCreated, placed.orderId);
        return events.length > 0 ? events : undefined;
      });
      expect(shipment).toMatchObject({
        erpOrderId: link.erpOrderId,
        erpShipmentId: shipped.value.itemFulfillment.id,
        locationId: 'WH-EAST',
        carrier: 'UPS',
        serviceLevel: 'UPS Ground',
        trackingNumber: '1Z999',
        trackingUrl: 'https://ups.example/1Z999',
        lines: [{ orderLineId: 'L1', sku: 'MUG-BLUE', quantity: 2 }],
        erpChangeId: String(shipped.value.feed[0].id),
        version: shipped.value.feed[0].id,
      });
      const [cancellation] = await waitFor(() => {
        const events = eventsOf<erpEventsV1.OrderCancelled>(Events.erp.orderCancelled, placed.orderId);
        return events.length > 0 ? events : undefined;
      });
      expect(cancellation).toMatchObject({
        erpOrderId: link.erpOrderId,
        reason: 'Damaged in the warehouse',
        lines: [{ orderLineId: 'L2', sku: 'CAP', quantity: 2 }],
        version: cancelled.value.feed.id,
      });
      // The shipment took the units out of the location: the stock feed says so too.
      const stockRecord = shipped.value.feed[1];
      await waitFor(
        () =>
          received.some(
            (event) =>
              event.routingKey === 'erp.stock_change_batch' &&
              (event.payload as erpEventsV1.StockChangeBatch).changes.some((change) => change.erpChangeId === String(stockRecord.id)),
          ),
        { description: 'the stock change of the shipment' },
      );
    });

    it('takes the order id from the sales order’s reference when the connector has no link, and skips foreign orders', async () => {
      const foreign = erp.records.create('salesOrder', {
        entity: { id: '9' },
        item: { items: [{ item: { externalId: 'CAP' }, quantity: 1 }] },
      });
      const referenced = erp.records.create('salesOrder', {
        entity: { id: '9' },
        custbody_rm_order_id: 'order-from-reference',
        item: { items: [{ item: { externalId: 'CAP' }, quantity: 1 }] },
      });
      if (!foreign.ok || !referenced.ok) throw new Error('seeding the ERP failed');
      const ignoredBefore = await scrapeMetric(service, 'retail_mesh_erp_connector_feed_records_total', { outcome: 'ignored' });
      erp.salesOrders.cancel(foreign.record.id, { reason: 'phone order cancelled' });
      erp.salesOrders.cancel(referenced.record.id, { reason: 'duplicate' });
      await waitFor(() => eventsOf(Events.erp.orderCancelled, 'order-from-reference').length === 1, {
        description: 'the referenced cancellation',
      });
      await waitFor(
        async () =>
          (await scrapeMetric(service, 'retail_mesh_erp_connector_feed_records_total', { outcome: 'ignored' })) === ignoredBefore + 1,
        { description: 'the foreign cancellation counted as ignored' },
      );
      expect(received.filter((event) => (event.payload as { erpOrderId?: string }).erpOrderId === foreign.record.id)).toEqual([]);
    });

    describe('cancellations from the mesh', () => {
      function cancelledEvent(
        placed: ordersV1.Order,
        fields: Partial<{ reason: ordersV1.CancelReason; lines: Array<{ lineId: string; quantity: number }>; fullyCancelled: boolean }>,
      ) {
        return encodeEvent({
          definition: Events.orders.orderCancelled,
          payload: {
            order: placed,
            reason: fields.reason ?? ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
            lines: fields.lines ?? [],
            fullyCancelled: fields.fullyCancelled ?? false,
          },
          source: 'orders',
          subject: placed.orderId,
          channel: placed.channel,
          channelAccountId: placed.channelAccountId,
        });
      }

      async function handled(): Promise<number> {
        return scrapeMetric(service, 'retail_mesh_consumer_handled_total', { queue: 'erp-connector.order-cancellations' });
      }

      function erpLines(erpOrderId: string): ItemLine[] {
        return (erp.records.get('salesOrder', erpOrderId)!.fields.item as { items: ItemLine[] }).items;
      }

      it('lowers and closes ERP lines for a partial cancellation, once, and closes the order when fully cancelled', async () => {
        const placed = order([
          { sku: 'MUG-BLUE', quantity: 4 },
          { sku: 'CAP', quantity: 1 },
        ]);
        const { erpOrderId } = await createdLink(placed);
        const partly = {
          ...placed,
          lines: [
            { ...placed.lines[0], cancelledQuantity: 1 },
            { ...placed.lines[1], cancelledQuantity: 1 },
          ],
        };
        const event = cancelledEvent(partly, {
          lines: [
            { lineId: 'L1', quantity: 1 },
            { lineId: 'L2', quantity: 1 },
          ],
        });
        await testBed.bus.publish([event]);
        await waitFor(() => erpLines(erpOrderId)[1].isClosed, { description: 'the ERP line closed' });
        expect(erpLines(erpOrderId).map((line) => [line.quantity, line.isClosed])).toEqual([
          [3, false],
          [1, true],
        ]);

        // The same cancellation again (a redelivery under a new id) changes nothing.
        const writes = erp.records.get('salesOrder', erpOrderId)!.writeCount;
        const before = await handled();
        await testBed.bus.publish([cancelledEvent(partly, { lines: [{ lineId: 'L1', quantity: 1 }] })]);
        await waitFor(async () => (await handled()) > before, { description: 'the repeat handled' });
        expect(erp.records.get('salesOrder', erpOrderId)!.writeCount).toBe(writes);

        await testBed.bus.publish([cancelledEvent(partly, { fullyCancelled: true })]);
        await waitFor(() => erpLines(erpOrderId).every((line) => line.isClosed), { description: 'every ERP line closed' });
        expect((erp.records.get('salesOrder', erpOrderId)!.fields.orderStatus as { id: string }).id).toBe('H');
      });

      it('leaves the ERP alone for a cancellation that came from the ERP or an order without ERP sales order', async () => {
        const placed = order();
        const { erpOrderId } = await createdLink(placed);
        const writes = erp.records.get('salesOrder', erpOrderId)!.writeCount;
        const before = await handled();
        await testBed.bus.publish([
          cancelledEvent(placed, { reason: ordersV1.CancelReason.CANCEL_REASON_ERP_CANCELLED, fullyCancelled: true }),
          cancelledEvent(order(), { fullyCancelled: true }),
        ]);
        await waitFor(async () => (await handled()) >= before + 2, { description: 'both handled' });
        expect(erp.records.get('salesOrder', erpOrderId)!.writeCount).toBe(writes);
        expect(erpLines(erpOrderId).every((line) => !line.isClosed)).toBe(true);
      });
    });
  });
});
