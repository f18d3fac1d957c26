// The external systems' stand-ins run in the launcher's process in both modes.
import { startAmazonSandbox, type AmazonSandbox } from '@retail-mesh/sandbox-amazon';
import { startErpSandbox, type ErpSandbox } from '@retail-mesh/sandbox-erp';
import { startShopifySandbox, type ShopifySandbox } from '@retail-mesh/sandbox-shopify';
import type { MeshLayout } from './mesh-environment.js';

export interface RunningSandboxes {
  erp: ErpSandbox;
  shopify: ShopifySandbox;
  amazon: AmazonSandbox;
  close(): Promise<void>;
}

export async function startSandboxes(layout: MeshLayout): Promise<RunningSandboxes> {
  const started: Array<{ close(): Promise<void> }> = [];
  const close = async () => {
    for (const sandbox of started.splice(0).reverse()) await sandbox.close();
  };
  try {
    const erp = await startErpSandbox({ port: layout.sandboxes.erp });
    started.push(erp);
    const shopify = await startShopifySandbox({ port: layout.sandboxes.shopify });
    started.push(shopify);
    const amazon = await startAmazonSandbox({ port: layout.sandboxes.amazon, sellers: [layout.amazonSeller] });
    started.push(amazon);
    return { erp, shopify, amazon, close };
  } catch (error) {
    await close();
    throw error;
  }
}
