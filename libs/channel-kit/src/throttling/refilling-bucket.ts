// The bucket both channel rate-limit models reduce to: a level that refills at a steady rate up
// to a capacity, and callers that each need some amount of it. Shopify's GraphQL leaky bucket
// (points, restore rate) and Amazon's token buckets (requests, rate, burst) are both this.
//
// Waiters are served strictly first come, first served: a cheap request never overtakes an
// expensive one queued before it, so the expensive one cannot starve. One timer is armed, for
// the head of the queue only, for exactly as long as the refill to its amount takes.

export interface RefillingBucketOptions {
  /** Maximum level (bucket size / burst). */
  capacity: number;
  /** Units restored per second. */
  refillPerSecond: number;
  /** Level at creation; default full. */
  initialLevel?: number;
}

interface Waiter {
  amount: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class RefillingBucket {
  private capacity: number;
  private refillPerSecond: number;
  private currentLevel: number;
  private updatedAt = Date.now();
  private readonly waiters: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: RefillingBucketOptions) {
    assertPositive(options.capacity, 'capacity');
    assertPositive(options.refillPerSecond, 'refillPerSecond');
    this.capacity = options.capacity;
    this.refillPerSecond = options.refillPerSecond;
    this.currentLevel = Math.min(options.initialLevel ?? options.capacity, options.capacity);
  }

  /**
   * Resolves once `amount` is available, and takes it. An amount above the capacity waits for
   * a full bucket and then leaves the level negative (in debt), delaying the callers after it.
   * Rejects with the signal's reason if `signal` aborts while waiting.
   */
  take(amount: number, signal?: AbortSignal): Promise<void> {
    if (!Number.isFinite(amount) || amount < 0)
      return Promise.reject(new RangeError(`amount must be a non-negative number, got ${amount}`));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0) {
      this.refill();
      if (this.currentLevel >= this.needed(amount)) {
        this.currentLevel -= amount;
        return Promise.resolve();
      }
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { amount, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => this.abandon(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.serve();
    });
  }

  /** The level now, after refill; negative while in debt. */
  level(): number {
    this.refill();
    return this.currentLevel;
  }

  /** Overrides the level with what the server reports (it knows best), then serves waiters. */
  setLevel(level: number): void {
    if (!Number.isFinite(level)) throw new RangeError(`level must be a finite number, got ${level}`);
    this.refill();
    this.currentLevel = Math.min(level, this.capacity);
    this.serve();
  }

  /** Changes the capacity and/or refill rate (e.g. from response headers), then serves waiters. */
  configure(options: { capacity?: number; refillPerSecond?: number }): void {
    this.refill();
    if (options.capacity !== undefined) {
      assertPositive(options.capacity, 'capacity');
      this.capacity = options.capacity;
      this.currentLevel = Math.min(this.currentLevel, this.capacity);
    }
    if (options.refillPerSecond !== undefined) {
      assertPositive(options.refillPerSecond, 'refillPerSecond');
      this.refillPerSecond = options.refillPerSecond;
    }
    this.serve();
  }

  get settings(): { capacity: number; refillPerSecond: number } {
    return { capacity: this.capacity, refillPerSecond: this.refillPerSecond };
  }

  /** Callers waiting. */
  get waiting(): number {
    return this.waiters.length;
  }

  private needed(amount: number): number {
    return Math.min(amount, this.capacity);
  }

  private refill(): void {
    const now = Date.now();
    const elapsedMs = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.currentLevel = Math.min(this.capacity, this.currentLevel + (elapsedMs * this.refillPerSecond) / 1000);
  }

  private serve(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.refill();
    while (this.waiters.length > 0 && this.currentLevel >= this.needed(this.waiters[0].amount)) {
      const waiter = this.waiters.shift() as Waiter;
      this.currentLevel -= waiter.amount;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    if (this.waiters.length === 0) return;
    const deficit = this.needed(this.waiters[0].amount) - this.currentLevel;
    // Rounded up, at least 1 ms: waking early would only re-arm the timer.
    const delayMs = Math.max(1, Math.ceil((deficit * 1000) / this.refillPerSecond));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.serve();
    }, delayMs);
  }

  private abandon(waiter: Waiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index === -1) return;
    this.waiters.splice(index, 1);
    waiter.reject(waiter.signal?.reason);
    // The head may have changed: the next caller might be served now or need a different wait.
    this.serve();
  }
}

function assertPositive(value: number, name: string): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
}
