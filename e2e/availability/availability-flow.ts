// The availability flow (ERP stock -> inventory -> Shopify), registered for a mesh in either mode.
import { DeadLetterHeaders } from '@retail-mesh/messaging';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectedShopifyQuantity,
  setErpStock,
  shopifyLevels,
  startMeshUnderTest,
  waitForShopifyQuantity,
  type MeshMode,
  type MeshUnderTest,
} from '../support/mesh-under-test.js';

export function describeAvailabilityFlow(mode: MeshMode, getMesh: () => MeshUnderTest): void {
  describe(`availability flow (${mode})`, () => {
    it('brings the seeded ERP stock to Shopify, less safety stock', async () => {
      const mesh = getMesh();
      for (const demo of mesh.skus.slice(0, 5)) await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity(demo.onHand));
    });

    it('carries a stock change in the ERP to Shopify with the right quantity', async () => {
      const mesh = getMesh();
      const demo = mesh.skus[6];
      await setErpStock(mesh, [{ sku: demo.sku, location: 'WH-EAST', onHand: 31 }]);
      await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity({ ...demo.onHand, 'WH-EAST': 31 }));
    });

    it('coalesces a burst of 1,000 changes to one SKU into far fewer Shopify calls, ending at the final value', async () => {
      const mesh = getMesh();
      const demo = mesh.skus[7];
      await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity(demo.onHand));
      const [before] = await shopifyLevels(mesh, demo.sku);
      const burst = Array.from({ length: 1000 }, (_, index) => ({ sku: demo.sku, location: 'WH-WEST', onHand: 100 + index }));
      await setErpStock(mesh, burst);
      const final = await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity({ ...demo.onHand, 'WH-WEST': 1099 }));
      const calls = final.appliedMutations - before.appliedMutations;
      console.log(`[${mode}] 1,000 ERP changes to ${demo.sku} reached Shopify in ${calls} mutation(s)`);
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThan(100);
    });

    it('backs off a Shopify 429 storm and converges', async () => {
      const mesh = getMesh();
      const demo = mesh.skus[8];
      await mesh.shopifyAdmin.setFaults({ type: 'rateLimit', path: '/admin/api', count: 15 });
      await setErpStock(mesh, [{ sku: demo.sku, location: 'WH-EAST', onHand: 12 }]);
      await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity({ ...demo.onHand, 'WH-EAST': 12 }));
      const [status] = await mesh.shopifyAdmin.faults();
      expect(status.fired).toBe(15);
      await mesh.shopifyAdmin.clearFaults();
    });

    it('dead-letters a malformed ERP record with its reason while the flow continues', async () => {
      const mesh = getMesh();
      const demo = mesh.skus[9];
      await mesh.erpAdmin.call('POST', '/_sandbox/stock-feed/raw', {
        item: demo.sku,
        location: 'WH-EAST',
        quantityOnHand: 'lots',
        lastModified: 'now',
      });
      await setErpStock(mesh, [{ sku: demo.sku, location: 'WH-EAST', onHand: 9 }]);
      await waitForShopifyQuantity(mesh, demo.sku, expectedShopifyQuantity({ ...demo.onHand, 'WH-EAST': 9 }));
      const deadLetters = await waitFor(async () => {
        const letters = await mesh.deadLetters('erp-connector.stock-feed');
        return letters.length > 0 ? letters : undefined;
      });
      expect(deadLetters).toHaveLength(1);
      expect(deadLetters[0].headers[DeadLetterHeaders.error] ?? deadLetters[0].reason).toMatch(/quantityOnHand "lots" is not an integer/);
    });
  });
}

/** Starts one mesh for the whole file (services start once per suite, not per test). */
export function useMesh(mode: MeshMode): () => MeshUnderTest {
  let mesh: MeshUnderTest | undefined;
  beforeAll(async () => {
    mesh = await startMeshUnderTest(mode);
  });
  afterAll(async () => {
    await mesh?.stop();
  });
  return () => {
    if (!mesh) throw new Error('the mesh did not start');
    return mesh;
  };
}
