import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
