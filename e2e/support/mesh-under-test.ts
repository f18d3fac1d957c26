// One face for a mesh under test in either mode, so the same flow tests run embedded and
// distributed. The sandboxes run in the test process in both modes; tests drive them only
// through their HTTP admin routes, as an operator would.
import type { GrpcServiceContract } from '@retail-mesh/contracts';
import {
  demoSkus,
  seedDemoChannels,
  seedDemoMesh,
  startDistributedMesh,
  startEmbeddedMesh,
  DEMO_LOCATIONS,
  DEMO_SAFETY_STOCK,
  DEMO_SHOP,
  type DemoSku,
  type MeshLayout,
  type ServiceName,
} from '@retail-mesh/mesh';
import { RabbitMqEventBus, type DeadLetter, type EventBus } from '@retail-mesh/messaging';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { createGrpcClient, type GrpcClient } from '@retail-mesh/service-kit';
import { createTestVhost, dropSchemasWithPrefix, TEST_POSTGRES_URL, uniqueName, waitFor, type TestVhost } from '@retail-mesh/testing';

export type MeshMode = 'embedded' | 'distributed';

export interface ShopifyLevel {
  sku: string;
  available: number;
  appliedMutations: number;
}

export interface MeshUnderTest {
  mode: MeshMode;
  layout: MeshLayout;
  skus: DemoSku[];
  erpAdmin: SandboxAdminClient;
  shopifyAdmin: SandboxAdminClient;
  amazonAdmin: SandboxAdminClient;
  /** Reads dead letters of a consumer queue, through the same bus the mesh uses. */
  deadLetters(queue: string): Promise<DeadLetter[]>;
  /** Distributed only: the broker URL (with the mesh's own vhost) the services use. */
  rabbitmqUrl?: string;
  /** Distributed only: SIGKILL a service process, then start it again. */
  killService?(name: ServiceName): Promise<void>;
  restartService?(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

/** Port offsets keep a test mesh clear of a mesh started by hand with `npm start`. */
const PORT_OFFSET = { embedded: 300, distributed: 400 } as const;
/**
 * Orders workers' claims: longer than the ERP connector's 10 s request timeout (a live worker
 * keeps its orders through a slow ERP call), shorter than the 30 s default, so the SIGKILL test
 * waits less for the restarted process to take the dead one's order over.
 */
const ORDERS_WORKER_LEASE_MS = 15_000;

export interface MeshUnderTestOptions {
  /** Another offset than the mode's default, so two suites' meshes can run at the same time. */
  portOffset?: number;
}

export async function startMeshUnderTest(mode: MeshMode, productCount = 20, options: MeshUnderTestOptions = {}): Promise<MeshUnderTest> {
  const skus = demoSkus(productCount);
  const portOffset = options.portOffset ?? PORT_OFFSET[mode];
  if (mode === 'embedded') {
    const mesh = await startEmbeddedMesh({
      portOffset,
      dataDir: `.data/e2e/${uniqueName('embedded')}`,
      logLevel: 'warn',
      ordersWorkerLeaseMs: ORDERS_WORKER_LEASE_MS,
      beforeServices: (layout) => seedDemoChannels(layout, skus),
    });
    await seedOrStop(mesh.layout, skus, () => mesh.stop());
    return {
      mode,
      layout: mesh.layout,
      skus,
      erpAdmin: new SandboxAdminClient(mesh.layout.sandboxUrls.erp),
      shopifyAdmin: new SandboxAdminClient(mesh.layout.sandboxUrls.shopify),
      amazonAdmin: new SandboxAdminClient(mesh.layout.sandboxUrls.amazon),
      deadLetters: (queue) => mesh.bus.peekDeadLetters(queue, 100),
      stop: () => mesh.stop(),
    };
  }

  const vhost: TestVhost = await createTestVhost('rm_e2e');
  const schemaPrefix = `${uniqueName('rm_e2e')}_`;
  const mesh = await startDistributedMesh({
    portOffset,
    rabbitmqUrl: vhost.url,
    databaseUrl: TEST_POSTGRES_URL,
    schemaPrefix,
    logLevel: 'warn',
    ordersWorkerLeaseMs: ORDERS_WORKER_LEASE_MS,
    beforeServices: (layout) => seedDemoChannels(layout, skus),
    onLine: (name, line) => {
      if (process.env.E2E_VERBOSE) console.log(`[${name}] ${line}`);
    },
  });
  const removeVhostAndSchemas = async () => {
    await vhost.remove();
    await dropSchemasWithPrefix(schemaPrefix);
  };
  await seedOrStop(mesh.layout, skus, async () => {
    await mesh.stop();
    await removeVhostAndSchemas();
  });
  let inspector: EventBus | undefined;
  return {
    mode,
    layout: mesh.layout,
    skus,
    erpAdmin: new SandboxAdminClient(mesh.layout.sandboxUrls.erp),
    shopifyAdmin: new SandboxAdminClient(mesh.layout.sandboxUrls.shopify),
    amazonAdmin: new SandboxAdminClient(mesh.layout.sandboxUrls.amazon),
    deadLetters: async (queue) => {
      inspector ??= await RabbitMqEventBus.connect({ url: vhost.url, connectionName: 'e2e-inspector' });
      return inspector.peekDeadLetters(queue, 100);
    },
    rabbitmqUrl: vhost.url,
    killService: (name) => mesh.supervisor.kill(name, 'SIGKILL'),
    restartService: (name) => mesh.restartService(name),
    stop: async () => {
      await inspector?.close();
      await mesh.stop();
      await removeVhostAndSchemas();
    },
  };
}

/**
 * Seeds the mesh's demo data (the channels were seeded before the services started); if that
 * fails, stops the mesh (no orphaned processes, vhosts, schemas) and rethrows.
 */
async function seedOrStop(layout: MeshLayout, skus: DemoSku[], stop: () => Promise<void>): Promise<void> {
  try {
    await seedDemoMesh(layout, skus);
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A gRPC client of one of the mesh's services, as its peers call it:
 * `meshGrpcClient<ordersV1.OrdersServiceClient>(mesh, 'orders', grpcServices.orders)`. Close it when done.
 */
export function meshGrpcClient<C>(mesh: MeshUnderTest, service: ServiceName, contract: GrpcServiceContract): GrpcClient<C> {
  return createGrpcClient<C>(contract, `127.0.0.1:${mesh.layout.services[service].grpcPort}`);
}

/** What Shopify must show for a SKU given its ERP stock: the demo policy's arithmetic. */
export function expectedShopifyQuantity(onHandByLocation: Record<string, number>): number {
  const onHand = DEMO_LOCATIONS.reduce((sum, location) => sum + (onHandByLocation[location] ?? 0), 0);
  return Math.max(0, onHand - DEMO_SAFETY_STOCK);
}

export async function setErpStock(mesh: MeshUnderTest, changes: { sku: string; location: string; onHand: number }[]): Promise<void> {
  await mesh.erpAdmin.call('PUT', '/_sandbox/stock', changes);
}

export async function shopifyLevels(mesh: MeshUnderTest, sku?: string): Promise<ShopifyLevel[]> {
  const query = new URLSearchParams({ shop: DEMO_SHOP, ...(sku ? { sku } : {}) });
  const body = await mesh.shopifyAdmin.call<{ levels: ShopifyLevel[] }>('GET', `/_sandbox/inventory-levels?${query}`);
  return body.levels;
}

/** Replaces an SP-API operation's usage plan on the Amazon sandbox (every seller's bucket of it starts full). */
export async function setAmazonUsagePlan(mesh: MeshUnderTest, plan: { operation: string; rate: number; burst: number }): Promise<void> {
  await mesh.amazonAdmin.call('POST', '/_sandbox/usage-plans', plan);
}

/** The quantity Amazon shows for a listing (its sandbox applies accepted patches as time passes). */
export async function amazonQuantity(mesh: MeshUnderTest, sku: string): Promise<number | undefined> {
  const body = await mesh.amazonAdmin.call<{ listings: { sku: string; quantity: number }[] }>(
    'GET',
    `/_sandbox/listings?${new URLSearchParams({ sku })}`,
  );
  return body.listings[0]?.quantity;
}

export async function waitForShopifyQuantity(
  mesh: MeshUnderTest,
  sku: string,
  quantity: number,
  timeoutMs = 60_000,
): Promise<ShopifyLevel> {
  return waitFor(
    async () => {
      const [level] = await shopifyLevels(mesh, sku);
      return level && level.available === quantity ? level : undefined;
    },
    { timeoutMs, intervalMs: 50, description: `Shopify to show ${quantity} for ${sku}` },
  );
}

/** Waits until every demo SKU on Shopify shows what its ERP stock implies. */
export async function waitForShopifyConverged(
  mesh: MeshUnderTest,
  stock: Map<string, Record<string, number>>,
  timeoutMs = 120_000,
): Promise<void> {
  await waitFor(
    async () => {
      const levels = await shopifyLevels(mesh);
      const bySku = new Map(levels.map((level) => [level.sku, level.available]));
      return [...stock].every(([sku, onHand]) => bySku.get(sku) === expectedShopifyQuantity(onHand));
    },
    { timeoutMs, intervalMs: 200, description: 'every SKU on Shopify to match the ERP stock' },
  );
}

/** The ERP's current stock per SKU and location, read from the sandbox. */
export async function erpStock(mesh: MeshUnderTest): Promise<Map<string, Record<string, number>>> {
  const body = await mesh.erpAdmin.call<{ positions: { sku: string; location: string; onHand: number }[] }>('GET', '/_sandbox/stock');
  const stock = new Map<string, Record<string, number>>();
  for (const position of body.positions) stock.set(position.sku, { ...stock.get(position.sku), [position.location]: position.onHand });
  return stock;
}
