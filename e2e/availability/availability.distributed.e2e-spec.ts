import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '@retail-mesh/testing';
import { describe, expect, it } from 'vitest';
import { erpStock, setErpStock, shopifyLevels, waitForShopifyConverged } from '../support/mesh-under-test.js';
import { describeAvailabilityFlow, useMesh } from './availability-flow.js';

const run = promisify(execFile);
const getMesh = useMesh('distributed');

describeAvailabilityFlow('distributed', getMesh);

/** A burst touching every demo SKU several times, in one ERP write per round. */
async function burstOverAllSkus(rounds: number, seed: number): Promise<void> {
  const mesh = getMesh();
  for (let round = 0; round < rounds; round += 1) {
    await setErpStock(
      mesh,
      mesh.skus.map((demo, index) => ({
        sku: demo.sku,
        location: index % 2 === 0 ? 'WH-EAST' : 'WH-WEST',
        onHand: (seed + round * 7 + index) % 50,
      })),
    );
  }
}

async function totalShopifyMutations(): Promise<number> {
  return (await shopifyLevels(getMesh())).reduce((sum, level) => sum + level.appliedMutations, 0);
}

describe('availability flow under failure (distributed)', () => {
  it('converges with nothing lost when the inventory process is SIGKILLed mid-burst', async () => {
    const mesh = getMesh();
    const mutationsBefore = await totalShopifyMutations();
    await burstOverAllSkus(5, 3);
    // Kill once the burst is visibly flowing, so the kill lands mid-flow.
    await waitForMutationsAbove(mutationsBefore);
    await mesh.killService!('inventory');
    await burstOverAllSkus(3, 11);
    await mesh.restartService!('inventory');
    await waitForShopifyConverged(mesh, await erpStock(mesh));
  });

  it('converges with nothing lost when RabbitMQ restarts mid-burst', async () => {
    const mesh = getMesh();
    const mutationsBefore = await totalShopifyMutations();
    await burstOverAllSkus(5, 17);
    await waitForMutationsAbove(mutationsBefore);
    await run('rabbitmqctl', ['stop_app']);
    await burstOverAllSkus(3, 29);
    await run('rabbitmqctl', ['start_app']);
    await run('rabbitmqctl', ['await_startup']);
    await waitForShopifyConverged(mesh, await erpStock(mesh));
    expect(await totalShopifyMutations()).toBeGreaterThan(mutationsBefore);
  });
});

async function waitForMutationsAbove(count: number): Promise<void> {
  await waitFor(async () => (await totalShopifyMutations()) > count, { description: 'the burst to reach Shopify' });
}
