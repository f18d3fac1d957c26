// Shipped units and the ERP's stock feed, in both orders of arrival (ADR 0005): a consumption
// (the shipment, through orders) and the ERP's on-hand drop (erp.stock_changed, through the
// batched stock consumer) race; whichever comes first, no channel is ever shown, and no order can
// reserve, more than the warehouse can ship, and with the shipment's ERP feed version the count is
// exact once both arrived. Runs on PostgreSQL + RabbitMQ and on SQLite + the in-process bus.
import { Events, grpcServices, inventoryV1, toTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import { createGrpcClient, type GrpcClient, type RunningService } from '@retail-mesh/service-kit';
import { createServiceTestBed, scrapeMetric, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { listenToAvailabilityChanges } from '../testing/availability-listener.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryService } from '../inventory.definition.js';
import { ConsumedStockEntity } from './consumed-stock.entity.js';

const { ReservationStatus } = inventoryV1;

describe.each(SERVICE_TEST_MODES)('shipped units against the ERP stock feed on $name', ({ mode }) => {
  let testBed: ServiceTestBed;
  let service: RunningService;
  let client: GrpcClient<inventoryV1.InventoryServiceClient>;
  const received: inventoryEventsV1.AvailabilityChanged[] = [];
  /** The ERP feed's sequence: one for every change, as the ERP's change feed numbers them. */
  let feedVersion = 0;
  let probes = 0;

  beforeAll(async () => {
    testBed = await createServiceTestBed(inventoryService, { mode, settings: { INVENTORY_COALESCE_WINDOW_MS: '5' } });
    await listenToAvailabilityChanges(testBed.bus, 'test.availability', (change) => received.push(change.payload));
    service = await testBed.start();
    client = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, service.grpcUrl);
    await client.upsertChannelPolicy({
      policy: inventoryV1.ChannelPolicy.fromPartial({ channelAccountId: 'amazon-us', channel: 'amazon', eligibleLocationIds: [] }),
    });
  });

  afterAll(async () => {
    client?.close();
    await testBed?.close();
  });

  function stockChanged(sku: string, locationId: string, onHand: number, version: number): BusMessage {
    const changedAt = new Date();
    return encodeEvent({
      definition: Events.erp.stockChanged,
      payload: { erpChangeId: String(version), sku, locationId, onHand, version, changedAt: toTimestamp(changedAt) },
      source: 'erp-connector',
      subject: sku,
      time: changedAt,
    });
  }

  /** The next number of the ERP's change feed (a shipment's, or one to give a stock change). */
  function nextFeedVersion(): number {
    return ++feedVersion;
  }

  /** The ERP's stock changes at the given feed versions, in one burst (applied as a batch); waits until applied. */
  async function erpStockAt(changes: Array<[sku: string, locationId: string, onHand: number, version: number]>): Promise<void> {
    await testBed.bus.publish(changes.map(([sku, locationId, onHand, version]) => stockChanged(sku, locationId, onHand, version)));
    await waitFor(
      async () => {
        const { positions } = await client.listStockPositions({ skus: changes.map(([sku]) => sku), locationId: '', page: undefined });
        return changes.every(([sku, locationId, , version]) =>
          positions.some((position) => position.sku === sku && position.locationId === locationId && position.version >= version),
        );
      },
      { description: 'the ERP stock changes applied' },
    );
  }

  /** The ERP reports new on-hand figures at the next feed versions; waits until applied. */
  async function erpStock(changes: Array<[sku: string, locationId: string, onHand: number]>): Promise<void> {
    await erpStockAt(changes.map(([sku, locationId, onHand]) => [sku, locationId, onHand, nextFeedVersion()]));
  }

  async function available(sku: string): Promise<number> {
    const { availability } = await client.getAvailability({ channelAccountId: 'amazon-us', sku });
    return availability?.availableQuantity ?? Number.NaN;
  }

  async function waitForPublished(sku: string, quantity: number): Promise<void> {
    await waitFor(
      () => {
        const events = received.filter((event) => event.channelAccountId === 'amazon-us' && event.sku === sku);
        return (
          events.reduce((newest, event) => (event.version > newest.version ? event : newest), events[0])?.availableQuantity === quantity
        );
      },
      { description: `availability_changed amazon-us/${sku} = ${quantity}` },
    );
  }

  async function reserve(orderId: string, sku: string, quantity: number): Promise<inventoryV1.ReserveStockResponse> {
    return client.reserveStock({
      idempotencyKey: orderId,
      orderId,
      channelAccountId: 'amazon-us',
      channel: '',
      lines: [{ lineId: 'l1', sku, quantity }],
      requestedLocationId: '',
    });
  }

  /** The shipment reaches inventory (orders' ConsumeReservation); `erpVersion` its ERP feed version, 0 = unknown. */
  async function ship(reservationId: string, quantity: number, shipmentId: string, erpVersion: number): Promise<void> {
    const { reservation } = await client.consumeReservation({ reservationId, lines: [{ lineId: 'l1', quantity }], shipmentId, erpVersion });
    expect(reservation?.lines[0]?.consumedQuantity).toBeGreaterThanOrEqual(quantity);
  }

  async function reservedAt(sku: string, locationId: string): Promise<number | undefined> {
    const { positions } = await client.listStockPositions({ skus: [sku], locationId, page: undefined });
    return positions[0]?.reserved;
  }

  /**
   * What can still be sold: the warehouse's real on hand (the ERP's after every shipment so far)
   * minus the units orders still hold. Neither a channel nor a reservation may ever get more.
   */
  async function expectNeverMoreThanShippable(sku: string, realOnHand: number, held: number): Promise<number> {
    const shippable = realOnHand - held;
    const shown = await available(sku);
    expect(shown).toBeLessThanOrEqual(shippable);
    const probe = await reserve(`probe-${sku}-${++probes}`, sku, shippable + 1);
    expect(probe).toMatchObject({
      reservation: { status: ReservationStatus.RESERVATION_STATUS_REJECTED },
      shortages: [expect.objectContaining({ reservableQuantity: shown })],
    });
    return shown;
  }

  it('the ERP’s on-hand drop before the shipment’s consume: exact as soon as the consume arrives', async () => {
    await erpStock([['SKU-DF', 'WH-1', 10]]);
    const { reservation } = await reserve('order-df', 'SKU-DF', 3);
    await waitForPublished('SKU-DF', 7);

    // The ERP's feed: the shipment, then its stock drop. The drop reaches inventory first.
    const shipment = nextFeedVersion();
    await erpStock([['SKU-DF', 'WH-1', 7]]);
    // The order still holds its units until inventory hears of the shipment: low meanwhile, never more.
    expect(await expectNeverMoreThanShippable('SKU-DF', 7, 0)).toBe(4);
    await waitForPublished('SKU-DF', 4);

    // The consume carries the shipment's version, which the applied drop is newer than: nothing is counted twice.
    await ship(reservation!.reservationId, 3, 'ship-df', shipment);
    expect(await expectNeverMoreThanShippable('SKU-DF', 7, 0)).toBe(7);
    expect(await reservedAt('SKU-DF', 'WH-1')).toBe(0);
    await waitForPublished('SKU-DF', 7);
    await erpStock([['SKU-DF', 'WH-1', 12]]);
    expect(await available('SKU-DF')).toBe(12);
  });

  it('the shipment’s consume before the ERP’s drop: exact all along, also when an older change arrives in between', async () => {
    await erpStock([
      ['SKU-CF', 'WH-1', 10],
      ['SKU-CF', 'WH-2', 5],
    ]);
    const { reservation } = await reserve('order-cf', 'SKU-CF', 4);
    expect(reservation?.lines).toEqual([expect.objectContaining({ locationId: 'WH-1', quantity: 4 })]);
    await waitForPublished('SKU-CF', 11);

    // The ERP's feed: a receipt of 2 at WH-1, the shipment of the 4 units, their drop (12 - 4).
    const receipt = nextFeedVersion();
    const shipment = nextFeedVersion();
    const drop = nextFeedVersion();
    // The shipment reaches inventory first: its units count against WH-1's (not yet lowered) on hand.
    await ship(reservation!.reservationId, 4, 'ship-cf', shipment);
    expect(await expectNeverMoreThanShippable('SKU-CF', 13, 0)).toBe(11);
    const { availability } = await client.getAvailability({ channelAccountId: 'amazon-us', sku: 'SKU-CF' });
    expect(availability?.explanation?.locations).toEqual([
      expect.objectContaining({ locationId: 'WH-1', onHand: 10, reserved: 4 }),
      expect.objectContaining({ locationId: 'WH-2', onHand: 5, reserved: 0 }),
    ]);

    // The receipt, older than the shipment, arrives after the consume: its on hand does not reflect
    // the shipment yet, so the units still count (counting only until "a newer change" would show 17).
    await erpStockAt([['SKU-CF', 'WH-1', 12, receipt]]);
    expect(await expectNeverMoreThanShippable('SKU-CF', 13, 0)).toBe(13);
    expect(await reservedAt('SKU-CF', 'WH-1')).toBe(4);

    // The drop arrives: on hand takes the units, nothing is counted twice.
    await erpStockAt([['SKU-CF', 'WH-1', 8, drop]]);
    expect(await expectNeverMoreThanShippable('SKU-CF', 13, 0)).toBe(13);
    expect(await reservedAt('SKU-CF', 'WH-1')).toBe(0);
    await waitForPublished('SKU-CF', 13);
    // A receipt after that counts in full.
    await erpStock([['SKU-CF', 'WH-1', 11]]);
    expect(await available('SKU-CF')).toBe(16);
    await waitForPublished('SKU-CF', 16);
  });

  it('several shipments of one SKU x location at different versions, their drops interleaved: never more than can ship, exact at the end', async () => {
    await erpStock([['SKU-MS', 'WH-1', 10]]);
    const orders = await Promise.all([
      reserve('order-ms-a', 'SKU-MS', 3),
      reserve('order-ms-b', 'SKU-MS', 2),
      reserve('order-ms-c', 'SKU-MS', 1),
    ]);
    const [a, b, c] = orders.map(({ reservation }) => reservation!.reservationId);
    await waitForPublished('SKU-MS', 4);

    // The ERP's feed: A ships, WH-1 drops to 7, B ships, 5, C ships, 4. The warehouse now has 4 and
    // no order holds anything: 4 can ship, whatever inventory has heard of so far.
    const shipA = nextFeedVersion();
    const dropA = nextFeedVersion();
    const shipB = nextFeedVersion();
    const dropB = nextFeedVersion();
    const shipC = nextFeedVersion();
    const dropC = nextFeedVersion();

    await ship(b, 2, 'ship-ms-b', shipB);
    expect(await expectNeverMoreThanShippable('SKU-MS', 4, 0)).toBe(4);
    // A's drop before A's consume: B's units still count (the drop is older than B's shipment).
    await erpStockAt([['SKU-MS', 'WH-1', 7, dropA]]);
    expect(await expectNeverMoreThanShippable('SKU-MS', 4, 0)).toBe(1);
    // B's drop ends B's units.
    await erpStockAt([['SKU-MS', 'WH-1', 5, dropB]]);
    expect(await expectNeverMoreThanShippable('SKU-MS', 4, 0)).toBe(1);
    // C's consume (B's expired row goes), then A's, already covered by both drops; C's units stay counted.
    await ship(c, 1, 'ship-ms-c', shipC);
    expect(await expectNeverMoreThanShippable('SKU-MS', 4, 0)).toBe(1);
    await ship(a, 3, 'ship-ms-a', shipA);
    expect(await expectNeverMoreThanShippable('SKU-MS', 4, 0)).toBe(4);
    expect(await reservedAt('SKU-MS', 'WH-1')).toBe(1);
    // B's row, which no longer counted, went with C's consume; A's was never written.
    const rows = await service.dataSource.manager.findBy(ConsumedStockEntity, { sku: 'SKU-MS' });
    expect(rows.map((row) => [row.locationId, row.erpVersion, row.quantity])).toEqual([['WH-1', shipC, 1]]);
    // C's drop: everything has arrived.
    await erpStockAt([['SKU-MS', 'WH-1', 4, dropC]]);
    expect(await expectNeverMoreThanShippable('SKU-MS', 4, 0)).toBe(4);
    expect(await reservedAt('SKU-MS', 'WH-1')).toBe(0);
    await waitForPublished('SKU-MS', 4);
  });

  it('concurrent shipments of orders sharing SKUs, consumed before their drops: every unit counted once', async () => {
    await erpStock([
      ['SKU-CC-X', 'WH-1', 40],
      ['SKU-CC-Y', 'WH-1', 40],
    ]);
    // Ten orders of one X and one Y, their lines in either order; each ships at its own feed version.
    const reservations = [];
    for (let index = 0; index < 10; index++) {
      const skus = index % 2 === 0 ? ['SKU-CC-X', 'SKU-CC-Y'] : ['SKU-CC-Y', 'SKU-CC-X'];
      const { reservation } = await client.reserveStock({
        idempotencyKey: `order-cc-${index}`,
        orderId: `order-cc-${index}`,
        channelAccountId: 'amazon-us',
        channel: '',
        lines: skus.map((sku, line) => ({ lineId: `l${line}`, sku, quantity: 1 })),
        requestedLocationId: '',
      });
      reservations.push({ reservationId: reservation!.reservationId, shipment: nextFeedVersion() });
    }
    await Promise.all(
      reservations.map(({ reservationId, shipment }, index) =>
        client.consumeReservation({ reservationId, lines: [], shipmentId: `ship-cc-${index}`, erpVersion: shipment }),
      ),
    );
    expect(await expectNeverMoreThanShippable('SKU-CC-X', 30, 0)).toBe(30);
    expect(await expectNeverMoreThanShippable('SKU-CC-Y', 30, 0)).toBe(30);
    // The ERP's drops after the shipments, one burst.
    await erpStock([
      ['SKU-CC-X', 'WH-1', 30],
      ['SKU-CC-Y', 'WH-1', 30],
    ]);
    expect(await expectNeverMoreThanShippable('SKU-CC-X', 30, 0)).toBe(30);
    expect(await expectNeverMoreThanShippable('SKU-CC-Y', 30, 0)).toBe(30);
    expect([await reservedAt('SKU-CC-X', 'WH-1'), await reservedAt('SKU-CC-Y', 'WH-1')]).toEqual([0, 0]);
  });

  it('a consume without the shipment’s version (0), after the drop: conservative until the position’s next stock change, as before', async () => {
    await erpStock([['SKU-NV', 'WH-1', 10]]);
    const { reservation } = await reserve('order-nv', 'SKU-NV', 3);
    await waitForPublished('SKU-NV', 7);

    // The drop arrives first: the shipped units are both off on hand and still held.
    await erpStock([['SKU-NV', 'WH-1', 7]]);
    expect(await expectNeverMoreThanShippable('SKU-NV', 7, 0)).toBe(4);
    // The shipment follows without a version: inventory cannot tell that the drop covered it.
    await ship(reservation!.reservationId, 3, 'ship-nv', 0);
    expect(await expectNeverMoreThanShippable('SKU-NV', 7, 0)).toBe(4);
    // The ERP's next stock change of the position settles it.
    await erpStock([['SKU-NV', 'WH-1', 12]]);
    expect(await available('SKU-NV')).toBe(12);
    await waitForPublished('SKU-NV', 12);
  });

  it('without versions: partial shipments at the position’s version add up, a newer change covers them, a stale one does not', async () => {
    await erpStock([
      ['SKU-PS', 'WH-1', 8],
      ['SKU-PS', 'WH-2', 8],
    ]);
    // Two orders: one held at each location (the larger first, ties to the lower id).
    const first = await reserve('order-ps-1', 'SKU-PS', 5);
    const second = await reserve('order-ps-2', 'SKU-PS', 4);
    expect([first.reservation?.lines[0]?.locationId, second.reservation?.lines[0]?.locationId]).toEqual(['WH-1', 'WH-2']);
    await waitForPublished('SKU-PS', 7);

    // Two partial shipments of the first order at the same ERP version add up.
    await ship(first.reservation!.reservationId, 2, 'ship-ps-1a', 0);
    await ship(first.reservation!.reservationId, 3, 'ship-ps-1b', 0);
    expect(await expectNeverMoreThanShippable('SKU-PS', 11, 4)).toBe(7);

    // A redelivered older change of WH-1 is stale: it neither lowers on hand nor ends the count.
    const stale = () => scrapeMetric(service, 'retail_mesh_inventory_stock_changes_total', { outcome: 'stale' });
    const staleBefore = await stale();
    await testBed.bus.publish([stockChanged('SKU-PS', 'WH-1', 8, 1)]);
    await waitFor(async () => (await stale()) > staleBefore, { description: 'the stale change dropped' });
    expect(await expectNeverMoreThanShippable('SKU-PS', 11, 4)).toBe(7);

    // One burst: WH-1's drop, WH-2 unchanged in the ERP and an unrelated SKU. The shipped units end
    // with WH-1's newer change only.
    await erpStock([
      ['SKU-OTHER', 'WH-1', 1],
      ['SKU-PS', 'WH-1', 3],
    ]);
    expect(await expectNeverMoreThanShippable('SKU-PS', 11, 4)).toBe(7);
    const { positions } = await client.listStockPositions({ skus: ['SKU-PS'], locationId: '', page: undefined });
    expect(positions.map((position) => [position.locationId, position.onHand, position.reserved])).toEqual([
      ['WH-1', 3, 0],
      ['WH-2', 8, 4],
    ]);

    // The second order ships at WH-2, which has had no change since: counted until its own drop.
    await ship(second.reservation!.reservationId, 4, 'ship-ps-2', 0);
    expect(await expectNeverMoreThanShippable('SKU-PS', 7, 0)).toBe(7);
    await erpStock([['SKU-PS', 'WH-2', 4]]);
    expect(await expectNeverMoreThanShippable('SKU-PS', 7, 0)).toBe(7);
    await erpStock([['SKU-PS', 'WH-2', 6]]);
    await waitForPublished('SKU-PS', 9);
  });
});
