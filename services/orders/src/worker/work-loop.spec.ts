import { createLogger } from '@retail-mesh/observability';
import { waitFor } from '@retail-mesh/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkLoop } from './work-loop.js';

const logger = createLogger({ service: 'work-loop-spec', level: 'silent', destination: { write: () => undefined } });

/** A pass the test finishes by hand, counting how many ran and how many at once. */
class ControlledPasses {
  started = 0;
  running = 0;
  maxRunning = 0;
  private readonly finishers: Array<(more: boolean) => void> = [];
  results: boolean[] = [];

  readonly pass = (): Promise<boolean> => {
    this.started++;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<boolean>((resolve) => this.finishers.push(resolve)).finally(() => this.running--);
  };

  finishNext(more = false): void {
    this.finishers.shift()!(more);
  }

  get waiting(): number {
    return this.finishers.length;
  }
}

describe('WorkLoop', () => {
  let loop: WorkLoop | undefined;

  afterEach(async () => {
    await loop?.stop();
  });

  it('runs a pass when started and when woken, at most `concurrency` at once, and one more for wake-ups meanwhile', async () => {
    const passes = new ControlledPasses();
    loop = new WorkLoop(passes.pass, { name: 'test', concurrency: 2, pollIntervalMs: 60_000, retryDelayMs: 60_000, logger });
    loop.start();
    loop.wake();
    loop.wake();
    loop.wake();
    expect(passes.started).toBe(2);
    passes.finishNext();
    // The wake-ups while both ran ask for one more pass.
    await waitFor(() => passes.started === 3);
    passes.finishNext();
    passes.finishNext();
    await waitFor(() => passes.running === 0);
    expect(passes.started).toBe(3);
    expect(passes.maxRunning).toBe(2);
  });

  it('runs again at once while passes report more work, then waits for the poll', async () => {
    const passes = new ControlledPasses();
    loop = new WorkLoop(passes.pass, { name: 'test', concurrency: 1, pollIntervalMs: 60_000, retryDelayMs: 60_000, logger });
    loop.start();
    passes.finishNext(true);
    await waitFor(() => passes.started === 2);
    passes.finishNext(false);
    await waitFor(() => passes.running === 0);
    expect(passes.started).toBe(2);
  });

  it('polls after an empty pass and retries after a failed one', async () => {
    let calls = 0;
    loop = new WorkLoop(
      async () => {
        calls++;
        if (calls === 1) throw new Error('database unavailable');
        return false;
      },
      { name: 'test', concurrency: 1, pollIntervalMs: 10, retryDelayMs: 10, logger },
    );
    loop.start();
    await waitFor(() => calls >= 4);
  });

  it('waits for the passes in flight on stop and starts none after', async () => {
    const passes = new ControlledPasses();
    loop = new WorkLoop(passes.pass, { name: 'test', concurrency: 1, pollIntervalMs: 1, retryDelayMs: 1, logger });
    loop.start();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    expect(loop.isRunning).toBe(false);
    await Promise.resolve();
    expect(stopped).toBe(false);
    passes.finishNext(true);
    await stopping;
    loop.wake();
    expect(passes.started).toBe(1);
    expect(passes.waiting).toBe(0);
  });

  it('holds a reserved place like a running pass until the pass given to it ends, or gives it back on cancel', async () => {
    const passes = new ControlledPasses();
    loop = new WorkLoop(passes.pass, { name: 'test', concurrency: 2, pollIntervalMs: 60_000, retryDelayMs: 60_000, logger });
    loop.start();
    const reserved = loop.reserve()!;
    expect(reserved).toBeDefined();
    // The start-up pass and the reserved place fill both places: a wake-up waits, and nothing more can be reserved.
    loop.wake();
    expect(loop.reserve()).toBeUndefined();
    expect(passes.started).toBe(1);
    let given = 0;
    reserved.run(async () => {
      given++;
      return false;
    });
    // Its place is free once the given pass ended: the wake-up meanwhile gets its pass.
    await waitFor(() => passes.started === 2);
    expect(given).toBe(1);
    passes.finishNext();
    passes.finishNext();
    await waitFor(() => passes.running === 0);
    const places = [loop.reserve()!, loop.reserve()!];
    expect(loop.reserve()).toBeUndefined();
    places[0]!.cancel();
    await waitFor(() => {
      const place = loop!.reserve();
      place?.cancel();
      return place !== undefined;
    });
    places[1]!.cancel();
    expect(passes.started).toBe(2);
  });

  it('waits on stop for a reserved place to run its pass', async () => {
    const passes = new ControlledPasses();
    loop = new WorkLoop(passes.pass, { name: 'test', concurrency: 2, pollIntervalMs: 60_000, retryDelayMs: 60_000, logger });
    loop.start();
    passes.finishNext();
    await waitFor(() => passes.running === 0);
    const reserved = loop.reserve()!;
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    expect(loop.reserve()).toBeUndefined();
    await Promise.resolve();
    expect(stopped).toBe(false);
    let ran = false;
    reserved.run(async () => {
      ran = true;
      return false;
    });
    await stopping;
    expect(ran).toBe(true);
  });
});
