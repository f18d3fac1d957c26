// Availability flow in distributed mode: ERP stock change → erp-connector → inventory →
// channel-shopify → Shopify sandbox. Measures the sustained end-to-end rate (a fixed burst of
// changes drained to convergence), the latency of single changes offered at a fixed rate and at
// half the sustained rate, Shopify calls per change, and the broker's raw ceiling in the same run
// for a ratio.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import {
  demoSkus,
  DEMO_LOCATIONS,
  DEMO_SAFETY_STOCK,
  DEMO_SHOP,
  DEMO_SHOPIFY_LOCATION_GID,
  type DemoSku,
  type DistributedMesh,
} from '@retail-mesh/mesh';
import type { LevelState, ShopState } from '@retail-mesh/sandbox-shopify';
import { SandboxAdminClient } from '@retail-mesh/sandbox-kit';
import { waitFor } from '@retail-mesh/testing';
import {
  endOfTick,
  histogramSnapshot,
  machineBusy,
  machineCpu,
  percentile,
  printHistogramDeltas,
  printServiceMetrics,
  round,
  withBenchMesh,
  type BenchDatabase,
} from './bench-support.js';
import { brokerWalSequence, rollBrokerWal } from './broker-wal.js';
import { measureRawAmqp } from './raw-amqp.js';

export interface AvailabilityResult {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  channelCallsPerChange: number;
  rawAmqpPerSecond: number;
  ratio: number;
  /** The rate p50Ms and p99Ms were measured at (half of eventsPerSecond, as offered). */
  halfRatePerSecond: number;
  /** Latency at a fixed offered rate, comparable between runs whatever the sustained rate. */
  fixedRatePerSecond: number;
  fixedRateP50Ms: number;
  fixedRateP99Ms: number;
  /** The broker's WAL roll-overs during the half-rate phase (one is forced just before it; ADR 0016). */
  halfRateWalRollOvers: number;
  /** The machine while the half rate was offered: busy percent of its cores, CPU ms per change. */
  halfRateMachineBusyPercent: number;
  halfRateCpuMsPerChange: number;
  /** How the services reached PostgreSQL (ADR 0015). */
  postgresTransport: BenchDatabase['transport'];
}

export interface AvailabilityOptions {
  productCount?: number;
  burstChanges?: number;
  batchSize?: number;
  latencySeconds?: number;
}

/** Clear of `npm start` (0) and the e2e meshes (300, 400). */
const PORT_OFFSET = 500;
/** Every change moves WH-EAST above this floor, so the available quantity always changes. */
const CHANGE_FLOOR = 50;
const CONVERGENCE_TIMEOUT_MS = 150_000;
/** Where a change's time goes: its age as each consumer takes it, the publisher's passes, the push loop's queue, the channel pushes. */
const HOP_HISTOGRAMS =
  /feed_change_age_seconds|consumer_event_age_seconds|availability_push_(latency|wait)_seconds|recompute|api_call_seconds/;
/** Runs of the raw broker measurement; the median is the figure. */
const RAW_AMQP_RUNS = 3;
/** The fixed rate latency is also measured at (changes/s). */
const FIXED_LATENCY_RATE = 500;

type StockChange = { sku: string; location: string; onHand: number };
/** The ERP sandbox's stock, written in-process. */
type ErpStock = DistributedMesh['sandboxes']['erp']['stock'];

/** The ERP stock the bench has written, and the Shopify quantity each SKU must end up showing. */
class StockModel {
  private readonly onHand = new Map<string, Record<string, number>>();
  private readonly versions = new Map<string, number>();

  constructor(readonly skus: DemoSku[]) {
    for (const demo of skus) this.onHand.set(demo.sku, { ...demo.onHand });
  }

  /** A change to one SKU that gives it an available quantity it has never had. */
  nextChange(sku: string): StockChange {
    const version = (this.versions.get(sku) ?? 0) + 1;
    this.versions.set(sku, version);
    const change = { sku, location: DEMO_LOCATIONS[0], onHand: CHANGE_FLOOR + version };
    this.onHand.set(sku, { ...this.onHand.get(sku), [change.location]: change.onHand });
    return change;
  }

  expected(sku: string): number {
    const onHand = this.onHand.get(sku) ?? {};
    const total = DEMO_LOCATIONS.reduce((sum, location) => sum + (onHand[location] ?? 0), 0);
    return Math.max(0, total - DEMO_SAFETY_STOCK);
  }
}

/** Reads Shopify levels in-process and hears of each change as the sandbox applies it (no polling load). */
class ShopifyProbe {
  private readonly itemBySku: Map<string, string>;
  private readonly skuByItem: Map<string, string>;

