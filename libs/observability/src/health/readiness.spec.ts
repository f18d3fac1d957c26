import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness.js';

describe('Readiness', () => {
  it('is ready when every check passes and names the ones that fail', async () => {
    const readiness = new Readiness(50);
    readiness.add('database', async () => undefined);
    readiness.add('broker', () => false);
    readiness.add('cache', () => {
      throw new Error('connection refused');
    });
    readiness.add('slow', () => new Promise(() => undefined));
    const report = await readiness.evaluate();
    expect(report.ready).toBe(false);
    expect(report.checks).toEqual([
      { name: 'database', ok: true },
      { name: 'broker', ok: false, error: 'not ready' },
      { name: 'cache', ok: false, error: 'connection refused' },
      { name: 'slow', ok: false, error: 'no answer within 50 ms' },
    ]);
  });

  it('turns not ready for good once shutting down, without waiting for the checks', async () => {
    const readiness = new Readiness();
    let checked = 0;
    readiness.add('database', () => {
      checked += 1;
      return true;
    });
    expect((await readiness.evaluate()).ready).toBe(true);
    readiness.markShuttingDown();
    expect(await readiness.evaluate()).toEqual({
      ready: false,
      checks: [{ name: 'shutdown', ok: false, error: 'the service is shutting down' }],
    });
    expect(checked).toBe(1);
  });

  it('rejects a second check with the same name', () => {
    const readiness = new Readiness();
    readiness.add('database', () => true);
    expect(() => readiness.add('database', () => true)).toThrow(/already registered/);
  });
});
