// Small helpers every benchmark uses: percentiles, rounding, pacing, and the metrics dump that
// shows where the time went.
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { seedDemoChannels, seedDemoMesh, startDistributedMesh, type DemoSku, type DistributedMesh } from '@retail-mesh/mesh';
import { createTestVhost, dropSchemasWithPrefix, TEST_POSTGRES_URL, uniqueName } from '@retail-mesh/testing';
import pg from 'pg';

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/**
 * Paces offered load (benchmarks only; tests wait for conditions instead): waits until tick
 * `tick` of ticks of `tickMs` from `started` is over. It yields to the event loop even when the
 * load is behind: the sandboxes share this process, and a load catching up without yielding froze
 * them for seconds (webhooks not sent, API calls unanswered).
 */
export const endOfTick = (started: number, tick: number, tickMs: number): Promise<void> =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, started + (tick + 1) * tickMs - performance.now())));

/** The machine's CPU time so far, busy and in all, in ms summed over its cores (os.cpus()). */
export interface MachineCpu {
  busyMs: number;
  totalMs: number;
}

export function machineCpu(): MachineCpu {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cpus()) {
    busyMs += times.user + times.nice + times.sys + times.irq;
    totalMs += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busyMs, totalMs };
}

/**
 * How busy the whole machine was between two readings (every process: the mesh, the broker, the
 * database and this one), in percent of all its cores, and its busy CPU time in ms.
 */
export function machineBusy(before: MachineCpu, after: MachineCpu): { percent: number; busyMs: number } {
  const busyMs = after.busyMs - before.busyMs;
  return { percent: round((100 * busyMs) / Math.max(1, after.totalMs - before.totalMs), 1), busyMs };
}

/** Prints the lines of each service's /metrics that match `interesting` (no histogram buckets). */
export async function printServiceMetrics(mesh: DistributedMesh, interesting: RegExp): Promise<void> {
  for (const [name, ports] of Object.entries(mesh.layout.services)) {
    const response = await fetch(`http://127.0.0.1:${ports.httpPort}/metrics`);
    const lines = (await response.text())
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#') && !line.includes('_bucket{') && interesting.test(line));
    console.log(`--- ${name} /metrics (${lines.length} lines)`);
    for (const line of lines) console.log(`  ${line}`);
  }
}

/** Where the local PostgreSQL server listens besides TCP (Debian's default). */
const LOCAL_SOCKET_DIRECTORY = '/var/run/postgresql';

export interface BenchDatabase {
  url: string;
  /** How the services reach PostgreSQL: printed, and a field of the result. */
  transport: 'unix-socket' | 'tcp';
}

/**
 * The database the bench's mesh uses: BENCH_POSTGRES_URL when set, else the test database, through
 * the local server's Unix socket when it has one that accepts us (ADR 0015). On one machine a TCP
 * connection to 127.0.0.1 makes the kernel run both ends of the network stack on the mesh's cores
 * for every statement (about a tenth of the CPU per change in the availability bench), work that in
 * a deployment is a network card's and another host's.
 */
