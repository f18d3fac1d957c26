// The external systems' stand-ins run in the launcher's process in both modes.
import { startErpSandbox, type ErpSandbox } from '@retail-mesh/sandbox-erp';
import { startShopifySandbox, type ShopifySandbox } from '@retail-mesh/sandbox-shopify';
import type { MeshLayout } from './mesh-environment.js';

export interface RunningSandboxes {
  erp: ErpSandbox;
  shopify: ShopifySandbox;
  close(): Promise<void>;
}

export async function startSandboxes(layout: MeshLayout): Promise<RunningSandboxes> {
  const erp = await startErpSandbox({ port: layout.sandboxes.erp });
  try {
    const shopify = await startShopifySandbox({ port: layout.sandboxes.shopify });
    return {
      erp,
      shopify,
      close: async () => {
        await shopify.close();
        await erp.close();
      },
    };
  } catch (error) {
    await erp.close();
    throw error;
  }
}
