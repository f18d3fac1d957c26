// Small helpers every benchmark uses: percentiles, rounding, pacing, and the metrics dump that
// shows where the time went.
import { performance } from 'node:perf_hooks';
import { startDistributedMesh, type DistributedMesh } from '@retail-mesh/mesh';
import { createTestVhost, dropSchemasWithPrefix, TEST_POSTGRES_URL, uniqueName } from '@retail-mesh/testing';

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/** Paces offered load (benchmarks only; tests wait for conditions instead). */
export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

export interface BenchMesh {
  mesh: DistributedMesh;
  /** The mesh's own vhost (the raw broker measurement reuses it). */
  rabbitmqUrl: string;
  /** Stops the mesh before the end of the run (idempotent); the vhost and schemas stay until the end. */
  stopMesh(): Promise<void>;
}

/**
 * Runs `work` against a distributed mesh on its own vhost and schemas at `portOffset`, printing
 * error logs of the services, and removes everything afterwards, whatever happens.
 */
export async function withBenchMesh<T>(portOffset: number, work: (bench: BenchMesh) => Promise<T>): Promise<T> {
  const vhost = await createTestVhost('rm_bench');
  const schemaPrefix = `${uniqueName('rm_bench')}_`;
  let running: DistributedMesh | undefined;
  const stopMesh = async () => {
    const mesh = running;
    running = undefined;
    await mesh?.stop();
  };
  try {
    const started = performance.now();
    running = await startDistributedMesh({
      portOffset,
      rabbitmqUrl: vhost.url,
      databaseUrl: TEST_POSTGRES_URL,
      schemaPrefix,
      logLevel: 'warn',
      onLine: (name, line) => {
        if (/"level":(50|60)/.test(line)) console.log(`[${name}] ${line}`);
      },
    });
    console.log(`mesh started in ${round((performance.now() - started) / 1000, 1)} s (distributed, port offset ${portOffset})`);
    return await work({ mesh: running, rabbitmqUrl: vhost.url, stopMesh });
  } finally {
    await stopMesh();
    await vhost.remove();
    await dropSchemasWithPrefix(schemaPrefix);
  }
}