export async function benchDatabase(): Promise<BenchDatabase> {
  const explicit = process.env.BENCH_POSTGRES_URL;
  if (explicit !== undefined) return { url: explicit, transport: explicit.includes('%2F') ? 'unix-socket' : 'tcp' };
  const tcp = new URL(TEST_POSTGRES_URL);
  const port = tcp.port === '' ? '5432' : tcp.port;
  const isLocal = tcp.hostname === '127.0.0.1' || tcp.hostname === 'localhost';
  if (!isLocal || !existsSync(`${LOCAL_SOCKET_DIRECTORY}/.s.PGSQL.${port}`)) return { url: TEST_POSTGRES_URL, transport: 'tcp' };
  const userInfo = tcp.username === '' ? '' : `${tcp.username}${tcp.password === '' ? '' : `:${tcp.password}`}@`;
  const socketUrl = `postgres://${userInfo}${encodeURIComponent(LOCAL_SOCKET_DIRECTORY)}:${port}${tcp.pathname}`;
  const client = new pg.Client({ connectionString: socketUrl });
  try {
    await client.connect();
    return { url: socketUrl, transport: 'unix-socket' };
  } catch {
    // The socket refuses us (peer authentication, say): TCP as the tests use.
    return { url: TEST_POSTGRES_URL, transport: 'tcp' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BenchMesh {
  mesh: DistributedMesh;
  database: BenchDatabase;
  /** The mesh's own vhost (the raw broker measurement reuses it). */
  rabbitmqUrl: string;
  /** Stops the mesh before the end of the run (idempotent); the vhost and schemas stay until the end. */
  stopMesh(): Promise<void>;
}

/**
 * Runs `work` against a distributed mesh on its own vhost and schemas at `portOffset`, seeded
 * with the demo data of `skus` (the channels before the services start), printing error logs of
 * the services, and removes everything afterwards, whatever happens.
 */
export async function withBenchMesh<T>(portOffset: number, skus: DemoSku[], work: (bench: BenchMesh) => Promise<T>): Promise<T> {
  const vhost = await createTestVhost('rm_bench');
  const schemaPrefix = `${uniqueName('rm_bench')}_`;
  let running: DistributedMesh | undefined;
  const stopMesh = async () => {
    const mesh = running;
    running = undefined;
    await mesh?.stop();
  };
  try {
    const database = await benchDatabase();
    const started = performance.now();
    running = await startDistributedMesh({
      portOffset,
      rabbitmqUrl: vhost.url,
      databaseUrl: database.url,
      schemaPrefix,
      logLevel: 'warn',
      beforeServices: (layout) => seedDemoChannels(layout, skus),
      onLine: (name, line) => {
        if (/"level":"(error|fatal)"/.test(line)) console.log(`[${name}] ${line}`);
      },
    });
    console.log(
      `mesh started in ${round((performance.now() - started) / 1000, 1)} s (distributed, port offset ${portOffset}, ` +
        `PostgreSQL over ${database.transport === 'unix-socket' ? 'its local Unix socket' : 'TCP'})`,
    );
    await seedDemoMesh(running.layout, skus);
    return await work({ mesh: running, database, rabbitmqUrl: vhost.url, stopMesh });
  } finally {
    await stopMesh();
    await vhost.remove();
    await dropSchemasWithPrefix(schemaPrefix);
  }
}

/** Cumulative bucket counts of one histogram series, by upper bound. */
interface HistogramSeries {
  buckets: Map<number, number>;
  count: number;
}

/** Every series of the named histograms across the mesh's services, keyed `service name{labels}`. */
export type HistogramSnapshot = Map<string, HistogramSeries>;

const BUCKET_LINE = /^([a-z_]+)_bucket\{(.*)\} (\S+)$/;

/** Reads the histograms whose name matches `names` from every service's /metrics. */
export async function histogramSnapshot(mesh: DistributedMesh, names: RegExp): Promise<HistogramSnapshot> {
  const snapshot: HistogramSnapshot = new Map();
  for (const [service, ports] of Object.entries(mesh.layout.services)) {
    const text = await (await fetch(`http://127.0.0.1:${ports.httpPort}/metrics`)).text();
    for (const line of text.split('\n')) {
      const match = BUCKET_LINE.exec(line);
      if (!match || !names.test(match[1]!)) continue;
      const labels = match[2]!.split(',').filter((label) => !label.startsWith('le=') && !label.startsWith('service='));
      const bound = /le="([^"]+)"/.exec(match[2]!)?.[1];
      if (bound === undefined) continue;
      const key = `${service} ${match[1]}{${labels.join(',')}}`;
      const series = snapshot.get(key) ?? { buckets: new Map<number, number>(), count: 0 };
      const value = Number(match[3]);
      if (bound === '+Inf') series.count = value;
      else series.buckets.set(Number(bound), value);
      snapshot.set(key, series);
    }
  }
  return snapshot;
}

/**
 * p50 and p99 of what each series observed between two snapshots, interpolated within buckets
 * (as Prometheus' histogram_quantile does): where the latency of a measured phase went, per hop.
 */
export function printHistogramDeltas(label: string, before: HistogramSnapshot, after: HistogramSnapshot): void {
  console.log(`--- ${label}: observations between the phase's start and end (p50 / p99 from the buckets)`);
  for (const [key, end] of after) {
    const start = before.get(key);
    const count = end.count - (start?.count ?? 0);
    if (count <= 0) continue;
    const bounds = [...end.buckets.keys()].sort((a, b) => a - b);
    const cumulative = bounds.map((bound) => (end.buckets.get(bound) ?? 0) - (start?.buckets.get(bound) ?? 0));
    const quantile = (q: number): string => {
      const rank = q * count;
      let lower = 0;
      let below = 0;
      for (const [index, bound] of bounds.entries()) {
        const within = cumulative[index]!;
        if (within >= rank) return `${round((lower + ((rank - below) / Math.max(1, within - below)) * (bound - lower)) * 1000, 0)} ms`;
        lower = bound;
        below = within;
      }
      return `> ${round(lower * 1000, 0)} ms`;
    };
    console.log(`  ${key}: ${count} observed, p50 ${quantile(0.5)}, p99 ${quantile(0.99)}`);
  }
}
