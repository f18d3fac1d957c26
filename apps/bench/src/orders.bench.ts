// Order intake in distributed mode: Shopify order (webhook) → channel-shopify → orders
// (validate, reserve) → erp-connector → ERP sandbox sales order. Measures the sustained rate (a
// fixed burst of orders drained until every one is an ERP sales order, offered a second time once
// the services are warm), the intake latency of orders offered at a fixed rate and at half the
// sustained rate, and, at the end, duplicates and lost orders by comparing the channel sandbox
// with the ERP sandbox.
import { performance } from 'node:perf_hooks';
import { demoSkus, DEMO_LOCATIONS, DEMO_SHOP, type DemoSku, type DistributedMesh } from '@retail-mesh/mesh';
import type { ErpSandbox } from '@retail-mesh/sandbox-erp';
import type { ShopifySandbox } from '@retail-mesh/sandbox-shopify';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { waitFor } from '@retail-mesh/testing';
import { endOfTick, percentile, printServiceMetrics, round, withBenchMesh, type BenchDatabase } from './bench-support.js';

export interface OrdersResult {
  /** The second burst: services warm. */
  ordersPerSecond: number;
  /** The first burst, right after the services started. */
  coldOrdersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  duplicates: number;
  lost: number;
  fixedRatePerSecond: number;
  fixedRateP50Ms: number;
  fixedRateP99Ms: number;
  /** Shopify webhook deliveries whose first attempt got no 2xx within Shopify's 5 s, in the whole run. */
  webhooksNotAnswered: number;
  /** How the services reached PostgreSQL (ADR 0015). */
  postgresTransport: BenchDatabase['transport'];
}

export interface OrdersOptions {
  productCount?: number;
  burstOrders?: number;
  linesPerOrder?: number;
  /** The rate the burst is offered at (orders/s): above what the mesh takes, so the drain measures it. */
  burstRatePerSecond?: number;
  latencySeconds?: number;
}

/** Clear of `npm start` (0), the e2e meshes and the availability bench (500). */
const PORT_OFFSET = 900;
/** Stock high enough that no order of the run goes on hold for stock. */
const PLENTY = 1_000_000;
const DRAIN_TIMEOUT_MS = 300_000;
/** The fixed rate latency is also measured at (orders/s): comparable between runs and machines, unlike half the sustained rate. */
const FIXED_LATENCY_RATE = 20;

/** When each Shopify order was placed and when its ERP sales order appeared. */
class IntakeTracker {
  private readonly placedAt = new Map<string, number>();
  private readonly createdAt = new Map<string, number>();
  private readonly salesOrdersPerOrder = new Map<string, number>();
  private seenRecords = 0;
  private readonly poller: NodeJS.Timeout;

  constructor(private readonly erp: ErpSandbox) {
    // In-process, every 25 ms (the sandboxes share this process: a tighter loop would slow them):
    // the ERP's sales orders are records in creation order.
    this.poller = setInterval(() => this.scan(), 25);
  }

  placed(channelOrderId: string, at: number): void {
    this.placedAt.set(channelOrderId, at);
  }

  private scan(): void {
    const salesOrders = this.erp.records.list('salesOrder');
    const now = performance.now();
    for (const record of salesOrders.slice(this.seenRecords)) {
      const channelOrderId = String(record.fields.custbody_rm_channel_order_id ?? '');
      this.salesOrdersPerOrder.set(channelOrderId, (this.salesOrdersPerOrder.get(channelOrderId) ?? 0) + 1);
      if (!this.createdAt.has(channelOrderId)) this.createdAt.set(channelOrderId, now);
    }
    this.seenRecords = salesOrders.length;
  }

  created(channelOrderId: string): boolean {
    return this.createdAt.has(channelOrderId);
  }

  /**
   * Waits until every one of `channelOrderIds` is an ERP sales order. Each id is looked up until it
   * is, then never again: checking them all every 20 ms would cost the sandboxes' process more
   * than the orders it measures.
   */
  async waitForAll(channelOrderIds: readonly string[], description: string): Promise<void> {
    let created = 0;
    await waitFor(
      async () => {
        while (created < channelOrderIds.length && this.createdAt.has(channelOrderIds[created]!)) created += 1;
        return created === channelOrderIds.length || undefined;
      },
      { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 20, description },
    );
  }

  latenciesMs(channelOrderIds: readonly string[]): number[] {
    return channelOrderIds.map((id) => this.createdAt.get(id)! - this.placedAt.get(id)!);
  }

  lastCreatedAt(channelOrderIds: readonly string[]): number {
    return Math.max(...channelOrderIds.map((id) => this.createdAt.get(id)!));
  }

  /** Sales orders beyond the first for one channel order. */
  duplicates(): number {
    return [...this.salesOrdersPerOrder.values()].reduce((sum, count) => sum + count - 1, 0);
  }

