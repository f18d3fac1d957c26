// The contract every channel adapter keeps (ARCHITECTURE §2-3: one ChannelAdapterService for all
// channels), asserted over real gRPC against the adapter's sandbox. An adapter's int-spec calls
// describeChannelAdapterConformance with its fixture; the suite checks what the channel received
// through the fixture's read-backs, never the adapter's internals.
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { channelV1, grpcServices, ordersV1, toTimestamp } from '@retail-mesh/contracts';
import { grpcHealthStatus, listGrpcServices } from '@retail-mesh/observability';
import { createGrpcClient, type GrpcClient } from '@retail-mesh/service-kit';
import { scrapeMetric, SERVICE_TEST_MODES } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ChannelAdapterConformanceFixture,
  ChannelAdapterMethod,
  ConformanceHarness,
  ListingOnChannel,
} from './conformance-fixture.js';

const { PushOutcome, ChannelOrderStatus, AccountHealth } = channelV1;
const SERVICE_NAME = `${grpcServices.channelAdapter.packageName}.${grpcServices.channelAdapter.serviceName}`;
/** Every call gets an answer well before this: a call that hangs fails the suite as DEADLINE_EXCEEDED. */
const CALL_DEADLINE_MS = 30_000;
const UNKNOWN_ACCOUNT = 'conformance-no-such-account';

type Client = GrpcClient<channelV1.ChannelAdapterServiceClient>;

/** A request of each method that is valid apart from what the test varies (the account, the order). */
function validRequests(channelAccountId: string, channelOrderId: string): Record<ChannelAdapterMethod, object> {
  const orderRef = { channelAccountId, channelOrderId, orderId: 'ord-conformance-unknown' };
  return {
    pushAvailability: channelV1.PushAvailabilityRequest.fromPartial({
      channelAccountId,
      updates: [{ sku: 'CONF-SWEEP', availableQuantity: 1, version: 1 }],
    }),
    pushPrice: channelV1.PushPriceRequest.fromPartial({
      channelAccountId,
      updates: [{ sku: 'CONF-SWEEP', amount: { amountMinor: 1999, currency: 'USD' }, version: 1 }],
    }),
    acknowledgeOrder: channelV1.AcknowledgeOrderRequest.fromPartial({ ...orderRef, idempotencyKey: 'sweep/ack', erpOrderId: 'SO-SWEEP' }),
    confirmShipment: channelV1.ConfirmShipmentRequest.fromPartial({
      ...orderRef,
      idempotencyKey: 'sweep-shipment',
      shipment: {
        shipmentId: 'sweep-shipment',
        carrier: 'UPS',
        trackingNumber: '1Z999AA10000000099',
        lines: [{ lineId: 'L1', channelLineId: 'sweep-line', sku: 'CONF-SWEEP', quantity: 1 }],
        shippedAt: toTimestamp(new Date()),
      },
    }),
    cancelOrder: channelV1.CancelOrderRequest.fromPartial({
      ...orderRef,
      idempotencyKey: 'sweep/cancel',
      reason: ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
    }),
    issueRefund: channelV1.IssueRefundRequest.fromPartial({
      ...orderRef,
      idempotencyKey: 'sweep-refund',
      refundId: 'sweep-refund',
      total: { amountMinor: 1999, currency: 'USD' },
    }),
    getListingState: channelV1.GetListingStateRequest.fromPartial({ channelAccountId, skus: ['CONF-SWEEP'] }),
    getOrderState: channelV1.GetOrderStateRequest.fromPartial({ channelAccountId, channelOrderIds: [channelOrderId] }),
    getSettlementReport: channelV1.GetSettlementReportRequest.fromPartial({ channelAccountId, channelReportId: 'sweep-report' }),
    syncOrders: channelV1.SyncOrdersRequest.fromPartial({ channelAccountId, since: toTimestamp(new Date()) }),
    getAdapterStatus: channelV1.GetAdapterStatusRequest.fromPartial({ channelAccountId }),
  };
}

const METHODS = Object.keys(validRequests('', '')) as ChannelAdapterMethod[];
/** GetAdapterStatus takes an empty account as "every account". */
const ACCOUNT_METHODS = METHODS.filter((method) => method !== 'getAdapterStatus');