  constructor(
    private readonly shop: ShopState,
    skus: DemoSku[],
  ) {
    this.itemBySku = new Map(skus.map((demo) => [demo.sku, demo.inventoryItemGid]));
    this.skuByItem = new Map(skus.map((demo) => [demo.inventoryItemGid, demo.sku]));
  }

  available(sku: string): number | undefined {
    const item = this.itemBySku.get(sku);
    return item === undefined ? undefined : this.shop.level(item, DEMO_SHOPIFY_LOCATION_GID)?.quantities.available;
  }

  converged(model: StockModel): boolean {
    return model.skus.every((demo) => this.available(demo.sku) === model.expected(demo.sku));
  }

  /** Calls `listener` with the SKU and its new available quantity whenever a push changes it; returns the unsubscribe. */
  onChange(listener: (sku: string, available: number) => void): () => void {
    const onLevel = (level: LevelState) => {
      const sku = this.skuByItem.get(level.inventoryItemId);
      if (sku !== undefined && level.locationId === DEMO_SHOPIFY_LOCATION_GID) listener(sku, level.quantities.available);
    };
    this.shop.levelListeners.add(onLevel);
    return () => this.shop.levelListeners.delete(onLevel);
  }
}

interface ShopCounters {
  graphqlCalls: number;
  mutationsApplied: number;
  throttledCalls: number;
}

async function shopCounters(admin: SandboxAdminClient): Promise<ShopCounters> {
  const body = await admin.call<{ shops: { shop: string; counters: ShopCounters }[] }>('GET', '/_sandbox/shops');
  const shop = body.shops.find((candidate) => candidate.shop === DEMO_SHOP);
  if (!shop) throw new Error(`the Shopify sandbox has no shop ${DEMO_SHOP}`);
  return shop.counters;
}

function counterDelta(after: ShopCounters, before: ShopCounters): ShopCounters {
  return {
    graphqlCalls: after.graphqlCalls - before.graphqlCalls,
    mutationsApplied: after.mutationsApplied - before.mutationsApplied,
    throttledCalls: after.throttledCalls - before.throttledCalls,
  };
}

interface BurstResult {
  changes: number;
  writeSeconds: number;
  seconds: number;
  changesPerSecond: number;
  counters: ShopCounters;
}

/** Writes a fixed count of changes to the ERP as fast as it takes them, then waits for convergence. */
async function measureBurst(
  erp: ErpStock,
  shopifyAdmin: SandboxAdminClient,
  model: StockModel,
  probe: ShopifyProbe,
  changes: number,
  batchSize: number,
): Promise<BurstResult> {
  const before = await shopCounters(shopifyAdmin);
  const started = performance.now();
  let next = 0;
  for (let written = 0; written < changes; written += batchSize) {
    const batch: StockChange[] = [];
    // Consecutive SKUs: a batch never touches one SKU twice, the burst spreads over all of them.
    for (let i = 0; i < Math.min(batchSize, changes - written); i += 1) {
      batch.push(model.nextChange(model.skus[next].sku));
      next = (next + 1) % model.skus.length;
    }
    for (const change of batch) erp.setOnHand(change);
  }
  const writeSeconds = (performance.now() - started) / 1000;
  await waitFor(async () => probe.converged(model) || undefined, {
    timeoutMs: CONVERGENCE_TIMEOUT_MS,
    intervalMs: 20,
    description: 'Shopify to converge on the burst',
  });
  const seconds = (performance.now() - started) / 1000;
  const counters = counterDelta(await shopCounters(shopifyAdmin), before);
  return { changes, writeSeconds, seconds, changesPerSecond: changes / seconds, counters };
}

interface LatencyResult {
  /** The rate asked for, and the rate achieved (a SKU with a change in flight is not offered another). */
  targetPerSecond: number;
  offeredPerSecond: number;
  seen: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  counters: ShopCounters;
  /**
   * The whole machine while the changes were offered: busy percent of its cores, and busy CPU
   * time per change offered (the mesh's cost per change, plus the sandboxes' and the broker's).
   * The half rate follows the burst rate, so this says how near the machine's limit it was.
   */
  machine: { busyPercent: number; cpuMsPerChange: number };
  /** Event loop delay of this process, which hosts the sandboxes: a busy loop answers Shopify calls late. */
  hostLoopDelay: { p50Ms: number; p99Ms: number; maxMs: number };
  /** The broker's WAL roll-overs while the changes were offered, after one forced just before (ADR 0016). */
  walRollOvers: number;
}

/**
 * Offers single-SKU changes at a steady rate; each has a value its SKU never had, so the moment
 * the Shopify sandbox applies that value (it tells the probe) marks its arrival.
 */
