import { createLogger } from '@retail-mesh/observability';
import { waitFor } from '@retail-mesh/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ErpGate } from './erp-gate.js';
import { SubmissionWindow } from './submission-window.js';

const logger = createLogger({ service: 'submission-window-spec', level: 'silent', destination: { write: () => undefined } });

type Answer = 'created' | 'unavailable';
interface Result {
  item: number;
  answer: Answer;
}

/**
 * Items 1..n queued oldest first, as the orders table queues reserved orders: a claim takes the
 * oldest unclaimed ones, a call waits until the test answers it, and a committed 'unavailable'
 * puts the item back in its place.
 */
class FakeErp {
  readonly waiting: number[];
  readonly started: number[] = [];
  readonly committed: number[] = [];
  readonly commits: number[][] = [];
  commitsStarted = 0;
  out = 0;
  mostOut = 0;
  private readonly answers = new Map<number, (answer: Answer) => void>();
  private commitGate: Promise<void> = Promise.resolve();
  private claimGate: Promise<void> = Promise.resolve();
  claimsStarted = 0;

  constructor(count: number) {
    this.waiting = Array.from({ length: count }, (_, index) => index + 1);
  }

  /** Takes what waits when it runs, then answers (once the claim gate opens). */
  readonly claim = async (limit: number): Promise<number[]> => {
    this.claimsStarted += 1;
    const claimed = this.waiting.splice(0, limit);
    await this.claimGate;
    return claimed;
  };

  readonly send = (item: number): Promise<Result> => {
    this.started.push(item);
    this.out += 1;
    this.mostOut = Math.max(this.mostOut, this.out);
    return new Promise<Answer>((resolve) => this.answers.set(item, resolve)).then((answer) => {
      this.out -= 1;
      return { item, answer };
    });
  };

  readonly commit = async (results: Result[]): Promise<void> => {
    this.commitsStarted += 1;
    await this.commitGate;
    this.commits.push(results.map((result) => result.item));
    for (const { item, answer } of results) {
      if (answer === 'created') this.committed.push(item);
      else this.waiting.push(item);
    }
    this.waiting.sort((a, b) => a - b);
  };

  answer(item: number, answer: Answer = 'created'): void {
    const resolve = this.answers.get(item);
    if (!resolve) throw new Error(`item ${item} has no call out`);
    this.answers.delete(item);
    resolve(answer);
  }

