// A background loop: runs a round, sleeps until woken or its interval passes, backs off after a
// failed round (a wake does not cut a backoff short, or a burst of wakes would defeat it), and
// stops after the round in flight.
export type RoundOutcome = 'more' | 'idle';

export interface WakeableLoopOptions {
  /** Sleep after an idle round when nothing wakes the loop. */
  intervalMs: number;
  /** Backoff after a failed round: doubled per consecutive failure up to the maximum. */
  failureBackoffBaseMs: number;
  failureBackoffMaxMs: number;
  /** Reports a failed round (logs, metrics). */
  onFailure: (error: unknown, consecutiveFailures: number) => void;
}

export class WakeableLoop {
  private wakeRequested = false;
  private stopping = false;
  private sleeping: { wake: () => void; wakeable: boolean } | undefined;
  private running: Promise<void> | undefined;
  private consecutiveFailures = 0;

  constructor(
    private readonly round: () => Promise<RoundOutcome>,
    private readonly options: WakeableLoopOptions,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  wake(): void {
    this.wakeRequested = true;
    if (this.sleeping?.wakeable) this.sleeping.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeping?.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.wakeRequested = false;
      let delayMs: number;
      let wakeable: boolean;
      try {
        const outcome = await this.round();
        this.consecutiveFailures = 0;
        delayMs = outcome === 'more' ? 0 : this.options.intervalMs;
        wakeable = true;
      } catch (error) {
        if (this.stopping) break;
        this.consecutiveFailures += 1;
        this.options.onFailure(error, this.consecutiveFailures);
        delayMs = Math.min(this.options.failureBackoffMaxMs, this.options.failureBackoffBaseMs * 2 ** (this.consecutiveFailures - 1));
        wakeable = false;
      }
      if (delayMs > 0 && !this.stopping && !(wakeable && this.wakeRequested)) await this.sleep(delayMs, wakeable);
    }
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { wake: done, wakeable };
    });
  }
}
