import { describe, expect, it } from 'vitest';
import { forEachConcurrently } from './for-each-concurrently.js';

describe('forEachConcurrently', () => {
  it('runs every item, never more than the limit at once, starting them in order', async () => {
    const started: number[] = [];
    let running = 0;
    let mostRunning = 0;
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      started.push(item);
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
    });
    expect(started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(mostRunning).toBe(3);
  });

  it('finishes the other items, then rejects with the first error', async () => {
    const done: string[] = [];
    const run = forEachConcurrently(['a', 'bad', 'c', 'd'], 2, async (item) => {
      if (item === 'bad') throw new Error('bad item');
      done.push(item);
    });
    await expect(run).rejects.toThrow('bad item');
    expect(done.sort()).toEqual(['a', 'c', 'd']);
  });

  it('refuses a limit below one', async () => {
    await expect(forEachConcurrently([1], 0, async () => undefined)).rejects.toThrow('positive integer');
  });
});