async function measureLatency(
  erp: ErpStock,
  shopifyAdmin: SandboxAdminClient,
  model: StockModel,
  probe: ShopifyProbe,
  ratePerSecond: number,
  seconds: number,
): Promise<LatencyResult> {
  // Between the broker's WAL roll-overs: the phase starts on a fresh WAL file (ADR 0016).
  const walBefore = await rollBrokerWal();
  const before = await shopCounters(shopifyAdmin);
  const pending = new Map<string, { expected: number; writtenAt: number }>();
  const latencies: number[] = [];
  const stopListening = probe.onChange((sku, available) => {
    const change = pending.get(sku);
    if (change === undefined || available !== change.expected) return;
    latencies.push(performance.now() - change.writtenAt);
    pending.delete(sku);
  });

  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const tickMs = 20;
  const ticks = Math.round((seconds * 1000) / tickMs);
  const cpuBefore = machineCpu();
  const started = performance.now();
  let due = 0;
  let offered = 0;
  let cursor = 0;
  let busy = { percent: Number.NaN, busyMs: Number.NaN };
  try {
    for (let tick = 0; tick < ticks; tick += 1) {
      const target = Math.round(((tick + 1) * tickMs * ratePerSecond) / 1000);
      const batch: StockChange[] = [];
      // Only SKUs with nothing in flight, so coalescing never hides a change being timed.
      for (let scanned = 0; batch.length < target - due && scanned < model.skus.length; scanned += 1) {
        const sku = model.skus[cursor].sku;
        cursor = (cursor + 1) % model.skus.length;
        if (!pending.has(sku)) batch.push(model.nextChange(sku));
      }
      due = target;
      if (batch.length > 0) {
        const writtenAt = performance.now();
        for (const change of batch) pending.set(change.sku, { expected: model.expected(change.sku), writtenAt });
        offered += batch.length;
        for (const change of batch) erp.setOnHand(change);
      }
      await endOfTick(started, tick, tickMs);
    }
    busy = machineBusy(cpuBefore, machineCpu());
    await waitFor(async () => pending.size === 0 || undefined, {
      timeoutMs: 60_000,
      intervalMs: 20,
      description: 'every timed change to reach Shopify',
    });
  } finally {
    stopListening();
    loopDelay.disable();
  }
  const counters = counterDelta(await shopCounters(shopifyAdmin), before);
  const walRollOvers = (await brokerWalSequence()) - walBefore;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    targetPerSecond: ratePerSecond,
    offeredPerSecond: round(offered / seconds, 1),
    seen: latencies.length,
    p50Ms: round(percentile(sorted, 0.5), 1),
    p90Ms: round(percentile(sorted, 0.9), 1),
    p99Ms: round(percentile(sorted, 0.99), 1),
    maxMs: round(sorted.at(-1) ?? Number.NaN, 1),
    counters,
    machine: { busyPercent: busy.percent, cpuMsPerChange: round(busy.busyMs / Math.max(1, offered), 3) },
    hostLoopDelay: {
      p50Ms: round(loopDelay.percentile(50) / 1e6, 1),
      p99Ms: round(loopDelay.percentile(99) / 1e6, 1),
      maxMs: round(loopDelay.max / 1e6, 1),
    },
    walRollOvers,
  };
}

function printLatency(label: string, latency: LatencyResult, seconds: number): void {
  console.log(
    `latency ${label}: ${latency.offeredPerSecond} changes/s offered (target ${latency.targetPerSecond}) for ${seconds} s, ` +
      `${latency.seen} changes timed: p50 ${latency.p50Ms} ms, p90 ${latency.p90Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms`,
  );
  console.log(
    `  Shopify: ${latency.counters.graphqlCalls} GraphQL calls, ${latency.counters.mutationsApplied} mutations applied, ` +
      `${latency.counters.throttledCalls} throttled → ${round(latency.counters.graphqlCalls / Math.max(1, latency.seen), 3)} calls/change`,
  );
  const { hostLoopDelay, machine } = latency;
  console.log(`  machine while offered: ${machine.busyPercent}% of its cores busy, ${machine.cpuMsPerChange} ms of CPU per change`);
  console.log(
    `  sandbox host (this process) event loop delay: p50 ${hostLoopDelay.p50Ms} ms, p99 ${hostLoopDelay.p99Ms} ms, max ${hostLoopDelay.maxMs} ms`,
  );
  console.log(`  broker: its WAL rolled over just before the phase, and ${latency.walRollOvers} time(s) during it`);
}

async function waitForSeed(probe: ShopifyProbe, model: StockModel): Promise<number> {
  const started = performance.now();
  await waitFor(async () => probe.converged(model) || undefined, {
    timeoutMs: CONVERGENCE_TIMEOUT_MS,
    intervalMs: 100,
    description: 'Shopify to converge on the seeded stock',
  });
  return (performance.now() - started) / 1000;
}