function call(client: Client, method: ChannelAdapterMethod, request: object): Promise<unknown> {
  return (client[method] as (request: object) => Promise<unknown>)(request);
}

/** The status name of a call's answer: `OK`, `NOT_FOUND`, ... with the error's details. */
async function answerOf(pending: Promise<unknown>): Promise<{ code: string; details: string }> {
  try {
    await pending;
    return { code: 'OK', details: '' };
  } catch (error) {
    const { code, details } = error as ServiceError;
    return { code: GrpcStatus[code] ?? String(code), details: details ?? '' };
  }
}

async function expectStatus(pending: Promise<unknown>, code: GrpcStatus, details?: RegExp): Promise<void> {
  const answer = await answerOf(pending);
  expect(answer).toEqual({ code: GrpcStatus[code], details: details ? expect.stringMatching(details) : expect.any(String) });
}

function pascalCase(method: ChannelAdapterMethod): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

export function describeChannelAdapterConformance(fixture: ChannelAdapterConformanceFixture): void {
  const modes = SERVICE_TEST_MODES.filter(({ mode }) => (fixture.modes ?? [mode]).includes(mode));

  describe.each(modes)(`ChannelAdapterService conformance of ${fixture.channel} on $name`, ({ mode }) => {
    let harness: ConformanceHarness;
    let client: Client;
    let account: string;

    beforeAll(async () => {
      harness = await fixture.start(mode);
      account = harness.accounts[0];
      client = createGrpcClient<channelV1.ChannelAdapterServiceClient>(grpcServices.channelAdapter, harness.grpcUrl, {
        deadlineMs: CALL_DEADLINE_MS,
      });
    });

    afterAll(async () => {
      client?.close();
      await harness?.stop();
    });

    const push = (...updates: Array<[sku: string, version: number, availableQuantity: number]>) =>
      client.pushAvailability({
        channelAccountId: account,
        updates: updates.map(([sku, version, availableQuantity]) => ({ sku, version, availableQuantity })),
      });
    const outcomes = (response: channelV1.PushAvailabilityResponse) =>
      response.results.map(({ sku, outcome, version }) => ({ sku, outcome: PushOutcome[outcome], version }));
    const listing = async (sku: string): Promise<ListingOnChannel> => {
      const found = await harness.listing(sku);
      if (!found) throw new Error(`the channel has no listing for ${sku}`);
      return found;
    };
    const channelShows = (sku: string, quantity: number) =>
      waitFor(
        async () => {
          const current = await listing(sku);
          return current.quantity === quantity && current;
        },
        { description: `the channel to show ${quantity} for ${sku}` },
      );
    const orderStatus = async (channelOrderId: string) => {
      const { states } = await client.getOrderState({ channelAccountId: account, channelOrderIds: [channelOrderId] });
      return { ...states[0], status: ChannelOrderStatus[states[0].status] };
    };
    const accountStatus = async (channelAccountId: string) => (await client.getAdapterStatus({ channelAccountId })).accounts[0];
    const pendingGauge = (state: 'waiting' | 'held', channelAccountId = account) =>
      scrapeMetric(harness, `${fixture.metricsPrefix}pending_updates`, { channel_account_id: channelAccountId, state });

    it('reports SERVING on grpc.health.v1 and lists the ChannelAdapterService through reflection', async () => {
      expect(await grpcHealthStatus(harness.grpcUrl)).toBe('SERVING');
      expect(await grpcHealthStatus(harness.grpcUrl, SERVICE_NAME)).toBe('SERVING');
      expect(await listGrpcServices(harness.grpcUrl)).toEqual(expect.arrayContaining([SERVICE_NAME, 'grpc.health.v1.Health']));
    });

    it('GetAdapterStatus lists every configured account once, one account when asked, and NOT_FOUND for another', async () => {
      expect(harness.accounts.length).toBeGreaterThanOrEqual(2);
      const all = await client.getAdapterStatus({ channelAccountId: '' });
      expect(all.channel).toBe(fixture.channel);
      expect(all.adapterVersion).toMatch(/\S/);
      expect(all.accounts.map((entry) => entry.channelAccountId).sort()).toEqual([...harness.accounts].sort());
      for (const entry of all.accounts) {
        expect(entry.health, entry.channelAccountId).not.toBe(AccountHealth.ACCOUNT_HEALTH_UNSPECIFIED);
        expect(entry.rateLimitRemaining).toBeGreaterThanOrEqual(-1);
        expect(entry.pendingAvailabilityUpdates).toBeGreaterThanOrEqual(0);
        expect(entry.heldAvailabilityUpdates).toBeGreaterThanOrEqual(0);
      }

      const one = await client.getAdapterStatus({ channelAccountId: harness.accounts[1] });
      expect(one.accounts.map((entry) => entry.channelAccountId)).toEqual([harness.accounts[1]]);
      await expectStatus(client.getAdapterStatus({ channelAccountId: UNKNOWN_ACCOUNT }), GrpcStatus.NOT_FOUND, new RegExp(UNKNOWN_ACCOUNT));
    });

    it('PushAvailability applies the quantity: ACCEPTED, on the channel, and read back by GetListingState', async () => {
      await harness.seedListing('CONF-APPLY', 2);
      expect(outcomes(await push(['CONF-APPLY', 1, 7]))).toEqual([{ sku: 'CONF-APPLY', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 1 }]);
      expect((await channelShows('CONF-APPLY', 7)).applied).toEqual([7]);

      const { states } = await client.getListingState({ channelAccountId: account, skus: ['CONF-APPLY'] });
      expect(states).toMatchObject([{ sku: 'CONF-APPLY', listed: true, availableQuantity: 7 }]);
    });

    it('PushAvailability of a version already pushed answers ACCEPTED and changes nothing on the channel', async () => {
      await harness.seedListing('CONF-REPEAT', 0);
      expect(outcomes(await push(['CONF-REPEAT', 4, 5]))).toEqual([{ sku: 'CONF-REPEAT', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 4 }]);
      await channelShows('CONF-REPEAT', 5);
      for (let repeat = 0; repeat < 2; repeat++) {
        expect(outcomes(await push(['CONF-REPEAT', 4, 5]))).toEqual([{ sku: 'CONF-REPEAT', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 4 }]);
      }
      expect((await listing('CONF-REPEAT')).applied).toEqual([5]);
    });

    it('never sends an older version after a newer one, in separate calls or within one (STALE with the version the channel has)', async () => {
      await harness.seedListing('CONF-STALE', 0);
      expect(outcomes(await push(['CONF-STALE', 3, 30]))).toEqual([{ sku: 'CONF-STALE', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 3 }]);
      await channelShows('CONF-STALE', 30);
      expect(outcomes(await push(['CONF-STALE', 2, 20]))).toEqual([{ sku: 'CONF-STALE', outcome: 'PUSH_OUTCOME_STALE', version: 3 }]);
      expect(outcomes(await push(['CONF-STALE', 5, 50], ['CONF-STALE', 4, 40]))).toEqual([
        { sku: 'CONF-STALE', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 5 },
        { sku: 'CONF-STALE', outcome: 'PUSH_OUTCOME_STALE', version: 5 },
      ]);
      expect((await channelShows('CONF-STALE', 50)).applied).toEqual([30, 50]);
    });

    it('answers one result per update in request order; a SKU without listing is NOT_LISTED and never reaches the channel', async () => {
      await harness.seedListing('CONF-ORDERED', 0);
      expect(outcomes(await push(['CONF-UNLISTED', 1, 3], ['CONF-ORDERED', 1, 8]))).toEqual([
        { sku: 'CONF-UNLISTED', outcome: 'PUSH_OUTCOME_NOT_LISTED', version: 0 },
        { sku: 'CONF-ORDERED', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 1 },
      ]);
      expect(await harness.listing('CONF-UNLISTED')).toBeUndefined();
      await channelShows('CONF-ORDERED', 8);
    });

    it('GetListingState answers what the channel holds, in request order, also for quantities set behind the adapter', async () => {
      await harness.seedListing('CONF-SEEDED', 13);
      const { states } = await client.getListingState({ channelAccountId: account, skus: ['CONF-NOWHERE', 'CONF-SEEDED'] });
      expect(states).toMatchObject([
        { sku: 'CONF-NOWHERE', listed: false, availableQuantity: 0 },
        { sku: 'CONF-SEEDED', listed: true, availableQuantity: 13 },
      ]);
      expect((await listing('CONF-SEEDED')).applied).toEqual([]);
    });

    const faults = [
      { name: 'a storm of 429s', rule: { type: 'rateLimit' as const, count: 3 }, sku: 'CONF-THROTTLED' },
      { name: '5xx answers', rule: { type: 'serverError' as const, status: 503, count: 3 }, sku: 'CONF-5XX' },
    ];
    it.each(faults)('PushAvailability retries $name from the channel and converges, sending the quantity once', async ({ rule, sku }) => {
      await harness.seedListing(sku, 0);
      await harness.sandbox.setFaults({ ...rule, operation: fixture.pushOperation });
      try {
        const [result] = (await push([sku, 1, 9])).results;
        // Within the call's wait or still queued: both are answers of the contract, and it converges either way.
        expect([PushOutcome.PUSH_OUTCOME_ACCEPTED, PushOutcome.PUSH_OUTCOME_FAILED]).toContain(result.outcome);
        await channelShows(sku, 9);
        expect((await harness.sandbox.faults()).map((fault) => fault.fired)).toEqual([rule.count]);
      } finally {
        await harness.sandbox.clearFaults();
      }
      expect(outcomes(await push([sku, 1, 9]))).toEqual([{ sku, outcome: 'PUSH_OUTCOME_ACCEPTED', version: 1 }]);
      expect((await listing(sku)).applied).toEqual([9]);
    });

    it('AcknowledgeOrder is applied on the channel and read back by GetOrderState; a repeat has no second effect', async () => {
      await harness.seedListing('CONF-ACK', 5);
      const order = await harness.seedOrder([{ sku: 'CONF-ACK', quantity: 1 }]);
      expect((await orderStatus(order.channelOrderId)).status).toBe('CHANNEL_ORDER_STATUS_OPEN');
      const request = {
        idempotencyKey: 'ord-conf-ack/ack',
        channelAccountId: account,
        channelOrderId: order.channelOrderId,
        orderId: 'ord-conf-ack',
        erpOrderId: 'SO-CONF-ACK',
      };

      expect((await client.acknowledgeOrder(request)).acknowledgedAt).toBeTruthy();
      const acknowledgements = (await harness.order(order.channelOrderId)).acknowledgements;
      expect(acknowledgements).toEqual([expect.stringContaining('SO-CONF-ACK')]);
      expect((await orderStatus(order.channelOrderId)).status).toBe('CHANNEL_ORDER_STATUS_ACKNOWLEDGED');

      expect((await client.acknowledgeOrder(request)).acknowledgedAt).toBeTruthy();
      expect((await harness.order(order.channelOrderId)).acknowledgements).toEqual(acknowledgements);
    });

    it('ConfirmShipment is applied with carrier and tracking and read back; a repeat has no second effect; a shipped order cannot be cancelled', async () => {
      await harness.seedListing('CONF-SHIP', 5);
      const order = await harness.seedOrder([{ sku: 'CONF-SHIP', quantity: 2 }]);
      const [line] = order.lines;
      const request = channelV1.ConfirmShipmentRequest.fromPartial({
        idempotencyKey: 'SHIP-CONF-1',
        channelAccountId: account,
        channelOrderId: order.channelOrderId,
        orderId: 'ord-conf-ship',
        shipment: {
          shipmentId: 'SHIP-CONF-1',
          carrier: 'UPS',
          serviceLevel: 'Ground',
          trackingNumber: '1Z999AA10123456784',
          lines: [{ lineId: 'L1', channelLineId: line.channelLineId, sku: line.sku, quantity: line.quantity }],
          shippedAt: toTimestamp(new Date()),
        },
      });

      const { channelFulfillmentId } = await client.confirmShipment(request);
      expect(channelFulfillmentId).toMatch(/\S/);
      expect((await harness.order(order.channelOrderId)).shipments).toEqual([{ trackingNumbers: ['1Z999AA10123456784'], units: 2 }]);
      const state = await orderStatus(order.channelOrderId);
      expect(state.status).toBe('CHANNEL_ORDER_STATUS_SHIPPED');
      if (fixture.orderStateTracking) expect(state.trackingNumbers).toEqual(['1Z999AA10123456784']);

      expect(await client.confirmShipment(request)).toEqual({ channelFulfillmentId });
      expect((await harness.order(order.channelOrderId)).shipments).toHaveLength(1);

      await expectStatus(
        client.cancelOrder({
          idempotencyKey: 'ord-conf-ship/cancel',
          channelAccountId: account,
          channelOrderId: order.channelOrderId,
          orderId: 'ord-conf-ship',
          reason: ordersV1.CancelReason.CANCEL_REASON_CUSTOMER_REQUEST,
          lines: [],
          note: '',
          notifyCustomer: false,
        }),
        GrpcStatus.FAILED_PRECONDITION,
      );
      expect((await harness.order(order.channelOrderId)).cancelled).toBe(false);
    });

    it('CancelOrder is applied on the channel and read back by GetOrderState; a repeat has no second effect', async () => {
      await harness.seedListing('CONF-CANCEL', 5);
      const order = await harness.seedOrder([{ sku: 'CONF-CANCEL', quantity: 1 }]);
      const request = {
        idempotencyKey: 'ord-conf-cancel/cancel',
        channelAccountId: account,
        channelOrderId: order.channelOrderId,
        orderId: 'ord-conf-cancel',
        reason: ordersV1.CancelReason.CANCEL_REASON_OUT_OF_STOCK,
        lines: [],
        note: 'conformance',
        notifyCustomer: false,
      };

      expect((await client.cancelOrder(request)).cancelledAt).toBeTruthy();
      const onChannel = await harness.order(order.channelOrderId);
      expect(onChannel.cancelled).toBe(true);
      expect(onChannel.cancellations).toBeGreaterThan(0);
      expect((await orderStatus(order.channelOrderId)).status).toBe('CHANNEL_ORDER_STATUS_CANCELLED');

      expect((await client.cancelOrder(request)).cancelledAt).toBeTruthy();
      expect((await harness.order(order.channelOrderId)).cancellations).toBe(onChannel.cancellations);
    });

    it('order calls for an order the channel does not know answer NOT_FOUND; GetOrderState says NOT_FOUND', async () => {
      const requests = validRequests(account, fixture.unknownOrderId);
      for (const method of ['acknowledgeOrder', 'confirmShipment', 'cancelOrder'] as const) {
        const answer = await answerOf(call(client, method, requests[method]));
        expect({ method, ...answer }).toEqual({ method, code: 'NOT_FOUND', details: expect.stringContaining(fixture.unknownOrderId) });
      }
      expect(await orderStatus(fixture.unknownOrderId)).toMatchObject({
        channelOrderId: fixture.unknownOrderId,
        status: 'CHANNEL_ORDER_STATUS_NOT_FOUND',
      });
    });

    it('answers INVALID_ARGUMENT for a missing account and NOT_FOUND for an account it does not serve, naming it', async () => {
      for (const method of ACCOUNT_METHODS) {
        const unimplemented = fixture.unimplemented.includes(method);
        const missing = await answerOf(call(client, method, validRequests('', fixture.unknownOrderId)[method]));
        const unknown = await answerOf(call(client, method, validRequests(UNKNOWN_ACCOUNT, fixture.unknownOrderId)[method]));
        expect({ method, missing, unknown }).toEqual({
          method,
          missing: unimplemented
            ? { code: 'UNIMPLEMENTED', details: expect.any(String) }
            : { code: 'INVALID_ARGUMENT', details: expect.stringContaining('channel_account_id') },
          unknown: unimplemented
            ? { code: 'UNIMPLEMENTED', details: expect.any(String) }
            : { code: 'NOT_FOUND', details: expect.stringContaining(UNKNOWN_ACCOUNT) },
        });
      }
    });

    it('answers INVALID_ARGUMENT naming the field for invalid updates and orders, and stores nothing of a refused call', async () => {
      const invalid = async (sku: string, availableQuantity: number, version: number, field: RegExp) =>
        expectStatus(
          client.pushAvailability({ channelAccountId: account, updates: [{ sku, availableQuantity, version }] }),
          GrpcStatus.INVALID_ARGUMENT,
          field,
        );
      await invalid('CONF-INVALID', -1, 1, /available_quantity.*CONF-INVALID|CONF-INVALID.*available_quantity/);
      await invalid('CONF-INVALID', 1, 0, /version/);
      await invalid('', 1, 1, /sku/);

      await harness.seedListing('CONF-BATCH', 1);
      await expectStatus(push(['CONF-BATCH', 1, 4], ['CONF-BATCH-OTHER', 1, -1]), GrpcStatus.INVALID_ARGUMENT, /available_quantity/);
      // Version 1 of CONF-BATCH was not stored: sent again with another quantity it is new, not a repeat.
      expect(outcomes(await push(['CONF-BATCH', 1, 6]))).toEqual([{ sku: 'CONF-BATCH', outcome: 'PUSH_OUTCOME_ACCEPTED', version: 1 }]);
      expect((await channelShows('CONF-BATCH', 6)).applied).toEqual([6]);

      const orders = validRequests(account, fixture.unknownOrderId);
      await expectStatus(
        client.acknowledgeOrder({ ...(orders.acknowledgeOrder as channelV1.AcknowledgeOrderRequest), channelOrderId: '' }),
        GrpcStatus.INVALID_ARGUMENT,
        /channel_order_id/,
      );
      await expectStatus(
        client.confirmShipment({ ...(orders.confirmShipment as channelV1.ConfirmShipmentRequest), shipment: null }),
        GrpcStatus.INVALID_ARGUMENT,
        /shipment/,
      );
    });

    it('answers every method without hanging and never INTERNAL; the methods not implemented yet UNIMPLEMENTED, naming the method', async () => {
      const requests = validRequests(account, fixture.unknownOrderId);
      for (const method of METHODS) {
        const answer = await answerOf(call(client, method, requests[method]));
        expect({ method, code: answer.code }).not.toMatchObject({ code: expect.stringMatching(/^(INTERNAL|UNKNOWN|DEADLINE_EXCEEDED)$/) });
        if (fixture.unimplemented.includes(method)) {
          expect({ method, ...answer }).toEqual({ method, code: 'UNIMPLEMENTED', details: expect.stringContaining(pascalCase(method)) });
        } else {
          expect({ method, code: answer.code }).not.toEqual({ method, code: 'UNIMPLEMENTED' });
        }
      }
    });

    it('GetAdapterStatus counts pending and held availability updates as the pending_updates metric does, and shows a failing channel', async () => {
      await harness.seedListing('CONF-PENDING', 0);
      const heldBefore = (await accountStatus(account)).heldAvailabilityUpdates;
      expect(outcomes(await push(['CONF-PENDING-UNLISTED', 1, 2]))).toMatchObject([{ outcome: 'PUSH_OUTCOME_NOT_LISTED' }]);

      await harness.sandbox.setFaults({ type: 'serverError', status: 500, operation: fixture.pushOperation });
      try {
        const [queued] = (await push(['CONF-PENDING', 1, 4])).results;
        expect(queued).toMatchObject({ outcome: PushOutcome.PUSH_OUTCOME_FAILED, message: expect.stringMatching(/\S/) });
        const failing = await waitFor(
          async () => {
            const current = await accountStatus(account);
            return current.pendingAvailabilityUpdates === 1 && current.health !== AccountHealth.ACCOUNT_HEALTH_HEALTHY && current;
          },
          { description: 'the account to show one pending update and not be healthy' },
        );
        expect(failing).toMatchObject({ heldAvailabilityUpdates: heldBefore + 1, lastError: expect.stringMatching(/\S/) });
        expect(await pendingGauge('waiting')).toBe(1);
        expect(await pendingGauge('held')).toBe(heldBefore + 1);
      } finally {
        await harness.sandbox.clearFaults();
      }

      await channelShows('CONF-PENDING', 4);
      const recovered = await waitFor(
        async () => {
          const current = await accountStatus(account);
          return current.pendingAvailabilityUpdates === 0 && current.health === AccountHealth.ACCOUNT_HEALTH_HEALTHY && current;
        },
        { description: 'the account to be healthy with nothing pending' },
      );
      expect(recovered.heldAvailabilityUpdates).toBe(await pendingGauge('held'));
      expect(await pendingGauge('waiting')).toBe(0);
      expect(await accountStatus(harness.accounts[1])).toMatchObject({ pendingAvailabilityUpdates: 0, heldAvailabilityUpdates: 0 });
    });
  });
}
