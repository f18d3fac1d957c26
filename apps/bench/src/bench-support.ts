// Small helpers every benchmark uses: percentiles, rounding, pacing, and the metrics dump that
// shows where the time went.
import type { DistributedMesh } from '@retail-mesh/mesh';

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
