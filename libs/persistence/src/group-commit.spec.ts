import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';

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
});