  stop(): void {
    clearInterval(this.poller);
    this.scan();
  }
}

/**
 * Places Shopify orders in the sandbox in-process, as its checkout route does (it delivers the
 * orders/create webhook over HTTP): the load generator shares the machine with the mesh, so it
 * spends nothing on requests of its own, as the availability bench writes to the ERP in-process.
 */
class OrderPlacer {
  private next = 0;

  constructor(
    private readonly shopify: ShopifySandbox,
    private readonly skus: DemoSku[],
    private readonly linesPerOrder: number,
    private readonly tracker: IntakeTracker,
  ) {}

  place(): string {
    const lineItems = Array.from({ length: this.linesPerOrder }, () => {
      const demo = this.skus[this.next % this.skus.length]!;
      this.next += 1;
      return { sku: demo.sku, quantity: 1, price: '19.99', taxLines: [{ title: 'State tax', rate: 0.05, price: '1.00' }] };
    });
    const placedAt = performance.now();
    const order = this.shopify.placeOrder(DEMO_SHOP, {
      lineItems,
      email: 'bench@example.com',
      shippingAddress: {
        firstName: 'Bench',
        lastName: 'Buyer',
        address1: '1 Main St',
        city: 'Springfield',
        province: 'Illinois',
        provinceCode: 'IL',
        zip: '62701',
        country: 'United States',
        countryCode: 'US',
      },
    });
    this.tracker.placed(order.id, placedAt);
    return order.id;
  }
}

interface BurstResult {
  orders: number;
  placeSeconds: number;
  seconds: number;
  ordersPerSecond: number;
}

/** Offers `orders` at `ratePerSecond` (more than the mesh takes), then waits until every one is an ERP sales order. */
async function measureBurst(placer: OrderPlacer, tracker: IntakeTracker, orders: number, ratePerSecond: number): Promise<BurstResult> {
  const started = performance.now();
  const placed = await placeAtRate(placer, ratePerSecond, orders);
  const placeSeconds = (performance.now() - started) / 1000;
  await tracker.waitForAll(placed, 'every order of the burst to become an ERP sales order');
  const seconds = (tracker.lastCreatedAt(placed) - started) / 1000;
  return { orders, placeSeconds, seconds, ordersPerSecond: orders / seconds };
}

/** Places `count` orders at a steady `ratePerSecond`, a tick's worth every 20 ms (Shopify delivers each order's webhook at once). */
async function placeAtRate(placer: OrderPlacer, ratePerSecond: number, count: number): Promise<string[]> {
  const tickMs = 20;
  const started = performance.now();
  const placed: string[] = [];
  for (let tick = 0; placed.length < count; tick += 1) {
    const due = Math.min(count, Math.round(((tick + 1) * tickMs * ratePerSecond) / 1000)) - placed.length;
    for (let i = 0; i < due; i += 1) placed.push(placer.place());
    await endOfTick(started, tick, tickMs);
  }
  return placed;
}

function printBurst(label: string, burst: BurstResult, linesPerOrder: number, ratePerSecond: number): void {
  console.log(
    `${label}: ${burst.orders} orders of ${linesPerOrder} lines offered at ${ratePerSecond}/s (placed in ${round(burst.placeSeconds)} s), ` +
      `all ERP sales orders after ${round(burst.seconds)} s → ${round(burst.ordersPerSecond, 0)} orders/s end to end`,
  );
}