  /** Claims answer only once the returned function is called. */
  holdClaims(): () => void {
    let release!: () => void;
    this.claimGate = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  /** Commits wait until the returned function is called. */
  holdCommits(): () => void {
    let release!: () => void;
    this.commitGate = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  isOut(item: number): boolean {
    return this.answers.has(item);
  }
}

describe('SubmissionWindow', () => {
  let window: SubmissionWindow<number, Result> | undefined;

  afterEach(async () => {
    await window?.stop();
    window = undefined;
  });

  function open(erp: FakeErp, size: number): SubmissionWindow<number, Result> {
    window = new SubmissionWindow<number, Result>({
      name: 'test',
      size,
      claim: erp.claim,
      send: erp.send,
      unavailable: (result) => result.answer === 'unavailable',
      commit: erp.commit,
      gate: new ErpGate({ initialMs: 1, maxMs: 5 }),
      pollIntervalMs: 60_000,
      retryDelayMs: 60_000,
      logger,
    });
    window.start();
    return window;
  }

  it('starts calls oldest first, at most `size` at once, refilling each place as its call comes back', async () => {
    const erp = new FakeErp(8);
    open(erp, 3);
    await waitFor(() => erp.started.length === 3);
    expect(erp.started).toEqual([1, 2, 3]);
    erp.answer(2);
    await waitFor(() => erp.started.length === 4);
    expect(erp.started).toEqual([1, 2, 3, 4]);
    for (const item of [3, 1, 4, 5, 6, 7, 8]) {
      await waitFor(() => erp.isOut(item));
      erp.answer(item);
    }
    await waitFor(() => erp.committed.length === 8);
    expect(erp.started).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(erp.mostOut).toBe(3);
  });

  it('does not let one slow call hold back the others', async () => {
    const erp = new FakeErp(6);
    open(erp, 2);
    await waitFor(() => erp.started.length === 2);
    // Item 1's call stays out while every other one comes back.
    for (const item of [2, 3, 4, 5, 6]) {
      await waitFor(() => erp.isOut(item));
      erp.answer(item);
    }
    await waitFor(() => erp.committed.length === 5);
    expect(erp.committed).toEqual([2, 3, 4, 5, 6]);
    expect(erp.isOut(1)).toBe(true);
    erp.answer(1);
    await waitFor(() => erp.committed.length === 6);
  });

  it('commits the calls that came back while a commit ran in one commit', async () => {
    const erp = new FakeErp(4);
    open(erp, 4);
    await waitFor(() => erp.started.length === 4);
    const release = erp.holdCommits();
    erp.answer(1);
    await waitFor(() => erp.commitsStarted === 1);
    erp.answer(2);
    erp.answer(3);
    erp.answer(4);
    release();
    await waitFor(() => erp.committed.length === 4);
    expect(erp.commits).toEqual([[1], [2, 3, 4]]);
  });

  it('claims again at once when woken while a claim ran, without waiting for the poll', async () => {
    const erp = new FakeErp(1);
    const release = erp.holdClaims();
    const running = open(erp, 4);
    await waitFor(() => erp.claimsStarted === 1);
    // Order 2 is reserved after the running claim looked: only the wake-up announces it.
    erp.waiting.push(2);
    running.wake();
    release();
    await waitFor(() => erp.started.length === 2);
    expect(erp.started).toEqual([1, 2]);
    erp.answer(1);
    erp.answer(2);
    await waitFor(() => erp.committed.length === 2);
  });

  it('holds everything back while the ERP is unavailable, then probes with the oldest alone and drains oldest first', async () => {
    const erp = new FakeErp(6);
    open(erp, 4);
    await waitFor(() => erp.started.length === 4);
    erp.answer(2, 'unavailable');
    // Calls that were out with the failing one come back; a late success does not reopen the gate.
    erp.answer(4);
    erp.answer(1);
    await waitFor(() => erp.committed.length === 2);
    expect(erp.started).toEqual([1, 2, 3, 4]);
    erp.answer(3, 'unavailable');
    // Once every call is back, the oldest waiting order probes alone; it fails, so it probes again.
    await waitFor(() => erp.started.length === 5);
    expect(erp.started.at(-1)).toBe(2);
    expect(erp.out).toBe(1);
    erp.answer(2, 'unavailable');
    await waitFor(() => erp.started.length === 6);
    expect(erp.started.at(-1)).toBe(2);
    expect(erp.out).toBe(1);
    erp.answer(2);
    // The probe got through: the rest goes oldest first.
    await waitFor(() => erp.started.length === 9);
    expect(erp.started.slice(6)).toEqual([3, 5, 6]);
    for (const item of [3, 5, 6]) erp.answer(item);
    await waitFor(() => erp.committed.length === 6);
    expect(erp.committed).toEqual([4, 1, 2, 3, 5, 6]);
  });

  it('takes offered items into free places while nothing waits in the queue; what it has no room for is claimed before later offers', async () => {
    const erp = new FakeErp(0);
    const running = open(erp, 3);
    // Once the first claim found the queue empty.
    await waitFor(() => running.offer([10]).length === 1);
    expect(running.offer([11, 12, 13])).toEqual([11, 12]);
    // The caller ends its claim of 13: it waits in the queue, and nothing offered may overtake it.
    erp.waiting.push(13);
    running.wake();
    expect(running.offer([14])).toEqual([]);
    erp.waiting.push(14);
    erp.answer(10);
    await waitFor(() => erp.isOut(13));
    expect(running.offer([15])).toEqual([]);
    erp.waiting.push(15);
    for (const item of [11, 12, 13]) {
      await waitFor(() => erp.isOut(item));
      erp.answer(item);
    }
    await waitFor(() => erp.isOut(14) && erp.isOut(15));
    // The queue is empty again once a claim found less than it asked for.
    await waitFor(() => running.offer([16]).length === 1);
    expect(erp.started).toEqual([10, 11, 12, 13, 14, 15, 16]);
    for (const item of [14, 15, 16]) erp.answer(item);
    await waitFor(() => erp.committed.length === 7);
  });

  it('claims nothing after a commit while nothing waits in the queue', async () => {
    const erp = new FakeErp(0);
    const running = open(erp, 2);
    await waitFor(() => running.offer([1, 2]).length === 2);
    expect(erp.claimsStarted).toBe(1);
    erp.answer(1);
    erp.answer(2);
    await waitFor(() => erp.committed.length === 2);
    expect(running.offer([3])).toEqual([3]);
    erp.answer(3);
    await waitFor(() => erp.committed.length === 3);
    expect(erp.claimsStarted).toBe(1);
  });

  it('takes no offered item while the ERP is unavailable: the queue drains oldest first', async () => {
    const erp = new FakeErp(0);
    const running = open(erp, 2);
    await waitFor(() => running.offer([1]).length === 1);
    erp.answer(1, 'unavailable');
    // Back in the queue: the gate is closed, and then item 1 probes.
    await waitFor(() => erp.commits.length === 1);
    expect(running.offer([2])).toEqual([]);
    erp.waiting.push(2);
    await waitFor(() => erp.started.length === 2);
    expect(erp.started).toEqual([1, 1]);
    expect(running.offer([3])).toEqual([]);
    erp.answer(1);
    await waitFor(() => erp.isOut(2));
    erp.answer(2);
    await waitFor(() => erp.committed.length === 2);
    expect(erp.started).toEqual([1, 1, 2]);
    expect(erp.committed).toEqual([1, 2]);
  });

  it('waits on stop for the calls out and their commit, and starts none after', async () => {
    const erp = new FakeErp(3);
    const running = open(erp, 2);
    await waitFor(() => erp.started.length === 2);
    let stopped = false;
    const stopping = running.stop().then(() => (stopped = true));
    erp.answer(1);
    await waitFor(() => erp.committed.length === 1);
    expect(stopped).toBe(false);
    erp.answer(2);
    await stopping;
    expect(erp.committed).toEqual([1, 2]);
    expect(erp.started).toEqual([1, 2]);
    running.wake();
    expect(erp.started).toEqual([1, 2]);
  });
});
