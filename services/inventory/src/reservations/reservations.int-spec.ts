// Reservations end to end through gRPC: they lower every channel's availability at once (with an
// availability_changed following), releases and shipments give units back, repeats have no second
// effect, and concurrent reservations of the last units never hold more than is on hand. Runs on
// PostgreSQL + RabbitMQ (distributed mode) and on SQLite + the in-process bus (embedded mode).
import { status as GrpcStatus } from '@grpc/grpc-js';
import { grpcServices, inventoryV1, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { createGrpcClient, errorReasonOf, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { listenToAvailabilityChanges } from '../testing/availability-listener.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryService } from '../inventory.definition.js';

const { ReservationStatus } = inventoryV1;

describe.each(SERVICE_TEST_MODES)('inventory reservations on $name', ({ mode }) => {
  let testBed: ServiceTestBed;
  let service: RunningService;
  let client: GrpcClient<inventoryV1.InventoryServiceClient>;
  const received: inventoryEventsV1.AvailabilityChanged[] = [];
  let stockVersion = 0;

  beforeAll(async () => {
    testBed = await createServiceTestBed(inventoryService, { mode, settings: { INVENTORY_COALESCE_WINDOW_MS: '5' } });
    await listenToAvailabilityChanges(testBed.bus, 'test.availability', (change) => received.push(change.payload));
    service = await testBed.start();
    client = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, service.grpcUrl);
    // Three accounts that see different locations: shop-eu the warehouses (safety stock 2),
    // amazon-us every location, walmart-us only WH-2.
    await upsertPolicy({ channelAccountId: 'shop-eu', channel: 'shopify', safetyStock: 2, eligibleLocationIds: ['WH-1', 'WH-2'] });
    await upsertPolicy({ channelAccountId: 'amazon-us', channel: 'amazon', safetyStock: 0, eligibleLocationIds: [] });
    await upsertPolicy({ channelAccountId: 'walmart-us', channel: 'walmart', safetyStock: 0, eligibleLocationIds: ['WH-2'] });
  });

  afterAll(async () => {
    client?.close();
    await testBed?.close();
  });

  function upsertPolicy(policy: Partial<inventoryV1.ChannelPolicy>): Promise<inventoryV1.UpsertChannelPolicyResponse> {
    return client.upsertChannelPolicy({ policy: inventoryV1.ChannelPolicy.fromPartial(policy) });
  }

  async function setStock(sku: string, locationId: string, onHand: number): Promise<void> {
    stockVersion += 1;
    await client.setStockPosition({ sku, locationId, onHand, version: stockVersion, sourceChangeId: '', changedAt: undefined });
  }

  function reserve(
    orderId: string,
    channelAccountId: string,
    lines: Array<[lineId: string, sku: string, quantity: number]>,
    options: { idempotencyKey?: string; requestedLocationId?: string } = {},
  ): Promise<inventoryV1.ReserveStockResponse> {
    return client.reserveStock({
      idempotencyKey: options.idempotencyKey ?? orderId,
      orderId,
      channelAccountId,
      channel: '',
      lines: lines.map(([lineId, sku, quantity]) => ({ lineId, sku, quantity })),
      requestedLocationId: options.requestedLocationId ?? '',
    });
  }

  type ReserveArgs = Parameters<typeof reserve>;

  function reserveBatch(requests: ReserveArgs[]): Promise<inventoryV1.ReserveStockBatchResponse> {
    return client.reserveStockBatch({
      requests: requests.map(([orderId, channelAccountId, lines, options = {}]) => ({
        idempotencyKey: options.idempotencyKey ?? orderId,
        orderId,
        channelAccountId,
        channel: '',
        lines: lines.map(([lineId, sku, quantity]) => ({ lineId, sku, quantity })),
        requestedLocationId: options.requestedLocationId ?? '',
      })),
    });
  }

  async function reservedUnits(sku: string): Promise<{ reserved: number; onHand: number }> {
    const { positions } = await client.listStockPositions({ skus: [sku], locationId: '', page: undefined });
    for (const position of positions) expect(position.reserved).toBeLessThanOrEqual(position.onHand);
    return {
      reserved: positions.reduce((sum, position) => sum + position.reserved, 0),
      onHand: positions.reduce((sum, position) => sum + position.onHand, 0),
    };
  }

  async function available(channelAccountId: string, sku: string): Promise<number> {
    const { availability } = await client.getAvailability({ channelAccountId, sku });
    return availability?.availableQuantity ?? Number.NaN;
  }

  /** Waits until the last availability_changed of the key carries `quantity`; returns its version. */
  async function waitForPublished(channelAccountId: string, sku: string, quantity: number): Promise<number> {
    const event = await waitFor(
      () => {
        const events = received.filter((event) => event.channelAccountId === channelAccountId && event.sku === sku);
        const last = events.reduce<inventoryEventsV1.AvailabilityChanged | undefined>(
          (newest, event) => (newest === undefined || event.version > newest.version ? event : newest),
          undefined,
        );
        return last?.availableQuantity === quantity ? last : undefined;
      },
      { description: `availability_changed ${channelAccountId}/${sku} = ${quantity}` },
    );
    return event.version;
  }

  async function grpcError(call: Promise<unknown>): Promise<{ code: number; reason: string | undefined }> {
    const error = await call.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeDefined();
    return { code: (error as { code: number }).code, reason: errorReasonOf(error) };
  }

  it('lowers the availability of every channel that sees the location at once, and a release gives it back', async () => {
    await setStock('SKU-A', 'WH-1', 10);
    await setStock('SKU-A', 'WH-2', 4);
    const shopVersion = await waitForPublished('shop-eu', 'SKU-A', 12);
    await waitForPublished('amazon-us', 'SKU-A', 14);
    await waitForPublished('walmart-us', 'SKU-A', 4);
    const reservedBefore = await scrapeMetric(service, 'retail_mesh_inventory_reservations_total', { outcome: 'reserved' });

    // An Amazon order: WH-1 has the most units and covers the line alone.
    const { reservation, shortages, created } = await reserve('order-a1', 'amazon-us', [['l1', 'SKU-A', 3]]);
    expect(created).toBe(true);
    expect(shortages).toEqual([]);
    expect(reservation).toMatchObject({
      orderId: 'order-a1',
      channelAccountId: 'amazon-us',
      channel: 'amazon',
      status: ReservationStatus.RESERVATION_STATUS_ACTIVE,
      version: 1,
      lines: [{ lineId: 'l1', sku: 'SKU-A', locationId: 'WH-1', quantity: 3, releasedQuantity: 0, consumedQuantity: 0 }],
    });

    // Shopify shows 14 - 3 - 2, Amazon 14 - 3; Walmart sees only WH-2 and keeps its 4.
    expect(await waitForPublished('shop-eu', 'SKU-A', 9)).toBe(shopVersion + 1);
    await waitForPublished('amazon-us', 'SKU-A', 11);
    expect(await available('walmart-us', 'SKU-A')).toBe(4);
    const { availability } = await client.getAvailability({ channelAccountId: 'shop-eu', sku: 'SKU-A' });
    expect(availability?.explanation).toMatchObject({
      locations: [
        { locationId: 'WH-1', onHand: 10, reserved: 3 },
        { locationId: 'WH-2', onHand: 4, reserved: 0 },
      ],
      reserved: 3,
      sellable: 9,
    });
    const { positions } = await client.listStockPositions({ skus: ['SKU-A'], locationId: '', page: undefined });
    expect(positions.map((position) => [position.locationId, position.onHand, position.reserved])).toEqual([
      ['WH-1', 10, 3],
      ['WH-2', 4, 0],
    ]);
    expect(await scrapeMetric(service, 'retail_mesh_inventory_reservations_total', { outcome: 'reserved' })).toBe(reservedBefore + 1);

    const released = await client.releaseReservation({
      reservationId: reservation!.reservationId,
      lines: [],
      reason: 'order cancelled',
      releaseId: '',
    });
    expect(released.reservation).toMatchObject({
      status: ReservationStatus.RESERVATION_STATUS_RELEASED,
      version: 2,
      lines: [{ quantity: 3, releasedQuantity: 3, consumedQuantity: 0 }],
    });
    await waitForPublished('shop-eu', 'SKU-A', 12);
    await waitForPublished('amazon-us', 'SKU-A', 14);

    // Releasing what is released is a no-op: no new version.
    const again = await client.releaseReservation({ reservationId: reservation!.reservationId, lines: [], reason: '', releaseId: '' });
    expect(again.reservation).toMatchObject({ status: ReservationStatus.RESERVATION_STATUS_RELEASED, version: 2 });
  });

  it('consumes shipped units in parts, once per shipment, never more than held', async () => {
    await setStock('SKU-C', 'WH-1', 8);
    await waitForPublished('amazon-us', 'SKU-C', 8);
    const { reservation } = await reserve('order-c1', 'shop-eu', [
      ['l1', 'SKU-C', 5],
      ['l2', 'SKU-C', 1],
    ]);
    const reservationId = reservation!.reservationId;
    await waitForPublished('amazon-us', 'SKU-C', 2);

    const first = await client.consumeReservation({
      reservationId,
      lines: [{ lineId: 'l1', quantity: 2 }],
      shipmentId: 'ship-1',
      erpVersion: 0,
    });
    expect(first.reservation).toMatchObject({
      status: ReservationStatus.RESERVATION_STATUS_ACTIVE,
      version: 2,
      lines: [
        { lineId: 'l1', quantity: 5, consumedQuantity: 2 },
        { lineId: 'l2', quantity: 1, consumedQuantity: 0 },
      ],
    });
    // On hand stays the ERP's figure: the shipped units stop being held but still count until the
    // ERP's stock feed lowers on hand (ADR 0005), so availability does not rise.
    expect(await available('amazon-us', 'SKU-C')).toBe(2);

    const repeatsBefore = await scrapeMetric(service, 'retail_mesh_inventory_reservation_changes_total', {
      operation: 'consume',
      outcome: 'repeated',
    });
    const repeat = await client.consumeReservation({
      reservationId,
      lines: [{ lineId: 'l1', quantity: 2 }],
      shipmentId: 'ship-1',
      erpVersion: 0,
    });
    expect(repeat.reservation).toMatchObject({ version: 2, lines: [{ lineId: 'l1', consumedQuantity: 2 }, { consumedQuantity: 0 }] });
    expect(
      await scrapeMetric(service, 'retail_mesh_inventory_reservation_changes_total', { operation: 'consume', outcome: 'repeated' }),
    ).toBe(repeatsBefore + 1);
    expect(
      await grpcError(
        client.consumeReservation({ reservationId, lines: [{ lineId: 'l1', quantity: 1 }], shipmentId: 'ship-1', erpVersion: 0 }),
      ),
    ).toEqual({ code: GrpcStatus.ALREADY_EXISTS, reason: 'shipment_id_reused' });
    expect(
      await grpcError(
        client.consumeReservation({ reservationId, lines: [{ lineId: 'l1', quantity: 4 }], shipmentId: 'ship-2', erpVersion: 0 }),
      ),
    ).toEqual({ code: GrpcStatus.FAILED_PRECONDITION, reason: 'exceeds_held' });
    expect(
      await grpcError(
        client.consumeReservation({ reservationId, lines: [{ lineId: 'l9', quantity: 1 }], shipmentId: 'ship-2', erpVersion: 0 }),
      ),
    ).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, reason: 'unknown_line' });
    expect(
      await grpcError(
        client.consumeReservation({ reservationId, lines: [{ lineId: 'l1', quantity: 1 }], shipmentId: 'ship-2', erpVersion: -1 }),
      ),
    ).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, reason: 'invalid_erp_version' });

    // A partial release (line cancelled), then the rest ships.
    const cancelled = await client.releaseReservation({
      reservationId,
      lines: [{ lineId: 'l2', quantity: 1 }],
      reason: 'line cancelled',
      releaseId: 'cancel-l2',
    });
    expect(cancelled.reservation).toMatchObject({ version: 3, lines: [{ releasedQuantity: 0 }, { lineId: 'l2', releasedQuantity: 1 }] });
    const cancelledAgain = await client.releaseReservation({
      reservationId,
      lines: [{ lineId: 'l2', quantity: 1 }],
      reason: 'line cancelled',
      releaseId: 'cancel-l2',
    });
    expect(cancelledAgain.reservation?.version).toBe(3);
    const rest = await client.consumeReservation({ reservationId, lines: [], shipmentId: 'ship-2', erpVersion: 0 });
    expect(rest.reservation).toMatchObject({
      status: ReservationStatus.RESERVATION_STATUS_CONSUMED,
      version: 4,
      lines: [
        { lineId: 'l1', quantity: 5, releasedQuantity: 0, consumedQuantity: 5 },
        { lineId: 'l2', quantity: 1, releasedQuantity: 1, consumedQuantity: 0 },
      ],
    });
    // 5 shipped, 1 released: 8 - 5 until the ERP's stock change says so itself.
    await waitForPublished('amazon-us', 'SKU-C', 3);
    await setStock('SKU-C', 'WH-1', 3);
    const { availability } = await client.getAvailability({ channelAccountId: 'amazon-us', sku: 'SKU-C' });
    expect(availability).toMatchObject({ availableQuantity: 3, explanation: { onHand: 3, reserved: 0 } });
    const { reservation: byOrder } = await client.getReservation({ orderId: 'order-c1' });
    expect(byOrder).toEqual(rest.reservation);
  });

  it('answers a repeated key with the original reservation, and retries a rejected one', async () => {
    await setStock('SKU-I', 'WH-2', 2);
    await waitForPublished('amazon-us', 'SKU-I', 2);
    const first = await reserve('order-i1', 'walmart-us', [['l1', 'SKU-I', 2]]);
    const repeat = await reserve('order-i1', 'walmart-us', [['l1', 'SKU-I', 2]]);
    expect(repeat).toEqual({ ...first, created: false });
    expect(await available('amazon-us', 'SKU-I')).toBe(0);

    expect(await grpcError(reserve('order-i1', 'walmart-us', [['l1', 'SKU-I', 1]]))).toEqual({
      code: GrpcStatus.ALREADY_EXISTS,
      reason: 'idempotency_key_reused',
    });
    expect(await grpcError(reserve('order-i1', 'walmart-us', [['l1', 'SKU-I', 2]], { idempotencyKey: 'other-key' }))).toEqual({
      code: GrpcStatus.ALREADY_EXISTS,
      reason: 'order_already_reserved',
    });

    // Nothing left: rejected with the shortage, holding nothing.
    const rejected = await reserve('order-i2', 'amazon-us', [['l1', 'SKU-I', 1]]);
    expect(rejected).toMatchObject({
      created: true,
      reservation: { status: ReservationStatus.RESERVATION_STATUS_REJECTED, version: 1, lines: [] },
      shortages: [{ lineId: 'l1', sku: 'SKU-I', requestedQuantity: 1, reservableQuantity: 0 }],
    });
    const stillShort = await reserve('order-i2', 'amazon-us', [['l1', 'SKU-I', 1]]);
    expect(stillShort).toMatchObject({
      created: false,
      reservation: { status: ReservationStatus.RESERVATION_STATUS_REJECTED, version: 1 },
    });
    expect(
      await grpcError(
        client.consumeReservation({ reservationId: rejected.reservation!.reservationId, lines: [], shipmentId: 'ship-x', erpVersion: 0 }),
      ),
    ).toEqual({ code: GrpcStatus.FAILED_PRECONDITION, reason: 'reservation_rejected' });

    // Stock arrives; the same key is tried again and now holds the unit.
    await setStock('SKU-I', 'STORE-9', 1);
    const retried = await reserve('order-i2', 'amazon-us', [['l1', 'SKU-I', 1]]);
    expect(retried).toMatchObject({
      created: false,
      shortages: [],
      reservation: {
        reservationId: rejected.reservation?.reservationId,
        status: ReservationStatus.RESERVATION_STATUS_ACTIVE,
        version: 2,
        lines: [{ locationId: 'STORE-9', quantity: 1 }],
      },
    });

    // A rejected reservation that is released (order cancelled) is closed: a retry does not reserve.
    const cancelled = await reserve('order-i3', 'amazon-us', [['l1', 'SKU-I', 1]]);
    expect(cancelled.reservation?.status).toBe(ReservationStatus.RESERVATION_STATUS_REJECTED);
    await client.releaseReservation({ reservationId: cancelled.reservation!.reservationId, lines: [], reason: 'cancelled', releaseId: '' });
    await setStock('SKU-I', 'STORE-9', 5);
    const afterCancel = await reserve('order-i3', 'amazon-us', [['l1', 'SKU-I', 1]]);
    expect(afterCancel).toMatchObject({
      created: false,
      reservation: { status: ReservationStatus.RESERVATION_STATUS_RELEASED, lines: [] },
    });
  });

  it('retries a rejected reservation with the order’s new lines, but keeps an active one’s', async () => {
    await setStock('SKU-N', 'WH-1', 2);
    await setStock('SKU-M', 'WH-1', 1);
    await waitForPublished('amazon-us', 'SKU-N', 2);
    const rejected = await reserve('order-n1', 'amazon-us', [
      ['l1', 'SKU-N', 3],
      ['l2', 'SKU-M', 1],
    ]);
    expect(rejected).toMatchObject({
      reservation: { status: ReservationStatus.RESERVATION_STATUS_REJECTED, version: 1, lines: [] },
      shortages: [{ lineId: 'l1', requestedQuantity: 3, reservableQuantity: 2 }],
    });

    // Line l2 was cancelled: still short of the same units, but the request changed (a new version).
    const stillShort = await reserve('order-n1', 'amazon-us', [['l1', 'SKU-N', 3]]);
    expect(stillShort).toMatchObject({
      created: false,
      reservation: { status: ReservationStatus.RESERVATION_STATUS_REJECTED, version: 2 },
      shortages: [{ lineId: 'l1', requestedQuantity: 3, reservableQuantity: 2 }],
    });
    // A unit of l1 was cancelled too: what is left fits.
    const reserved = await reserve('order-n1', 'amazon-us', [['l1', 'SKU-N', 2]]);
    expect(reserved).toMatchObject({
      created: false,
      shortages: [],
      reservation: {
        reservationId: rejected.reservation?.reservationId,
        status: ReservationStatus.RESERVATION_STATUS_ACTIVE,
        version: 3,
        lines: [{ lineId: 'l1', sku: 'SKU-N', locationId: 'WH-1', quantity: 2 }],
      },
    });
    await waitForPublished('amazon-us', 'SKU-N', 0);
    // SKU-M was never held: its availability stays.
    expect(await available('amazon-us', 'SKU-M')).toBe(1);

    // The new lines are now the request: repeating them is a plain repeat; an active reservation keeps its lines.
    expect(await reserve('order-n1', 'amazon-us', [['l1', 'SKU-N', 2]])).toEqual({ ...reserved, created: false });
    expect(await grpcError(reserve('order-n1', 'amazon-us', [['l1', 'SKU-N', 1]]))).toEqual({
      code: GrpcStatus.ALREADY_EXISTS,
      reason: 'idempotency_key_reused',
    });
    // Other lines never make the key usable for another order or channel account.
    const other = await reserve('order-n2', 'amazon-us', [['l1', 'SKU-N', 1]]);
    expect(other.reservation?.status).toBe(ReservationStatus.RESERVATION_STATUS_REJECTED);
    expect(await grpcError(reserve('order-n3', 'amazon-us', [['l1', 'SKU-N', 1]], { idempotencyKey: 'order-n2' }))).toEqual({
      code: GrpcStatus.ALREADY_EXISTS,
      reason: 'idempotency_key_reused',
    });
    expect(await grpcError(reserve('order-n2', 'walmart-us', [['l1', 'SKU-M', 1]]))).toEqual({
      code: GrpcStatus.ALREADY_EXISTS,
      reason: 'idempotency_key_reused',
    });
  });

  it('reserves only at the requested location, and not at all when it is not eligible', async () => {
    await setStock('SKU-L', 'WH-1', 20);
    await setStock('SKU-L', 'WH-2', 3);
    await setStock('SKU-L', 'STORE-9', 6);
    await waitForPublished('amazon-us', 'SKU-L', 29);

    const atWh2 = await reserve('order-l1', 'shop-eu', [['l1', 'SKU-L', 2]], { requestedLocationId: 'WH-2' });
    expect(atWh2.reservation?.lines).toEqual([expect.objectContaining({ locationId: 'WH-2', quantity: 2 })]);
    // WH-2 has 1 left; the 20 at WH-1 do not count for a request at WH-2.
    const short = await reserve('order-l2', 'shop-eu', [['l1', 'SKU-L', 2]], { requestedLocationId: 'WH-2' });
    expect(short.shortages).toEqual([{ lineId: 'l1', sku: 'SKU-L', requestedQuantity: 2, reservableQuantity: 1 }]);
    // STORE-9 is not eligible for shop-eu: a shortage, although it has stock.
    const ineligible = await reserve('order-l3', 'shop-eu', [['l1', 'SKU-L', 1]], { requestedLocationId: 'STORE-9' });
    expect(ineligible).toMatchObject({
      reservation: { status: ReservationStatus.RESERVATION_STATUS_REJECTED },
      shortages: [{ lineId: 'l1', requestedQuantity: 1, reservableQuantity: 0 }],
    });
    // Without a request, a line no location covers alone is split, largest first.
    const split = await reserve('order-l4', 'amazon-us', [['l1', 'SKU-L', 24]]);
    expect(split.reservation?.lines.map((line) => [line.locationId, line.quantity])).toEqual([
      ['STORE-9', 4],
      ['WH-1', 20],
    ]);
    await waitForPublished('amazon-us', 'SKU-L', 3);
  });

  it('answers bad requests with their status and reason', async () => {
    expect(await grpcError(reserve('order-x', 'nobody', [['l1', 'SKU-A', 1]]))).toEqual({
      code: GrpcStatus.NOT_FOUND,
      reason: 'channel_policy_not_found',
    });
    expect(
      await grpcError(
        client.reserveStock({
          idempotencyKey: 'k',
          orderId: 'order-x',
          channelAccountId: 'shop-eu',
          channel: 'amazon',
          lines: [{ lineId: 'l1', sku: 'SKU-A', quantity: 1 }],
          requestedLocationId: '',
        }),
      ),
    ).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, reason: 'channel_mismatch' });
    expect(await grpcError(reserve('order-x', 'shop-eu', [['l1', 'SKU-A', 0]]))).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: 'invalid_quantity',
    });
    expect(await grpcError(client.getReservation({ reservationId: '00000000-0000-4000-8000-000000000000' }))).toEqual({
      code: GrpcStatus.NOT_FOUND,
      reason: 'reservation_not_found',
    });
    expect(await grpcError(client.getReservation({ reservationId: 'not-a-uuid' }))).toEqual({
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: 'invalid_reservation_id',
    });
    expect(await grpcError(client.getReservation({}))).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, reason: 'missing_key' });
    expect(
      await grpcError(
        client.releaseReservation({
          reservationId: '00000000-0000-4000-8000-000000000000',
          lines: [{ lineId: 'l1', quantity: 1 }],
          reason: '',
          releaseId: '',
        }),
      ),
    ).toEqual({ code: GrpcStatus.INVALID_ARGUMENT, reason: 'missing_release_id' });
  });

  it('gives the last unit to exactly one of two concurrent orders from different channel accounts', async () => {
    // Ten SKUs with one unit each, two orders racing for each, all at once.
    const skus = Array.from({ length: 10 }, (_, index) => `SKU-LAST-${index}`);
    for (const sku of skus) await setStock(sku, 'WH-1', 1);
    const races = skus.map((sku) =>
      Promise.all([
        reserve(`order-${sku}-shop`, 'shop-eu', [['l1', sku, 1]]),
        reserve(`order-${sku}-amazon`, 'amazon-us', [['l1', sku, 1]]),
      ]),
    );
    for (const [sku, results] of (await Promise.all(races)).map((results, index) => [skus[index], results] as const)) {
      const statuses = results.map((result) => result.reservation?.status).sort();
      expect(statuses).toEqual([ReservationStatus.RESERVATION_STATUS_ACTIVE, ReservationStatus.RESERVATION_STATUS_REJECTED]);
      const loser = results.find((result) => result.reservation?.status === ReservationStatus.RESERVATION_STATUS_REJECTED);
      expect(loser?.shortages).toEqual([{ lineId: 'l1', sku, requestedQuantity: 1, reservableQuantity: 0 }]);
    }
  });

  it('never holds more than is on hand when many orders race for the same units', async () => {
    // RACE-B (12 units) is the bottleneck of every order; each order asks one RACE-A and one
    // RACE-B, half of them listing the SKUs the other way round (lock order must not depend on it).
    await setStock('SKU-RACE-A', 'WH-1', 15);
    await setStock('SKU-RACE-A', 'WH-2', 10);
    await setStock('SKU-RACE-B', 'WH-1', 7);
    await setStock('SKU-RACE-B', 'WH-2', 5);
    const orders = Array.from({ length: 40 }, (_, index) => {
      const lines: Array<[string, string, number]> = [
        ['a', 'SKU-RACE-A', 1],
        ['b', 'SKU-RACE-B', 1],
      ];
      return reserve(`order-race-${index}`, index % 2 === 0 ? 'shop-eu' : 'amazon-us', index % 4 < 2 ? lines : lines.reverse());
    });
    const results = await Promise.all(orders);

    const active = results.filter((result) => result.reservation?.status === ReservationStatus.RESERVATION_STATUS_ACTIVE);
    const rejected = results.filter((result) => result.reservation?.status === ReservationStatus.RESERVATION_STATUS_REJECTED);
    expect(active).toHaveLength(12);
    expect(rejected).toHaveLength(28);
    for (const result of rejected) {
      expect(result.shortages).toEqual([expect.objectContaining({ sku: 'SKU-RACE-B', reservableQuantity: 0 })]);
    }
    const { positions } = await client.listStockPositions({ skus: ['SKU-RACE-A', 'SKU-RACE-B'], locationId: '', page: undefined });
    for (const position of positions) expect(position.reserved).toBeLessThanOrEqual(position.onHand);
    const reservedOf = (sku: string) =>
      positions.filter((position) => position.sku === sku).reduce((sum, position) => sum + position.reserved, 0);
    expect(reservedOf('SKU-RACE-A')).toBe(12);
    expect(reservedOf('SKU-RACE-B')).toBe(12);
    await waitForPublished('amazon-us', 'SKU-RACE-B', 0);
    await waitForPublished('amazon-us', 'SKU-RACE-A', 13);
  });

  it('reserves a batch in request order, each request answered as ReserveStock would, refusals in their own results', async () => {
    await setStock('SKU-BATCH', 'WH-1', 5);
    await waitForPublished('amazon-us', 'SKU-BATCH', 5);
    const { results } = await reserveBatch([
      ['order-b1', 'shop-eu', [['l1', 'SKU-BATCH', 3]]],
      // Sees the 3 units order-b1 took: short.
      ['order-b2', 'amazon-us', [['l1', 'SKU-BATCH', 3]]],
      ['order-b3', 'amazon-us', [['l1', 'SKU-BATCH', 2]]],
      ['order-bx', 'nobody', [['l1', 'SKU-BATCH', 1]]],
      ['order-bx', 'shop-eu', [['l1', 'SKU-BATCH', 0]]],
      ['order-other', 'shop-eu', [['l1', 'SKU-BATCH', 1]], { idempotencyKey: 'order-b1' }],
      ['order-b3', 'walmart-us', [['l1', 'SKU-BATCH', 1]], { idempotencyKey: 'order-b3-again' }],
      // The same key again in the batch: the reservation order-b3 just got.
      ['order-b3', 'amazon-us', [['l1', 'SKU-BATCH', 2]]],
      // Two keys for one new order: the first in the batch takes it (nothing left: rejected).
      ['order-b4', 'shop-eu', [['l1', 'SKU-BATCH', 1]], { idempotencyKey: 'z-order-b4' }],
      ['order-b4', 'shop-eu', [['l1', 'SKU-BATCH', 1]], { idempotencyKey: 'a-order-b4' }],
    ]);
    expect(results.map((result) => result.response?.reservation?.status ?? result.error?.reason)).toEqual([
      ReservationStatus.RESERVATION_STATUS_ACTIVE,
      ReservationStatus.RESERVATION_STATUS_REJECTED,
      ReservationStatus.RESERVATION_STATUS_ACTIVE,
      'channel_policy_not_found',
      'invalid_quantity',
      'idempotency_key_reused',
      'order_already_reserved',
      ReservationStatus.RESERVATION_STATUS_ACTIVE,
      ReservationStatus.RESERVATION_STATUS_REJECTED,
      'order_already_reserved',
    ]);
    expect(results.map((result) => result.error?.code ?? null)).toEqual([
      null,
      null,
      null,
      GrpcStatus.NOT_FOUND,
      GrpcStatus.INVALID_ARGUMENT,
      GrpcStatus.ALREADY_EXISTS,
      GrpcStatus.ALREADY_EXISTS,
      null,
      null,
      GrpcStatus.ALREADY_EXISTS,
    ]);
    expect(results[1]!.response).toMatchObject({
      created: true,
      shortages: [{ lineId: 'l1', sku: 'SKU-BATCH', requestedQuantity: 3, reservableQuantity: 2 }],
    });
    expect(results[2]!.response).toMatchObject({
      created: true,
      reservation: { version: 1, lines: [{ lineId: 'l1', locationId: 'WH-1', quantity: 2, releasedQuantity: 0 }] },
    });
    expect(results[7]!.response).toEqual({ ...results[2]!.response, created: false });
    expect(await reservedUnits('SKU-BATCH')).toEqual({ reserved: 5, onHand: 5 });
    await waitForPublished('amazon-us', 'SKU-BATCH', 0);

    // The batch again: the reservations as they stand, nothing held twice; the rejected one is
    // evaluated again and now finds nothing left (a new version with the new shortage).
    const again = await reserveBatch([
      ['order-b1', 'shop-eu', [['l1', 'SKU-BATCH', 3]]],
      ['order-b2', 'amazon-us', [['l1', 'SKU-BATCH', 3]]],
      ['order-b3', 'amazon-us', [['l1', 'SKU-BATCH', 2]]],
    ]);
    expect(again.results[0]!.response).toEqual({ ...results[0]!.response, created: false });
    expect(again.results[1]!.response).toMatchObject({
      created: false,
      reservation: { reservationId: results[1]!.response!.reservation!.reservationId, version: 2, lines: [] },
      shortages: [{ lineId: 'l1', sku: 'SKU-BATCH', requestedQuantity: 3, reservableQuantity: 0 }],
    });
    expect(again.results[2]!.response).toEqual({ ...results[2]!.response, created: false });
    // The single call reads what the batch wrote.
    expect(await reserve('order-b1', 'shop-eu', [['l1', 'SKU-BATCH', 3]])).toEqual({ ...results[0]!.response, created: false });
    expect(await reservedUnits('SKU-BATCH')).toEqual({ reserved: 5, onHand: 5 });
  });

  it('never holds more than is on hand when batches race for the same units, and a batch repeated concurrently holds nothing twice', async () => {
    await setStock('SKU-BRACE-A', 'WH-1', 30);
    await setStock('SKU-BRACE-B', 'WH-1', 7);
    await setStock('SKU-BRACE-B', 'WH-2', 5);
    // Eight batches of five orders; batch i+4 repeats batch i (same keys, same requests) and is fired with it.
    const batch = (index: number): ReserveArgs[] =>
      Array.from({ length: 5 }, (_, position) => {
        const order = (index % 4) * 5 + position;
        const lines: Array<[string, string, number]> = [
          ['a', 'SKU-BRACE-A', 1],
          ['b', 'SKU-BRACE-B', 1],
        ];
        return [`order-brace-${order}`, order % 2 === 0 ? 'shop-eu' : 'amazon-us', order % 3 === 0 ? lines.reverse() : lines];
      });
    const responses = await Promise.all(Array.from({ length: 8 }, (_, index) => reserveBatch(batch(index))));
    const byOrder = new Map<string, inventoryV1.ReserveStockResponse[]>();
    for (const { results } of responses) {
      for (const result of results) {
        const response = result.response!;
        byOrder.set(response.reservation!.orderId, [...(byOrder.get(response.reservation!.orderId) ?? []), response]);
      }
    }
    expect(byOrder.size).toBe(20);
    for (const [orderId, [first, second]] of byOrder) {
      // Each order once created and once repeated, with the same reservation.
      expect([first!.created, second!.created].sort(), orderId).toEqual([false, true]);
      expect(second!.reservation!.reservationId).toBe(first!.reservation!.reservationId);
    }
    const statuses = [...byOrder.values()].map(([response]) => response!.reservation!.status);
    expect(statuses.filter((status) => status === ReservationStatus.RESERVATION_STATUS_ACTIVE)).toHaveLength(12);
    expect(await reservedUnits('SKU-BRACE-B')).toEqual({ reserved: 12, onHand: 12 });
    expect((await reservedUnits('SKU-BRACE-A')).reserved).toBe(12);
  });

  // Runs last: the tests above reserved, released, consumed, repeated and raced.
  it('keeps the units held per SKU x location equal to what the reservation lines still hold', async () => {
    const manager = service.dataSource.manager;
    const fromLines: Array<{ sku: string; location_id: string; quantity: string | number }> = await manager.query(
      `SELECT sku, location_id, SUM(quantity - released_quantity - consumed_quantity) AS quantity
       FROM reservation_line GROUP BY sku, location_id`,
    );
    const kept: Array<{ sku: string; location_id: string; quantity: string | number }> = await manager.query(
      'SELECT sku, location_id, quantity FROM reserved_stock',
    );
    const byKey = (rows: typeof kept) =>
      Object.fromEntries(
        rows.filter((row) => Number(row.quantity) !== 0).map((row) => [`${row.sku}@${row.location_id}`, Number(row.quantity)]),
      );
    expect(Object.keys(byKey(fromLines)).length).toBeGreaterThan(5);
    expect(byKey(kept)).toEqual(byKey(fromLines));
  });
});
