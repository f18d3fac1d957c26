import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from './concurrency-limit.js';

/** A task that runs until `finish` is called, recording when it started. */
function controlledTask(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

/** Lets every settled promise's reactions run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks at once and starts the others in arrival order as places free', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => controlledTask(started, name));
    const results = tasks.map(({ task }) => limit.run(task));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect([limit.inUse, limit.waiting]).toEqual([2, 2]);

    tasks[1]!.finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    expect([limit.inUse, limit.waiting]).toEqual([2, 1]);

    tasks[0]!.finish();
    tasks[2]!.finish();
    await settle();
    tasks[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([limit.inUse, limit.waiting]).toEqual([0, 0]);
  });

  it('frees the place of a task that fails', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.inUse).toBe(0);
  });

  it('ends a wait when its signal aborts: the task never runs and the queue moves on without it', async () => {
    const limit = new ConcurrencyLimit(1);
    const started: string[] = [];
    const first = controlledTask(started, 'first');
    const waiting = controlledTask(started, 'waiting');
    const last = controlledTask(started, 'last');
    const abort = new AbortController();
    const firstResult = limit.run(first.task);
    const waitingResult = limit.run(waiting.task, abort.signal);
    const lastResult = limit.run(last.task);
    await settle();

    abort.abort(new Error('timed out waiting'));
    await expect(waitingResult).rejects.toThrow('timed out waiting');
    expect(limit.waiting).toBe(1);

    first.finish();
    await settle();
    last.finish();
    expect([await firstResult, await lastResult]).toEqual(['first', 'last']);
    expect(started).toEqual(['first', 'last']);
  });

  it('refuses an aborted signal before taking a place', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(async () => 'ran', AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(limit.inUse).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
    expect(() => new ConcurrencyLimit(1.5)).toThrow(RangeError);
  });
});