export async function measureAvailability(options: AvailabilityOptions = {}): Promise<AvailabilityResult> {
  const productCount = options.productCount ?? 400;
  const burstChanges = options.burstChanges ?? 20_000;
  const batchSize = options.batchSize ?? 200;
  const latencySeconds = options.latencySeconds ?? 15;

  const skus = demoSkus(productCount);
  return withBenchMesh(PORT_OFFSET, skus, async ({ mesh, database, rabbitmqUrl, stopMesh }) => {
    const model = new StockModel(skus);
    // Changes are written to the ERP sandbox in-process: the load generator costs no HTTP round trips.
    const erp = mesh.sandboxes.erp.stock;
    const shopifyAdmin = new SandboxAdminClient(mesh.layout.sandboxUrls.shopify);
    const shop = mesh.sandboxes.shopify.shops.get(DEMO_SHOP);
    if (!shop) throw new Error(`the Shopify sandbox has no shop ${DEMO_SHOP}`);
    const probe = new ShopifyProbe(shop, skus);
    const seedSeconds = await waitForSeed(probe, model);
    console.log(`seed of ${skus.length} SKUs converged on Shopify in ${round(seedSeconds, 1)} s`);

    const burst = await measureBurst(erp, shopifyAdmin, model, probe, burstChanges, batchSize);
    console.log(
      `sustained: ${burst.changes} changes over ${skus.length} SKUs written in ${round(burst.writeSeconds)} s, ` +
        `converged after ${round(burst.seconds)} s → ${round(burst.changesPerSecond, 0)} changes/s end to end`,
    );
    console.log(
      `  Shopify: ${burst.counters.graphqlCalls} GraphQL calls, ${burst.counters.mutationsApplied} mutations applied, ` +
        `${burst.counters.throttledCalls} throttled → ${round(burst.counters.graphqlCalls / burst.changes, 3)} calls/change`,
    );

    // At a fixed rate (comparable between runs and machines), then at half the sustained rate (the figure).
    const hops = async () => histogramSnapshot(mesh, HOP_HISTOGRAMS);
    const beforeFixed = await hops();
    const fixed = await measureLatency(erp, shopifyAdmin, model, probe, FIXED_LATENCY_RATE, latencySeconds);
    printLatency('at a fixed rate', fixed, latencySeconds);
    const beforeHalf = await hops();
    printHistogramDeltas('per hop at the fixed rate', beforeFixed, beforeHalf);
    const halfRate = Math.max(1, Math.round(burst.changesPerSecond / 2));
    const latency = await measureLatency(erp, shopifyAdmin, model, probe, halfRate, latencySeconds);
    printLatency('at half the sustained rate', latency, latencySeconds);
    printHistogramDeltas('per hop at half the sustained rate', beforeHalf, await hops());

    await printServiceMetrics(mesh, /consumer|outbox|inbox|handl|relay|publish|shopify|erp_|push|dirty|pending|backlog|lag/i);
    await stopMesh();

    // The broker's ceiling, measured on the same vhost once the mesh no longer competes for the
    // CPU: the median of three runs, as one short run swings by a third on this machine.
    const rawRuns: number[] = [];
    for (let run = 0; run < RAW_AMQP_RUNS; run += 1) rawRuns.push((await measureRawAmqp(rabbitmqUrl)).messagesPerSecond);
    const raw = { messagesPerSecond: [...rawRuns].sort((a, b) => a - b)[Math.floor(RAW_AMQP_RUNS / 2)]! };
    console.log(
      `raw RabbitMQ: ${raw.messagesPerSecond} msg/s, the median of ${rawRuns.join(', ')} (1 KiB persistent, quorum queue, confirms, manual ack)`,
    );

    const eventsPerSecond = round(burst.changesPerSecond, 1);
    return {
      eventsPerSecond,
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
      channelCallsPerChange: round(burst.counters.graphqlCalls / burst.changes, 3),
      rawAmqpPerSecond: raw.messagesPerSecond,
      ratio: round(eventsPerSecond / raw.messagesPerSecond, 4),
      halfRatePerSecond: latency.offeredPerSecond,
      fixedRatePerSecond: fixed.offeredPerSecond,
      fixedRateP50Ms: fixed.p50Ms,
      fixedRateP99Ms: fixed.p99Ms,
      halfRateMachineBusyPercent: latency.machine.busyPercent,
      halfRateCpuMsPerChange: latency.machine.cpuMsPerChange,
      halfRateWalRollOvers: latency.walRollOvers,
      postgresTransport: database.transport,
    };
  });
}