interface LatencyResult {
  offeredPerSecond: number;
  orders: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** How the Shopify sandbox's first attempt of each webhook went: Shopify gives a receiver 5 s, then retries a minute later. */
function printWebhookAnswers(mesh: DistributedMesh, when: string): number {
  const { answered, notAnswered } = mesh.sandboxes.shopify.webhooks.firstAttempts();
  console.log(
    `Shopify webhooks ${when}: ${answered} answered on the first attempt, ${notAnswered} not (timed out or refused: retried later)`,
  );
  return notAnswered;
}

function printLatency(rate: string, latency: LatencyResult, seconds: number): void {
  console.log(
    `intake latency at ${rate}: ${latency.offeredPerSecond} orders/s for ${seconds} s (${latency.orders} orders): ` +
      `p50 ${latency.p50Ms} ms, p90 ${latency.p90Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms`,
  );
}

/** Places orders at a steady rate for `seconds`; each order's latency is placement → ERP sales order. */
async function measureLatency(placer: OrderPlacer, tracker: IntakeTracker, ratePerSecond: number, seconds: number): Promise<LatencyResult> {
  const placed = await placeAtRate(placer, ratePerSecond, Math.round(ratePerSecond * seconds));
  await tracker.waitForAll(placed, 'every timed order to become an ERP sales order');
  const sorted = tracker.latenciesMs(placed).sort((a, b) => a - b);
  return {
    offeredPerSecond: ratePerSecond,
    orders: placed.length,
    p50Ms: round(percentile(sorted, 0.5), 1),
    p90Ms: round(percentile(sorted, 0.9), 1),
    p99Ms: round(percentile(sorted, 0.99), 1),
    maxMs: round(sorted.at(-1) ?? Number.NaN, 1),
  };
}

/** Gives every SKU plenty of stock and waits until inventory has applied it (Shopify shows it). */
async function stockUp(mesh: DistributedMesh, skus: DemoSku[]): Promise<void> {
  const erpAdmin = new SandboxAdminClient(mesh.layout.sandboxUrls.erp);
  await erpAdmin.call(
    'PUT',
    '/_sandbox/stock',
    skus.flatMap((demo) => DEMO_LOCATIONS.map((location) => ({ sku: demo.sku, location, onHand: PLENTY }))),
  );
  const shopifyAdmin = new SandboxAdminClient(mesh.layout.sandboxUrls.shopify);
  await waitFor(
    async () => {
      const { levels } = await shopifyAdmin.call<{ levels: { available: number }[] }>(
        'GET',
        `/_sandbox/inventory-levels?shop=${DEMO_SHOP}`,
      );
      return (levels.length === skus.length && levels.every((level) => level.available > PLENTY)) || undefined;
    },
    { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 200, description: 'the stock to reach the channel' },
  );
}

/** Channel orders (the Shopify sandbox) that never became an ERP sales order. */
function lostOrders(mesh: DistributedMesh, tracker: IntakeTracker): number {
  const shop = mesh.sandboxes.shopify.shops.get(DEMO_SHOP);
  if (!shop) throw new Error(`the Shopify sandbox has no shop ${DEMO_SHOP}`);
  const channelOrderIds = [...shop.orders.values()].map((order) => order.id);
  return channelOrderIds.filter((id) => !tracker.created(id)).length;
}

export async function measureOrders(options: OrdersOptions = {}): Promise<OrdersResult> {
  const productCount = options.productCount ?? 100;
  const burstOrders = options.burstOrders ?? 3_000;
  const linesPerOrder = options.linesPerOrder ?? 3;
  const burstRatePerSecond = options.burstRatePerSecond ?? 500;
  const latencySeconds = options.latencySeconds ?? 15;

  let tracker: IntakeTracker | undefined;
  try {
    const skus = demoSkus(productCount);
    return await withBenchMesh(PORT_OFFSET, skus, async ({ mesh, database }) => {
      await stockUp(mesh, skus);
      console.log(`${skus.length} SKUs seeded and stocked`);

      tracker = new IntakeTracker(mesh.sandboxes.erp);
      const placer = new OrderPlacer(mesh.sandboxes.shopify, skus, linesPerOrder, tracker);

      // Freshly started services spend the first burst compiling: V8 optimises the hot paths as
      // they become hot, a sixth of the machine's CPU in a profile of it. Production services run
      // warm, so the same burst is offered twice and the second is the figure.
      const cold = await measureBurst(placer, tracker, burstOrders, burstRatePerSecond);
      printBurst('first burst (services just started: V8 still compiling)', cold, linesPerOrder, burstRatePerSecond);
      const burst = await measureBurst(placer, tracker, burstOrders, burstRatePerSecond);
      printBurst('sustained', burst, linesPerOrder, burstRatePerSecond);

      printWebhookAnswers(mesh, 'after the two bursts');
      const fixed = await measureLatency(placer, tracker, FIXED_LATENCY_RATE, latencySeconds);
      printLatency('a fixed rate', fixed, latencySeconds);
      const latency = await measureLatency(placer, tracker, Math.max(1, Math.round(burst.ordersPerSecond / 2)), latencySeconds);
      printLatency('half the sustained rate', latency, latencySeconds);

      const webhooksNotAnswered = printWebhookAnswers(mesh, 'in the whole run');
      await printServiceMetrics(
        mesh,
        /consumer|outbox|handl|orders_|erp_connector|sales_order|intake|webhook|grpc_server_handling_seconds_(sum|count)/i,
      );
      tracker.stop();
      const duplicates = tracker.duplicates();
      const lost = lostOrders(mesh, tracker);
      console.log(
        `checked ${cold.orders + burst.orders + fixed.orders + latency.orders} channel orders against the ERP: ${duplicates} duplicate(s), ${lost} lost`,
      );

      return {
        ordersPerSecond: round(burst.ordersPerSecond, 1),
        coldOrdersPerSecond: round(cold.ordersPerSecond, 1),
        p50Ms: latency.p50Ms,
        p99Ms: latency.p99Ms,
        duplicates,
        lost,
        fixedRatePerSecond: fixed.offeredPerSecond,
        fixedRateP50Ms: fixed.p50Ms,
        fixedRateP99Ms: fixed.p99Ms,
        webhooksNotAnswered,
        postgresTransport: database.transport,
      };
    });
  } finally {
    tracker?.stop();
  }
}
