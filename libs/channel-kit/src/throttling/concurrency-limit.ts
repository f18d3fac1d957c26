// Some APIs govern how many requests an account may have open at once rather than how many it
// sends per second (NetSuite's concurrency governance: past the account's limit it refuses with
// 429 or SSS_REQUEST_LIMIT_EXCEEDED). A client keeps within its share by queueing the requests
// beyond it here, first come first served, instead of sending them to be refused.

/** At most `limit` tasks run at once; the others wait their turn in arrival order. */
export class ConcurrencyLimit {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a concurrency limit is a positive integer, not ${limit}`);
  }

  /** Tasks running now. */
  get inUse(): number {
    return this.running;
  }

  /** Tasks waiting for a place. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `task` once a place is free and frees it when the task settles. When `signal` aborts
   * first, the task never runs and its reason is thrown (a wait bounded by the caller's timeout).
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.queue.splice(this.queue.indexOf(start), 1);
        reject(signal!.reason);
      };
      // The place of the task that ends passes straight to this one (running stays the same).
      const start = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(start);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running -= 1;
  }
}
