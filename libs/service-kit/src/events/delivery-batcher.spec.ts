import { describe, expect, it } from 'vitest';
import { DeliveryBatcher } from './delivery-batcher.js';

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
