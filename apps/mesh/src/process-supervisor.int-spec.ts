import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@retail-mesh/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilServiceReady } from './distributed-mesh.js';
import { ProcessSupervisor } from './process-supervisor.js';

function script(source: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'rm-supervisor-')), 'main.mjs');
  writeFileSync(file, source);
  return file;
}

describe('a service that fails to start', () => {
  const supervisor = new ProcessSupervisor();
  afterEach(() => supervisor.stopAll());

  it('fails the wait at once with its exit status and last output lines', async () => {
    const failing = script(
      `console.log('{"msg":"connecting"}'); console.error('Error: listen EADDRINUSE: address already in use 0.0.0.0:20856'); process.exit(3);`,
    );
    supervisor.start({ name: 'catalog', script: failing, env: {} });

    const wait = waitUntilServiceReady(supervisor, 'catalog', 1, 60_000);

    await expect(wait).rejects.toThrow(/catalog exited during start-up \(exit code 3\)/);
    await expect(wait).rejects.toThrow(/\{"msg":"connecting"\}\nError: listen EADDRINUSE/);
  });

  it('keeps only the latest lines of a chatty process', async () => {
    const chatty = script(`for (let i = 0; i < 100; i++) console.log('line ' + i); process.exit(1);`);
    supervisor.start({ name: 'inventory', script: chatty, env: {} });

    await expect(waitUntilServiceReady(supervisor, 'inventory', 1, 60_000)).rejects.toThrow(/exit code 1/);

    const lines = supervisor.recentOutput('inventory');
    expect(lines.length).toBe(40);
    expect(lines.at(-1)).toBe('line 99');
    expect(lines[0]).toBe('line 60');
  });
});

describe('a process whose supervisor dies', () => {
  it('is killed when the supervising process exits on an uncaught error', async () => {
    const sleeper = script(`setInterval(() => {}, 1000);`);
    const supervisorModule = pathToFileURL(path.resolve(import.meta.dirname, '../dist/process-supervisor.js')).href;
    const parent = script(
      `import { ProcessSupervisor } from ${JSON.stringify(supervisorModule)};
       const child = new ProcessSupervisor().start({ name: 'catalog', script: ${JSON.stringify(sleeper)}, env: {} });
       child.once('spawn', () => { console.log(child.pid); throw new Error('the bench failed'); });`,
    );
    const outcome = await promisify(execFile)(process.execPath, [parent]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(outcome?.code).toBe(1);
    const childPid = Number(outcome!.stdout.trim());
    expect(childPid).toBeGreaterThan(0);
    // Signal 0 only asks whether the process exists (a killed child lingers until it is reaped).
    const exists = () => {
      try {
        process.kill(childPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await waitFor(() => !exists() || undefined, { timeoutMs: 10_000, description: 'the orphaned service to be gone' });
  });
});
