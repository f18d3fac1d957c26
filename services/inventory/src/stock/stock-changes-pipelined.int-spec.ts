// The stock-changes consumer handles two batches at once (the next starts while one commits).
// Versions, not arrival, decide: a burst of many versions of a few positions, delivered out of
// order so both batches in flight carry versions of the same keys, must leave each position at
// its newest version and never publish an availability computed from an older ERP version after
// one computed from a newer version. Runs in both modes.
import { Events, grpcServices, inventoryV1, toTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { encodeEvent, type BusMessage } from '@retail-mesh/messaging';
import { createGrpcClient, type GrpcClient } from '@retail-mesh/service-kit';
import { createServiceTestBed, SERVICE_TEST_MODES, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { listenToAvailabilityChanges } from '../testing/availability-listener.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryService } from '../inventory.definition.js';

const SKUS = ['PIPE-1', 'PIPE-2', 'PIPE-3'];
const VERSIONS_PER_SKU = 400;

describe.each(SERVICE_TEST_MODES)('pipelined stock-change batches on $name', ({ mode }) => {
  let testBed: ServiceTestBed;
  let client: GrpcClient<inventoryV1.InventoryServiceClient>;
  const received: inventoryEventsV1.AvailabilityChanged[] = [];

  beforeAll(async () => {
    testBed = await createServiceTestBed(inventoryService, { mode });
    await listenToAvailabilityChanges(testBed.bus, 'test.pipelined-availability', (change) => received.push(change.payload));
    const service = await testBed.start();
    client = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, service.grpcUrl);
    await client.upsertChannelPolicy({
      policy: inventoryV1.ChannelPolicy.fromPartial({ channelAccountId: 'shop-pipe', channel: 'shopify', eligibleLocationIds: [] }),
    });
  });

  afterAll(async () => {
    client?.close();
    await testBed?.close();
  });

  function stockChanged(sku: string, version: number): BusMessage {
    // On hand = version: the availability computed from a newer ERP version is always larger.
    const changedAt = new Date();
    return encodeEvent({
      definition: Events.erp.stockChanged,
      payload: { erpChangeId: `${sku}:${version}`, sku, locationId: 'WH-1', onHand: version, version, changedAt: toTimestamp(changedAt) },
      source: 'erp-connector',
      subject: sku,
      time: changedAt,
    });
  }

  it('ends every position at its newest version and publishes each key’s quantities in version order', async () => {
    const changes = SKUS.flatMap((sku) => Array.from({ length: VERSIONS_PER_SKU }, (_, index) => ({ sku, version: index + 1 })));
    const shuffled = changes.map((change) => ({ change, key: Math.random() })).sort((a, b) => a.key - b.key);
    await testBed.bus.publish(shuffled.map(({ change }) => stockChanged(change.sku, change.version)));

    const publications = (sku: string) => received.filter((event) => event.sku === sku);
    await waitFor(() => SKUS.every((sku) => publications(sku).some((event) => event.availableQuantity === VERSIONS_PER_SKU)) || undefined, {
      description: 'each SKU published at its newest version',
    });

    const { positions } = await client.listStockPositions({ skus: SKUS, locationId: '', page: undefined });
    expect(positions.map((position) => [position.sku, position.onHand, position.version])).toEqual(
      SKUS.map((sku) => [sku, VERSIONS_PER_SKU, VERSIONS_PER_SKU]),
    );
    for (const sku of SKUS) {
      const byVersion = publications(sku).sort((a, b) => a.version - b.version);
      const quantities = byVersion.map((event) => event.availableQuantity);
      // Versions 1..n without gaps, and the quantity grows with every one: no older ERP value after a newer one.
      expect(byVersion.map((event) => event.version)).toEqual(byVersion.map((_, index) => index + 1));
      expect(quantities).toEqual([...quantities].sort((a, b) => a - b));
      expect(new Set(quantities).size).toBe(quantities.length);
      expect(quantities.at(-1)).toBe(VERSIONS_PER_SKU);
    }
  });
});
