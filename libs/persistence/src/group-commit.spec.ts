import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

/** Lets pending callbacks run until `condition` holds (a handful of turns of the event loop). */
async function waitUntil(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !condition(); turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('GroupCommit', () => {
  it('runs the calls of one turn together, and those that arrive meanwhile in the next batch', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const firstBatchHeld = new Promise<void>((resolve) => (release = resolve));
    const group = new GroupCommit<number, string>(10, async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) await firstBatchHeld;
      return inputs.map((input) => `done ${input}`);
    });
    const first = [1, 2, 3].map((input) => group.submit(input));
    await new Promise((resolve) => setImmediate(resolve));
    const later = [4, 5].map((input) => group.submit(input));
    release();
    expect(await Promise.all([...first, ...later])).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('takes at most the maximum per batch', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit<number, number>(2, async (inputs) => {
      batches.push(inputs);
      return inputs;
    });
    expect(await Promise.all([1, 2, 3, 4, 5].map((input) => group.submit(input)))).toEqual([1, 2, 3, 4, 5]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('runs each call of a failed batch alone, so that only the call that caused the failure fails', async () => {
    const group = new GroupCommit<number, number>(10, async (inputs) => {
      if (inputs.includes(2)) throw new Error('2 is refused');
      return inputs.map((input) => input * 10);
    });
    const outcomes = await Promise.allSettled([1, 2, 3].map((input) => group.submit(input)));
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual([
      10,
      '2 is refused',
      30,
    ]);
  });

  describe('batches in flight and failures', () => {
    it('hands over what waits at once, up to the maximum, one batch at a time', async () => {
      const batches: number[][] = [];
      let inFlight = 0;
      let mostInFlight = 0;
      const batcher = new GroupCommit<number, void>(4, async (items) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        batches.push(items);
        await Promise.resolve();
        inFlight--;
        return items.map(() => undefined);
      });
      await Promise.all(Array.from({ length: 10 }, (_, index) => batcher.submit(index)));
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
      const batcher = new GroupCommit<number, void>(
        3,
        async (items) => {
          inFlight++;
          mostInFlight = Math.max(mostInFlight, inFlight);
          batches.push(items);
          await new Promise<void>((resolve) => releases.push(resolve));
          inFlight--;
          return items.map(() => undefined);
        },
        2,
      );
      const handled = Promise.all(Array.from({ length: 8 }, (_, index) => batcher.submit(index)));
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
      const batcher = new GroupCommit<number, void>(
        3,
        async (items) => {
          batches.push(items);
          await new Promise<void>((resolve) => releases.push(resolve));
          return items.map(() => undefined);
        },
        2,
      );
      const first = batcher.submit(0);
      await waitUntil(() => releases.length === 1);
      const more = [batcher.submit(1), batcher.submit(2)];
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
      expect(() => new GroupCommit<number, void>(1, async () => [], 0)).toThrow(/maxInFlight/);
    });

    it('takes a single item alone when nothing else waits', async () => {
      const batches: string[][] = [];
      const batcher = new GroupCommit<string, void>(10, async (items) => {
        batches.push(items);
        return items.map(() => undefined);
      });
      await batcher.submit('a');
      await batcher.submit('b');
      expect(batches).toEqual([['a'], ['b']]);
    });

    it('retries the items of a failed batch one by one, so only the bad one fails', async () => {
      const calls: string[][] = [];
      const batcher = new GroupCommit<string, void>(10, async (items) => {
        calls.push(items);
        if (items.includes('bad')) throw new Error('bad item');
        return items.map(() => undefined);
      });
      const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((item) => batcher.submit(item)));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('bad item'));
      expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    });

    it('keeps going after a failure with what arrived meanwhile', async () => {
      const seen: string[] = [];
      const batcher = new GroupCommit<string, void>(10, async (items) => {
        if (items.length === 1 && items[0] === 'bad') throw new Error('no');
        seen.push(...items);
        return items.map(() => undefined);
      });
      await expect(batcher.submit('bad')).rejects.toThrow('no');
      await batcher.submit('next');
      expect(seen).toEqual(['next']);
    });
  });

  describe('whenCaughtUp', () => {
    /** A group of batches of 2 whose batches each run until released, in order. */
    function heldBatches() {
      const held: Array<() => void> = [];
      const group = new GroupCommit<number, number>(2, async (inputs) => {
        await new Promise<void>((resolve) => held.push(resolve));
        return inputs;
      });
      /** Waits until the next batch runs, then lets it finish. */
      const releaseNext = async () => {
        await waitUntil(() => held.length > 0);
        held.shift()!();
      };
      return { group, releaseNext, heldCount: () => held.length };
    }

    it('resolves at once while less than a full batch waits', async () => {
      const { group, releaseNext, heldCount } = heldBatches();
      const first = group.submit(1);
      await waitUntil(() => heldCount() === 1);
      const second = group.submit(2);
      let caughtUp = false;
      void group.whenCaughtUp(60_000).then(() => (caughtUp = true));
      await waitUntil(() => caughtUp);
      await releaseNext();
      await releaseNext();
      expect(await Promise.all([first, second])).toEqual([1, 2]);
    });

    it('when a full batch waits behind the one in flight, resolves once every call has run', async () => {
      const { group, releaseNext, heldCount } = heldBatches();
      const first = group.submit(1);
      await waitUntil(() => heldCount() === 1);
      const queued = [2, 3, 4].map((input) => group.submit(input));
      let caughtUp = false;
      void group.whenCaughtUp(60_000).then(() => (caughtUp = true));
      for (let turn = 0; turn < 20; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
      expect(caughtUp).toBe(false);
      await releaseNext();
      expect(await first).toBe(1);
      await releaseNext();
      // [2, 3] has run; [4] is still to run.
      await waitUntil(() => true);
      expect(caughtUp).toBe(false);
      await releaseNext();
      expect(await Promise.all(queued)).toEqual([2, 3, 4]);
      await waitUntil(() => caughtUp);
    });

    it('gives up waiting after the maximum, the backlog still there', async () => {
      const { group, releaseNext, heldCount } = heldBatches();
      const first = group.submit(1);
      await waitUntil(() => heldCount() === 1);
      const queued = [2, 3].map((input) => group.submit(input));
      await group.whenCaughtUp(5);
      await releaseNext();
      await releaseNext();
      expect(await Promise.all([first, ...queued])).toEqual([1, 2, 3]);
    });
  });
});
