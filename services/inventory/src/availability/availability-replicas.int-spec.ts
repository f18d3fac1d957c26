// Two replicas of inventory on one PostgreSQL schema compete for the same stock-change queue and
// both run an availability publisher: per key, every version is still published exactly once,
// without gaps, and each key ends at its final value.
import { Events, grpcServices, inventoryV1, toTimestamp, type inventoryEventsV1 } from '@retail-mesh/contracts';
import { encodeEvent, type EventBus } from '@retail-mesh/messaging';
import { createGrpcClient } from '@retail-mesh/service-kit';
import { createServiceTestBed, type ServiceTestBed } from '@retail-mesh/service-kit/testing';
import { waitFor } from '@retail-mesh/testing';
import { listenToAvailabilityChanges } from '../testing/availability-listener.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryService } from '../inventory.definition.js';

const SKUS = ['SKU-R1', 'SKU-R2', 'SKU-R3', 'SKU-R4', 'SKU-R5'];
const CHANGES_PER_SKU = 200;

describe('inventory replicas on PostgreSQL + RabbitMQ', () => {
  let testBed: ServiceTestBed;
  let bus: EventBus;
  const received: inventoryEventsV1.AvailabilityChanged[] = [];

  beforeAll(async () => {
    testBed = await createServiceTestBed(inventoryService, {
      mode: 'postgres+rabbitmq',
      isolationPrefix: 'rm_inventory_replicas',
      logLevel: 'silent',
      // Short windows, so the two publishers overlap often.
      settings: { INVENTORY_COALESCE_WINDOW_MS: '5' },
    });
    bus = testBed.bus;
    await listenToAvailabilityChanges(bus, 'test.availability', (change) => received.push(change.payload));
    const first = await testBed.start();
    await testBed.start();
    const client = createGrpcClient<inventoryV1.InventoryServiceClient>(grpcServices.inventory, first.grpcUrl);
    await client.upsertChannelPolicy({
      policy: inventoryV1.ChannelPolicy.fromPartial({
        channelAccountId: 'shop-eu',
        channel: 'shopify',
        safetyStock: 1,
        eligibleLocationIds: ['WH-1'],
      }),
    });
    client.close();
  });

  afterAll(async () => {
    await testBed?.close();
  });

  it('publishes each version of a key once, without gaps, ending at the final value', async () => {
    const changes = SKUS.flatMap((sku) => Array.from({ length: CHANGES_PER_SKU }, (_, index) => ({ sku, version: index + 1 })));
    const shuffled = changes.map((change) => ({ change, key: Math.random() })).sort((a, b) => a.key - b.key);
    await bus.publish(
      shuffled.map(({ change }) =>
        encodeEvent({
          definition: Events.erp.stockChanged,
          // On hand = version: the final value is CHANGES_PER_SKU.
          payload: {
            erpChangeId: `${change.sku}:${change.version}`,
            sku: change.sku,
            locationId: 'WH-1',
            onHand: change.version,
            version: change.version,
            changedAt: toTimestamp(new Date()),
          },
          source: 'erp-connector',
          subject: change.sku,
        }),
      ),
    );

    const final = CHANGES_PER_SKU - 1;
    await waitFor(() => SKUS.every((sku) => received.some((event) => event.sku === sku && event.availableQuantity === final)), {
      description: 'every SKU at its final value',
    });
    for (const sku of SKUS) {
      const versions = received.filter((event) => event.sku === sku).map((event) => event.version);
      expect(versions.sort((a, b) => a - b)).toEqual(Array.from({ length: versions.length }, (_, index) => index + 1));
      const last = received
        .filter((event) => event.sku === sku)
        .reduce((newest, event) => (event.version > newest.version ? event : newest));
      expect(last.availableQuantity).toBe(final);
    }
  });
});
