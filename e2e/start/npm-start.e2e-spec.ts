// The README's first command, as a user runs it: `npm start` brings the whole embedded mesh up
// with demo data, a stock change in the ERP sandbox reaches the Shopify sandbox, Ctrl-C stops it
// cleanly, and a second start over the same data directory works the same way.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '@retail-mesh/testing';
import { afterAll, describe, expect, it } from 'vitest';

/** Clear of every other suite's mesh (300 to 900). */
const PORT_OFFSET = 1000;
const ERP = `http://127.0.0.1:${7000 + PORT_OFFSET}`;
const SHOPIFY = `http://127.0.0.1:${7001 + PORT_OFFSET}`;
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  output: string[];
}

async function npmStart(dataDir: string): Promise<Started> {
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT_OFFSET: String(PORT_OFFSET), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, like a terminal's foreground job, so that Ctrl-C can reach it all.
    detached: true,
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on('line', (line) => output.push(line));
  const outcome = await waitFor(
    () => {
      if (child.exitCode !== null) return 'exited';
      return output.some((line) => line.includes('Ctrl-C stops it.')) && 'listening';
    },
    { timeoutMs: 120_000, intervalMs: 100, description: 'npm start to print where everything listens' },
  );
  if (outcome === 'exited') throw new Error(`npm start exited with ${child.exitCode}:\n${output.join('\n')}`);
  return { child, output };
}

/** Ctrl-C, and what the mesh logged at error level or worse (a clean stop logs nothing). */
async function stop(started: Started): Promise<string[]> {
  const exited = once(started.child, 'exit');
  // Ctrl-C in a terminal signals the whole foreground process group: npm, the shell, the mesh.
  process.kill(-started.child.pid!, 'SIGINT');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  // npm passes the interrupt on and ends the same way as its script.
  expect(code === 0 || signal === 'SIGINT').toBe(true);
  return started.output.filter((line) => /"level":"(error|fatal)"/.test(line));
}

async function setErpStock(sku: string, onHand: Record<string, number>): Promise<void> {
  for (const [location, quantity] of Object.entries(onHand)) {
    const response = await fetch(`${ERP}/_sandbox/stock`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku, location, onHand: quantity }),
    });
    expect(response.status).toBe(200);
  }
}

async function shopifyAvailable(sku: string): Promise<number> {
  const response = await fetch(`${SHOPIFY}/_sandbox/inventory-levels?shop=retail-mesh-demo&sku=${sku}`);
  const body = (await response.json()) as { levels: { available: number }[] };
  return body.levels[0].available;
}

describe('npm start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'rm-npm-start-'));
  let running: Started | undefined;

  afterAll(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) await stop(running);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the embedded mesh with demo data: ERP stock reaches Shopify, Ctrl-C stops it cleanly', async () => {
    running = await npmStart(dataDir);
    expect(running.output.join('\n')).toContain(`http://127.0.0.1:${9151 + PORT_OFFSET}`);

    await setErpStock('DEMO-001-M', { 'WH-EAST': 25, 'WH-WEST': 5 });
    // 30 on hand less the demo's Shopify safety stock of 2.
    await waitFor(async () => (await shopifyAvailable('DEMO-001-M')) === 28, { description: 'Shopify to show 28' });
    // The demo shop exists before the services start: Shopify never refused the adapter's token.
    const metrics = await (await fetch(`http://127.0.0.1:${9161 + PORT_OFFSET}/metrics`)).text();
    expect(metrics).toContain('retail_mesh_channel_shopify_api_calls_total');
    expect(metrics).not.toContain('outcome="unauthorized"');

    expect(await stop(running)).toEqual([]);
  });

  it('starts again over the same data directory and still follows the ERP', async () => {
    running = await npmStart(dataDir);

    await setErpStock('DEMO-002-L', { 'WH-EAST': 7, 'WH-WEST': 0 });
    await waitFor(async () => (await shopifyAvailable('DEMO-002-L')) === 5, { description: 'Shopify to show 5' });

    expect(await stop(running)).toEqual([]);
  });
});
