import { describe, expect, it } from 'vitest';
import { DeliveryBatcher } from './delivery-batcher.js';

/** Lets pending callbacks run until `condition` holds (a handful of turns of the event loop). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('DeliveryBatcher', () => {
  it('hands over what waits at once, up to the maximum, one batch at a time', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const batcher = new DeliveryBatcher<number>(4, async (items) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      batches.push(items);
      await Promise.resolve();
      inFlight--;
    });
    await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.add(index)));
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(mostInFlight).toBe(1);
  });

  it('with two in flight, starts the next full batch while the first is still being handled, never a third', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const releases: Array<() => void> = [];
    const batcher = new DeliveryBatcher<number>(
      3,
      async (items) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        batches.push(items);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight--;
      },
      2,
    );
    const handled = Promise.all(Array.from({ length: 8 }, (_, index) => batcher.add(index)));
    await waitUntil(() => releases.length === 2);
    expect(batches).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    releases.shift()!();
    await waitUntil(() => releases.length === 1);
    // Not a full batch: it waits for the one still in flight.
    for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(2);
    releases.shift()!();
    await waitUntil(() => releases.length === 1);
    expect(batches.at(-1)).toEqual([6, 7]);
    releases.shift()!();
    await handled;
    expect(mostInFlight).toBe(2);
  });

  it('with two in flight, starts a second batch only when a full one waits', async () => {
    const batches: number[][] = [];
    const releases: Array<() => void> = [];
    const batcher = new DeliveryBatcher<number>(
      3,
      async (items) => {
        batches.push(items);
        await new Promise<void>((resolve) => releases.push(resolve));
      },
      2,
    );
    const first = batcher.add(0);
    await waitUntil(() => releases.length === 1);
    const more = [batcher.add(1), batcher.add(2)];
    for (let turn = 0; turn < 5; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[0]]);
    releases.shift()!();
    await first;
    await waitUntil(() => releases.length === 1);
    expect(batches).toEqual([[0], [1, 2]]);
    releases.shift()!();
    await Promise.all(more);
  });

  it('refuses a maxInFlight below 1', () => {
    expect(() => new DeliveryBatcher<number>(1, async () => undefined, 0)).toThrow(/maxInFlight/);
  });

  it('takes a single item alone when nothing else waits', async () => {
    const batches: string[][] = [];
    const batcher = new DeliveryBatcher<string>(10, async (items) => void batches.push(items));
    await batcher.add('a');
    await batcher.add('b');
    expect(batches).toEqual([['a'], ['b']]);
  });

  it('retries the items of a failed batch one by one, so only the bad one fails', async () => {
    const calls: string[][] = [];
    const batcher = new DeliveryBatcher<string>(10, async (items) => {
      calls.push(items);
      if (items.includes('bad')) throw new Error('bad item');
    });
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((item) => batcher.add(item)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('bad item'));
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('keeps going after a failure with what arrived meanwhile', async () => {
    const seen: string[] = [];
    const batcher = new DeliveryBatcher<string>(10, async (items) => {
      if (items.length === 1 && items[0] === 'bad') throw new Error('no');
      seen.push(...items);
    });
    await expect(batcher.add('bad')).rejects.toThrow('no');
    await batcher.add('next');
    expect(seen).toEqual(['next']);
  });
});
